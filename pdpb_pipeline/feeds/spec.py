"""The agency feeds, declared as data: one entry per agency, one ingest path for all.

Adding an agency is an entry in ``AGENCIES`` and an expectation suite in ``expectations/``:
no new code. Header aliases and event words are written as agencies write them; they are
normalised (lower case, punctuation to spaces) before comparison, so ``TGL_LHR``, ``Tgl. Lahir``
and ``tgl lhr`` are the same header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize_header(text: object) -> str:
    return _NON_ALNUM.sub(" ", str(text).lower()).strip()


def normalize_words(text: object) -> str:
    return _NON_ALNUM.sub(" ", str(text).lower()).strip().upper()


# Header names used for each canonical field across agencies. ``desa`` (a desa NAME, resolved
# to its code within the regency) and ``ttl`` (``TEMPAT, DD-MM-YYYY`` in one cell) are
# alternatives to ``kode_desa`` and to the two birth columns.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nomor induk kependudukan", "nik ktp", "no ktp", "nomor ktp",
            "nik pemilih", "nik wbp", "nik pmi", "nik penghuni", "nik anggota", "nik pasangan"),
    "nkk": ("nkk", "no kk", "nomor kk", "nomor kartu keluarga", "no kartu keluarga", "kk", "nomor nkk"),
    "nama": ("nama", "nama lengkap", "nama pemilih", "nama wbp", "nama warga binaan", "nama pmi",
             "nama pekerja", "nama anggota", "nama penghuni", "nama penduduk", "nama calon pemilih",
             "nama mempelai", "nama pasangan", "nama lgkp"),
    "tempat_lahir": ("tempat lahir", "tmpt lahir", "tmpt lhr", "tpt lahir", "tmp lahir", "kota lahir"),
    "tanggal_lahir": ("tanggal lahir", "tgl lahir", "tgl lhr", "tgl lahir dd mm yyyy", "tanggal lhr", "lahir",
                      "tgl lahir pmi"),
    "ttl": ("tempat tgl lahir", "tempat tanggal lahir", "ttl", "tempat tgl lhr", "tmpt tgl lahir"),
    "jenis_kelamin": ("jenis kelamin", "jk", "l p", "kelamin", "sex", "gender", "jns kelamin", "jns klmin"),
    "status_kawin": ("status kawin", "status perkawinan", "sts kwn", "kawin", "stat kawin", "status nikah",
                     "status kwn"),
    "alamat": ("alamat", "alamat lengkap", "alamat rumah", "alamat domisili", "alamat asal", "jalan",
               "alamat unit", "blok unit"),
    "rt": ("rt", "no rt", "rt domisili"),
    "rw": ("rw", "no rw", "rw domisili"),
    "kode_desa": ("kode desa", "kode kelurahan", "kode desa kelurahan", "kd desa", "kode wilayah",
                  "kode kel", "kode kel desa", "no kel", "kode desa domisili"),
    "desa": ("desa", "kelurahan", "desa kelurahan", "kelurahan desa", "kel desa", "nama desa", "nama kelurahan",
             "kel", "desa kel", "lembang"),
    "kecamatan": ("kecamatan", "kec", "nama kecamatan"),
    "jenis_peristiwa": ("jenis peristiwa", "peristiwa", "jenis mutasi", "mutasi", "keterangan", "jenis",
                        "jenis kejadian", "jenis layanan", "ket"),
    "tanggal_peristiwa": ("tanggal peristiwa", "tgl peristiwa", "tanggal kejadian", "tgl kejadian",
                          "tanggal mutasi", "tgl mutasi", "tanggal", "tgl"),
}


@dataclass(frozen=True)
class AgencySpec:
    key: str
    """File stem and asset name: ``landing/<regency>/<month>/<key>[_anything].csv|xlsx``."""
    name: str
    group: str
    """Dagster asset group: the kind of data."""
    events: dict[str, str]
    """The agency's words for an event (normalised by ``normalize_words``) -> event type."""
    default_event: str | None = None
    """Event of every row when the file has no event column (one-purpose files)."""
    required: tuple[str, ...] = ("nama",)
    """Canonical fields whose column must be in the file; without one the file is unusable."""
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Agency-specific header names, added to ``COMMON_ALIASES``."""
    extra_fields: tuple[str, ...] = ()
    """Fields beyond the canonical schema that this feed carries (kept as extra columns)."""
    identifies_person: bool = True
    """Rows must identify a person (usable NIK, or name and birth date) to be used."""
    authoritative: tuple[str, ...] = ()
    """Events this agency is the legal source of: sure changes from them are applied; the
    same change suggested by any other agency goes to the field check (coktas) first."""

    @property
    def event_types(self) -> tuple[str, ...]:
        types = set(self.events.values())
        if self.default_event:
            types.add(self.default_event)
        return tuple(sorted(types))

    def header_map(self) -> dict[str, str]:
        """Normalised header -> canonical field."""
        out: dict[str, str] = {}
        for field_name, names in COMMON_ALIASES.items():
            for name in names:
                out.setdefault(normalize_header(name), field_name)
        for field_name, names in self.aliases.items():  # agency names win over common ones
            for name in names:
                out[normalize_header(name)] = field_name
        return out


def _words(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """``{event: (word, ...)}`` -> ``{WORD: event}``, each event also known by its own name."""
    out = {}
    for event, words in mapping.items():
        out[normalize_words(event)] = event
        for word in words:
            out[normalize_words(word)] = event
    return out


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        key="disdukcapil",
        name="Dinas Kependudukan dan Pencatatan Sipil",
        group="pencatatan_sipil",
        events=_words({
            "meninggal": ("MENINGGAL", "MENINGGAL DUNIA", "KEMATIAN", "MATI", "WAFAT", "AKTA KEMATIAN"),
            "pindah_keluar": ("PINDAH KELUAR", "PINDAH", "PINDAH KE LUAR", "KELUAR", "PINDAH LUAR DAERAH"),
            "pindah_masuk": ("PINDAH DATANG", "DATANG", "PINDAH MASUK", "MASUK", "KEDATANGAN"),
            "pindah_dalam": ("PINDAH DALAM", "PINDAH ALAMAT", "PINDAH DALAM KABUPATEN", "PINDAH DALAM KOTA",
                             "PINDAH ANTAR KECAMATAN", "PINDAH ANTAR DESA", "UBAH ALAMAT"),
            "pemilih_pemula": ("PEMILIH PEMULA", "GENAP 17", "GENAP 17 TAHUN", "USIA 17", "WAJIB KTP",
                               "WAJIB KTP EL", "WAJIB KTP EL 17 TAHUN", "PEREKAMAN KTP EL", "PEREKAMAN KTP",
                               "17 TAHUN"),
            "perbaikan_data": ("PERBAIKAN DATA", "PERUBAHAN DATA", "UBAH DATA", "KOREKSI DATA", "PERUBAHAN BIODATA",
                               "PERUBAHAN ELEMEN DATA", "UBAH ELEMEN DATA", "PEMBETULAN"),
            "kawin": ("KAWIN", "PERKAWINAN", "MENIKAH"),
        }),
        required=("nama", "jenis_peristiwa"),
        authoritative=("meninggal", "pindah_keluar", "pindah_masuk", "pindah_dalam", "pemilih_pemula",
                       "perbaikan_data", "kawin"),
        aliases={"tanggal_peristiwa": ("tgl meninggal", "tanggal meninggal", "tgl pindah", "tanggal pindah",
                                       "tgl datang", "tgl perubahan", "tgl peristiwa")},
    ),
    AgencySpec(
        key="perumahan",
        name="Dinas Perumahan dan Permukiman",
        group="perumahan",
        events=_words({"penghuni_baru": ("PENGHUNI BARU", "HUNIAN BARU", "RUSUN", "RUSUNAWA", "RUSUNAMI",
                                         "APARTEMEN", "PERUMAHAN BARU", "SERAH TERIMA", "MENEMPATI")}),
        default_event="penghuni_baru",
        aliases={"tanggal_peristiwa": ("tanggal huni", "tgl huni", "tanggal serah terima", "tgl serah terima",
                                       "tanggal menempati", "tgl menempati", "mulai huni", "tanggal mulai huni",
                                       "tgl mulai huni"),
                 # The estate, apartment or rusun as the file names it: the occupants list is per estate.
                 "nama_perumahan": ("nama perumahan", "perumahan", "nama rusun", "rusun", "nama rusunawa",
                                    "rusunawa", "nama rusunami", "nama apartemen", "apartemen", "lokasi",
                                    "nama lokasi", "lokasi hunian", "nama kawasan", "perumahan rusun",
                                    "nama perumahan rusun", "nama hunian")},
        extra_fields=("nama_perumahan",),
    ),
    AgencySpec(
        key="dpmd",
        name="Dinas Pemberdayaan Masyarakat dan Desa (daftar pemilih Pilkades)",
        group="desa",
        events=_words({"daftar_pemilih_desa": ("DPT PILKADES", "DAFTAR PEMILIH PILKADES", "PILKADES", "PILKALEM",
                                               "DPT DESA", "TERDAFTAR")}),
        default_event="daftar_pemilih_desa",
        aliases={"tanggal_peristiwa": ("tanggal penetapan", "tgl penetapan", "tanggal pilkades", "tgl pilkades"),
                 "status_kawin": ("status",)},
    ),
    AgencySpec(
        key="lapas",
        name="Rumah Tahanan dan Lembaga Pemasyarakatan",
        group="lapas_rutan",
        events=_words({
            "masuk_lapas": ("MASUK", "TAHANAN BARU", "REGISTRASI MASUK", "PENERIMAAN", "NAPI BARU", "DITAHAN"),
            "keluar_lapas": ("KELUAR", "BEBAS", "BEBAS MURNI", "BEBAS BERSYARAT", "PEMBEBASAN", "PB", "CB",
                             "CUTI BERSYARAT", "DIKELUARKAN", "ASIMILASI"),
            # A row of the institution's full roster (everybody inside on the file's date): what
            # each inmate is, not an event. A file of such rows replaces the institution's list.
            "penghuni_lapas": ("NARAPIDANA", "NAPI", "TAHANAN", "WBP", "WARGA BINAAN", "PENGHUNI",
                               "DAFTAR PENGHUNI", "PENGHUNI LAPAS", "PENGHUNI RUTAN"),
        }),
        required=("nama", "jenis_peristiwa"),
        aliases={"jenis_peristiwa": ("status", "status wbp"),
                 "tanggal_peristiwa": ("tgl masuk keluar", "tanggal masuk keluar", "tgl registrasi",
                                       "tanggal registrasi", "tgl masuk", "tanggal masuk", "tgl keluar",
                                       "tanggal keluar"),
                 # The remand centre or prison the row is about (several send one regency's file).
                 "nama_lapas": ("lapas rutan", "rutan lapas", "nama lapas", "nama rutan", "lapas", "rutan",
                                "nama upt", "upt", "satker", "nama satker", "unit pelaksana teknis",
                                "nama lapas rutan", "lembaga pemasyarakatan", "rumah tahanan")},
        extra_fields=("nama_lapas",),
    ),
    AgencySpec(
        key="bp2mi",
        name="Disnakertrans / BP2MI (pekerja migran)",
        group="pekerja_migran",
        events=_words({
            "pmi_berangkat": ("BERANGKAT", "KEBERANGKATAN", "PENEMPATAN", "KE LUAR NEGERI", "BEKERJA DI LUAR NEGERI"),
            "pmi_pulang": ("PULANG", "KEPULANGAN", "KEMBALI", "PURNA", "PMI PURNA", "TIBA"),
        }),
        required=("nama", "jenis_peristiwa"),
        authoritative=("pmi_berangkat", "pmi_pulang"),
        aliases={"jenis_peristiwa": ("status", "status pmi"),
                 "tanggal_peristiwa": ("tgl berangkat pulang", "tanggal berangkat pulang", "tgl keberangkatan",
                                       "tanggal keberangkatan", "tgl kepulangan", "tanggal kepulangan"),
                 "negara": ("negara", "negara tujuan", "negara penempatan", "negara tujuan penempatan",
                            "negara penempatan pmi", "tujuan penempatan", "negara tempat bekerja",
                            "dari negara", "country", "destination")},
        extra_fields=("negara",),
    ),
    AgencySpec(
        key="tni_polri",
        name="TNI / Polri",
        group="tni_polri",
        events=_words({
            "masuk_tni": ("MASUK TNI", "PRAJURIT BARU TNI", "DILANTIK TNI", "TNI AD", "TNI AL", "TNI AU",
                          "PENDIDIKAN PERTAMA TNI", "PENERIMAAN PRAJURIT TNI", "PENERIMAAN TNI"),
            "masuk_polri": ("MASUK POLRI", "ANGGOTA BARU POLRI", "DILANTIK POLRI", "BINTARA POLRI", "POLRI",
                            "PENERIMAAN ANGGOTA POLRI", "PENERIMAAN POLRI"),
            "pensiun_tni": ("PENSIUN TNI", "PURNAWIRAWAN TNI", "PURNA TNI", "PTDH TNI", "BERHENTI TNI"),
            "pensiun_polri": ("PENSIUN POLRI", "PURNAWIRAWAN POLRI", "PURNA POLRI", "PTDH POLRI", "BERHENTI POLRI"),
        }),
        required=("nama", "jenis_peristiwa"),
        authoritative=("masuk_tni", "masuk_polri", "pensiun_tni", "pensiun_polri"),
        aliases={"tanggal_peristiwa": ("tmt", "tgl tmt", "terhitung mulai tanggal", "tanggal tmt", "tgl pelantikan",
                                       "tgl pensiun")},
    ),
    AgencySpec(
        key="kua",
        name="Pengadilan Agama / Kantor Urusan Agama (perkawinan di bawah 17 tahun)",
        group="perkawinan",
        events=_words({"kawin": ("KAWIN", "NIKAH", "PERKAWINAN", "DISPENSASI KAWIN", "ISBAT NIKAH", "MENIKAH",
                                 "NIKAH DISPENSASI USIA", "DISPENSASI NIKAH")}),
        default_event="kawin",
        authoritative=("kawin",),
        aliases={"tanggal_peristiwa": ("tanggal nikah", "tgl nikah", "tanggal akad", "tgl akad", "tanggal akad nikah",
                                       "tgl akad nikah", "tanggal kawin",
                                       "tgl kawin", "tanggal putusan", "tgl putusan")},
    ),
    AgencySpec(
        key="pengadilan",
        name="Pengadilan Negeri (putusan pencabutan hak memilih)",
        group="pengadilan",
        events=_words({"pencabutan_hak_pilih": (
            "PENCABUTAN HAK PILIH", "PENCABUTAN HAK MEMILIH", "PENCABUTAN HAK MEMILIH DAN DIPILIH",
            "DICABUT HAK PILIH", "DICABUT HAK MEMILIH", "PIDANA TAMBAHAN", "PIDANA TAMBAHAN PENCABUTAN HAK",
            "PUTUSAN PENCABUTAN HAK")}),
        default_event="pencabutan_hak_pilih",
        authoritative=("pencabutan_hak_pilih",),
        aliases={
            "tanggal_peristiwa": ("tanggal putusan", "tgl putusan", "tanggal inkracht", "tgl inkracht",
                                  "tanggal berkekuatan hukum tetap", "tanggal bht", "tgl bht"),
            "berlaku_sampai": ("berlaku sampai", "sampai tanggal", "tanggal berakhir", "tgl berakhir",
                               "akhir pencabutan", "tanggal akhir pencabutan", "berakhir"),
            "jenis_peristiwa": ("amar putusan", "jenis putusan", "putusan"),
        },
        extra_fields=("berlaku_sampai",),
    ),
    AgencySpec(
        key="coktas",
        name="Hasil coklit terbatas (pemeriksaan lapangan atas antrean verifikasi)",
        group="coktas",
        events=_words({"hasil_coktas": ("HASIL COKTAS", "COKTAS", "COKLIT TERBATAS")}),
        default_event="hasil_coktas",
        required=("id_antrean", "hasil"),
        aliases={
            "id_antrean": ("id antrean", "id antrian", "no antrean", "nomor antrean", "id verifikasi"),
            "hasil": ("hasil", "hasil coktas", "hasil verifikasi", "kesimpulan", "status verifikasi"),
            "tanggal_peristiwa": ("tanggal coktas", "tgl coktas", "tanggal verifikasi", "tgl verifikasi",
                                  "tanggal kunjungan"),
        },
        extra_fields=("id_antrean", "hasil"),
        identifies_person=False,  # a row answers a review-queue item, named by its id
    ),
)

BY_KEY: dict[str, AgencySpec] = {spec.key: spec for spec in AGENCIES}


def agency_of(file_stem: str) -> AgencySpec | None:
    """The agency a landing file belongs to, by its name: ``disdukcapil.csv``, ``lapas_rutan2.xlsx``."""
    stem = file_stem.lower()
    for spec in sorted(AGENCIES, key=lambda s: -len(s.key)):
        if stem == spec.key or stem.startswith(spec.key + "_") or stem.startswith(spec.key + "-"):
            return spec
    return None
