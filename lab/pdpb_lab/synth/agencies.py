"""The agencies' file conventions, as data: one entry per agency, one writer for all.

Each entry says what the agency's file looks like: format and encoding, its own header names in
its own column order (a field the agency does not keep has no column), how it writes dates, sex,
marital status and the event, whether it gives the desa as a Kemendagri code or by name, and
how dirty its rows are relative to the configured shares (``noise``: multipliers and
overrides).

Field keys a column can carry:

``no`` row number; ``nik``; ``nkk``; ``nama``; ``tempat_lahir``; ``tanggal_lahir``;
``jenis_kelamin``; ``status_kawin``; ``alamat`` (street; ``alamat_rtrw`` = street plus
``RT 003 RW 005``); ``rt``; ``rw``; ``kode_desa`` (dotted); ``kode_desa_angka`` (digits only);
``desa`` (name); ``kecamatan`` (name); ``kabupaten`` (name); ``jenis_peristiwa`` (the agency's
words); ``tanggal_peristiwa``; ``keterangan`` (free text); ``nrp`` (service number);
``pangkat`` (rank); ``kesatuan`` (unit); ``negara`` (destination country); ``perkara`` (case); ``perumahan`` (the housing estate or
rusun the address is in, empty for an address outside one); ``lapas`` (the remand centre or
prison the inmate is in, or left).

Date styles: a strftime pattern (text), ``serial`` (an Excel serial day number: a number cell
in XLSX, digits in CSV) or ``date`` (a real XLSX date cell). The first style listed is the
file's usual one; rows written otherwise carry ``date_alt_format`` / ``date_serial`` noise.
"""

from __future__ import annotations

AGENCIES: dict[str, dict] = {
    "disdukcapil": {
        "title": "Dinas Kependudukan dan Pencatatan Sipil",
        "format": "csv", "encoding": "utf-8-sig", "sep": ",", "newline": "\n",
        "columns": [
            ("nik", "NIK"), ("nkk", "NO_KK"), ("nama", "NAMA_LENGKAP"), ("tempat_lahir", "TMPT_LHR"),
            ("tanggal_lahir", "TGL_LHR"), ("jenis_kelamin", "JK"), ("status_kawin", "STS_KWN"),
            ("alamat", "ALAMAT"), ("rt", "RT"), ("rw", "RW"), ("kode_desa_angka", "KODE_DESA"),
            ("jenis_peristiwa", "JENIS_PERISTIWA"), ("tanggal_peristiwa", "TGL_PERISTIWA"),
        ],
        "dates": [("%d-%m-%Y", 0.88), ("%Y-%m-%d", 0.12)],
        "rt_style": "pad3",
        "name_case": "upper",
        "sex": {"L": "LAKI-LAKI", "P": "PEREMPUAN"},
        "kawin": {"B": ("BELUM KAWIN",), "S": ("KAWIN",), "P": ("CERAI HIDUP", "CERAI MATI")},
        "events": {
            "meninggal": "MENINGGAL DUNIA", "pindah_keluar": "PINDAH KELUAR",
            "pindah_masuk": "PINDAH DATANG", "pindah_dalam": "PINDAH DALAM KABUPATEN",
            "pemilih_pemula": "WAJIB KTP-EL (17 TAHUN)", "perbaikan_data": "PERUBAHAN ELEMEN DATA",
        },
        "sort": "tanggal",
        "noise": {},
    },
    "perumahan": {
        "title": "Dinas Perumahan dan Permukiman",
        "format": "xlsx", "sheet": "Penghuni Baru",
        "columns": [
            ("no", "No"), ("nama", "Nama Penghuni"), ("nik", "NIK"), ("nkk", "No. KK"),
            ("jenis_kelamin", "Jenis Kelamin"), ("tempat_lahir", "Tempat Lahir"),
            ("tanggal_lahir", "Tanggal Lahir"), ("alamat", "Alamat Unit"), ("rt", "RT"), ("rw", "RW"),
            ("desa", "Kelurahan/Desa"), ("kecamatan", "Kecamatan"), ("perumahan", "Nama Perumahan/Rusun"),
            ("tanggal_peristiwa", "Tanggal Mulai Huni"), ("jenis_peristiwa", "Keterangan"),
        ],
        "dates": [("date", 0.7), ("serial", 0.15), ("%d/%m/%Y", 0.15)],
        "rt_style": "int",
        "name_case": "title",
        "sex": {"L": "L", "P": "P"},
        "events": {"penghuni_baru": "Penghuni Baru"},
        "sort": "desa",
        "noise": {"nkk_missing": 3.0},
    },
    "dpmd": {
        "title": "Dinas Pemberdayaan Masyarakat dan Desa",
        "format": "csv", "encoding": "cp1252", "sep": ";", "newline": "\r\n", "apostrophe": "\u2019",
        "columns": [
            ("no", "NO"), ("nama", "NAMA"), ("nik", "NIK"), ("nkk", "NKK"), ("tempat_lahir", "TEMPAT LAHIR"),
            ("tanggal_lahir", "TGL LAHIR"), ("jenis_kelamin", "L/P"), ("status_kawin", "STATUS"),
            ("alamat", "ALAMAT"), ("rt", "RT"), ("rw", "RW"), ("desa", "DESA"), ("kecamatan", "KECAMATAN"),
            ("jenis_peristiwa", "KET"), ("tanggal_peristiwa", "TGL PENETAPAN"),
        ],
        "dates": [("%d/%m/%Y", 0.95), ("%d-%m-%Y", 0.05)],
        "rt_style": "pad3",
        "name_case": "upper",
        "sex": {"L": "L", "P": "P"},
        "kawin": {"B": ("B",), "S": ("S",), "P": ("P",)},
        "events": {"daftar_pemilih_desa": "DPT PILKADES"},
        "sort": "desa",
        "noise": {"name_variant": 0.6, "nik_missing": 0.3, "nik_placeholder": 0.5},
    },
    "lapas": {
        "title": "Rutan / Lapas",
        "format": "xlsx", "sheet": "Data WBP",
        "columns": [
            ("no", "No"), ("nama", "Nama WBP"), ("nik", "NIK"), ("tempat_lahir", "Tempat Lahir"),
            ("tanggal_lahir", "Tgl. Lahir"), ("jenis_kelamin", "L/P"), ("alamat_rtrw", "Alamat"),
            ("desa", "Kelurahan"), ("kecamatan", "Kecamatan"), ("kabupaten", "Kab/Kota"),
            ("perkara", "Perkara"), ("lapas", "Lapas/Rutan"), ("jenis_peristiwa", "Status"),
            ("tanggal_peristiwa", "Tgl. Masuk/Keluar"),
        ],
        "dates": [("%d-%m-%Y", 0.7), ("%d/%m/%Y", 0.2), ("serial", 0.1)],
        "rt_style": "pad3",
        "name_case": "upper",
        "sex": {"L": "L", "P": "P"},
        # the roster (``penghuni_lapas``: everybody inside, sent when the reporting starts) says
        # what each inmate is; it comes as its own file, ``roster_file``
        "events": {"masuk_lapas": "MASUK", "keluar_lapas": "BEBAS", "penghuni_lapas": ("NARAPIDANA", "TAHANAN")},
        "roster_file": "lapas_penghuni.xlsx",
        "sort": "tanggal",
        "noise": {"name_alias": 0.06, "name_variant": 1.5},
    },
    "bp2mi": {
        "title": "BP2MI / Disnakertrans",
        "format": "csv", "encoding": "utf-8-sig", "sep": ",", "newline": "\n",
        "columns": [
            ("no", "no"), ("nama", "nama_pmi"), ("nik", "nik"), ("tempat_lahir", "tempat_lahir"),
            ("tanggal_lahir", "tanggal_lahir"), ("jenis_kelamin", "jenis_kelamin"), ("alamat", "alamat"),
            ("kode_desa", "kode_desa"), ("desa", "desa"), ("kecamatan", "kecamatan"),
            ("negara", "negara_penempatan"), ("jenis_peristiwa", "status"),
            ("tanggal_peristiwa", "tanggal"),
        ],
        "dates": [("%Y-%m-%d", 0.85), ("serial", 0.15)],
        "rt_style": "pad3",
        "name_case": "upper",
        "sex": {"L": "LAKI-LAKI", "P": "PEREMPUAN"},
        "events": {"pmi_berangkat": "BERANGKAT", "pmi_pulang": "KEPULANGAN"},
        "sort": "tanggal",
        "noise": {},
    },
    "tni_polri": {
        "title": "Kodim / Polres",
        "format": "csv", "encoding": "cp1252", "sep": ";", "newline": "\r\n", "apostrophe": "\u2019",
        "columns": [
            ("no", "NO"), ("nama", "NAMA"), ("pangkat", "PANGKAT"), ("nrp", "NRP"), ("nik", "NIK"),
            ("tempat_lahir", "TEMPAT LAHIR"), ("tanggal_lahir", "TANGGAL LAHIR"),
            ("jenis_kelamin", "JENIS KELAMIN"), ("alamat", "ALAMAT"), ("rt", "RT"), ("rw", "RW"),
            ("desa", "KELURAHAN"), ("kecamatan", "KECAMATAN"), ("kesatuan", "KESATUAN"),
            ("jenis_peristiwa", "KETERANGAN"), ("tanggal_peristiwa", "TMT"),
        ],
        "dates": [("%d/%m/%Y", 0.9), ("%d-%m-%Y", 0.1)],
        "rt_style": "int",
        "name_case": "upper",
        "sex": {"L": "PRIA", "P": "WANITA"},
        "events": {
            "masuk_tni": "PENERIMAAN PRAJURIT TNI", "masuk_polri": "PENERIMAAN ANGGOTA POLRI",
            "pensiun_tni": "PENSIUN TNI", "pensiun_polri": "PENSIUN POLRI",
        },
        "sort": "tanggal",
        "noise": {"nik_missing": 0.5},
    },
    "kua": {
        "title": "Kantor Urusan Agama / Pengadilan Agama",
        "format": "xlsx", "sheet": "Dispensasi Kawin",
        "columns": [
            ("no", "No"), ("nik", "NIK"), ("nama", "Nama"), ("tempat_lahir", "Tempat Lahir"),
            ("tanggal_lahir", "Tanggal Lahir"), ("jenis_kelamin", "Jenis Kelamin"), ("alamat", "Alamat"),
            ("rt", "RT"), ("rw", "RW"), ("desa", "Desa/Kelurahan"), ("kecamatan", "Kecamatan"),
            ("tanggal_peristiwa", "Tanggal Akad Nikah"), ("jenis_peristiwa", "Keterangan"),
        ],
        "dates": [("serial", 0.6), ("date", 0.4)],
        "rt_style": "pad3",
        "name_case": "upper",
        "sex": {"L": "LAKI-LAKI", "P": "PEREMPUAN"},
        "events": {"kawin": "NIKAH (DISPENSASI USIA)"},
        "sort": "tanggal",
        "noise": {},
    },
}

LAPAS_CASES = ("NARKOTIKA", "PENCURIAN", "PENGGELAPAN", "PENIPUAN", "PENGANIAYAAN", "PERJUDIAN",
               "KDRT", "PERLINDUNGAN ANAK", "LALU LINTAS", "KORUPSI")
PMI_COUNTRIES = ("MALAYSIA", "TAIWAN", "HONGKONG", "ARAB SAUDI", "KOREA SELATAN", "JEPANG",
                 "SINGAPURA", "BRUNEI DARUSSALAM", "UNI EMIRAT ARAB", "QATAR")
TNI_RANKS = ("PRADA", "PRATU", "PRAKA", "KOPDA", "SERDA", "SERTU", "SERKA", "PELDA", "LETDA", "KAPTEN")
POLRI_RANKS = ("BHARADA", "BHARATU", "BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "AIPTU", "IPDA", "AKP")
TNI_UNITS = ("KODIM 0621", "YONIF 315", "KOREM 061", "DENZIPUR 4", "LANUD ATS")
POLRI_UNITS = ("POLRES", "POLSEK", "SAT BRIMOB", "DITLANTAS POLDA", "SPN POLDA")
