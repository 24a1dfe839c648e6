"""The bad-input corpus: one table of agency files as they really arrive, each with the outcome
a data officer must get.

Every case is a file name (which says the agency, as in the landing zone), a builder that
writes the file's bytes, and the outcome:

- ``accepted``: every data row is used; ``warnings`` are codes that must be in ``peringatan``
  of some accepted row;
- ``quarantined``: the unusable rows are kept in the quarantine with ``reasons``; the month
  goes on (no blocking check fails);
- ``blocking``: the blocking check ``check`` fails, its message names the file and says ``says``;
- ``warning``: the non-blocking check ``check`` fails (the month goes on);
- ``unrecognised``: no feed reads the file; the landing zone reports it (``says`` in the reason).

``rows`` is ``(accepted, quarantined rows)`` where the case pins it. ``limits`` overrides the
reader's limits (the size-limit case uses a small one so the test stays small).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from pdpb_pipeline.domain import nik as nikmod
from pdpb_pipeline.feeds.reader import ReadLimits

from ..feedfiles import excel_serial, write_csv, write_xlsx

REGENCY, MONTH = "32.01", "2026-01"


def nik(i: int, sex: str = "L", born: dt.date | None = None) -> str:
    born = born or dt.date(1980, 1, 1) + dt.timedelta(days=37 * i)
    return nikmod.build_nik("32.01.01", born, sex, i + 1)


def born_text(i: int) -> str:
    return (dt.date(1980, 1, 1) + dt.timedelta(days=37 * i)).strftime("%d-%m-%Y")


#: every full NIK a case writes (the test checks none of them reaches the quarantine's text)
NIKS = [nik(i) for i in range(40)]

DUK_HEADER = ["NO", "NIK", "NO_KK", "NAMA_LENGKAP", "TGL_LHR", "JK", "ALAMAT", "KODE_DESA",
              "JENIS_PERISTIWA", "TGL_PERISTIWA"]
LAPAS_HEADER = ["No", "NIK", "Nama WBP", "Tempat Lahir", "Tgl. Lahir", "L/P", "Alamat Asal", "Status",
                "Tgl Masuk/Keluar"]


def duk_row(i: int, name: str | None = None, event: str = "MENINGGAL DUNIA") -> list:
    return [i + 1, nik(i), "3201010101100001", name or f"WARGA {i}", born_text(i), "L",
            f"KP. CIBEUTEUY NO {i}", "3201011001", event, "03-01-2026"]


def lapas_row(i: int, name: str | None = None) -> list:
    return [i + 1, nik(i), name or f"WBP {i}", "BOGOR", born_text(i), "L", "KP. SUKAMAJU", "MASUK",
            "05/01/2026"]


def duk_rows(n: int = 10) -> list[list]:
    return [duk_row(i) for i in range(n)]


# --- builders ------------------------------------------------------------------------------

def raw(data: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(data)
    return build


def csv_file(header, rows, **kwargs) -> Callable[[Path], None]:
    return lambda path: write_csv(path, header, rows, **kwargs) and None


def xlsx_file(header, rows, **kwargs) -> Callable[[Path], None]:
    return lambda path: write_xlsx(path, header, rows, **kwargs) and None


def csv_text(lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)


def csv_bytes(header, rows, delimiter=",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html lang=\"id\">\n<head><meta charset=\"utf-8\"><title>Sesi Berakhir - SIMPEG</title>"
    b"</head>\n<body><h1>Sesi Anda telah berakhir</h1><p>Silakan login kembali untuk mengunduh laporan."
    b"</p></body>\n</html>\n"
)
HTML_TABLE_EXPORT = (  # what many web applications save as "laporan.xls": an HTML table
    b"<table border=\"1\"><tr><th>NIK</th><th>NAMA WBP</th><th>STATUS</th></tr>"
    b"<tr><td>'" + nik(1).encode() + b"</td><td>WBP 1</td><td>MASUK</td></tr></table>"
)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00" * 64 + b"%%EOF\n"
JPEG_SCAN = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) * 4


def ole_file(streams: list[str]) -> bytes:
    """A minimal OLE compound file (the container of .xls and of password-protected .xlsx):
    header, one FAT sector, one directory sector naming ``streams`` (empty streams)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 0x2C, 1, 1, 0)  # one FAT sector; directory at sector 1
    struct.pack_into("<IIIII", header, 0x38, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 0x4C, 0)  # DIFAT[0]: the FAT is sector 0
    for i in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * i, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<II", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE)

    def entry(name: str, kind: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF) -> bytes:
        out = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        out[0:len(encoded)] = encoded
        struct.pack_into("<HBB", out, 64, len(encoded), kind, 1)
        struct.pack_into("<III", out, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", out, 116, 0xFFFFFFFE, 0)
        return bytes(out)

    entries = [entry("Root Entry", 5, child=1)]
    for i, name in enumerate(streams, start=1):
        entries.append(entry(name, 2, right=i + 1 if i < len(streams) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(512, b"\x00")
    return bytes(header) + bytes(fat) + directory


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_bytes(header, rows) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def truncated_workbook(path: Path) -> None:
    data = workbook_bytes(LAPAS_HEADER, [lapas_row(i) for i in range(5)])
    path.write_bytes(data[: len(data) // 2])  # the download stopped half-way


def workbook_with_sheets(sheets: list[tuple[str, list[list]]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        book = Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(path)
    return build


def merged_title_blank_header(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["DAFTAR WARGA BINAAN MASUK DAN KELUAR - LAPAS KELAS IIA CIBINONG"])
    sheet.merge_cells("A1:I1")
    sheet.append(["BULAN JANUARI 2026"])
    sheet.merge_cells("A2:I2")
    sheet.append([])
    header = list(LAPAS_HEADER)
    header[6] = None  # "Alamat Asal" typed in a merged cell above: this header cell is blank
    sheet.append(header)
    for i in range(6):
        sheet.append(lapas_row(i))
    book.save(path)


def cp1252_line_in_utf8(path: Path) -> None:
    text = csv_bytes(DUK_HEADER, [duk_row(i, name="SITI NURHALIZA") for i in range(5)])
    lines = text.splitlines(keepends=True)
    # one row pasted from an old Windows file: "JOSÉ" in Windows-1252 inside a UTF-8 file,
    # with a UTF-8 "RENÉ" on another line
    bad = ",".join(str(c) for c in duk_row(5, name="JOSÉ RAMOS")).encode("cp1252") + b"\n"
    good = ",".join(str(c) for c in duk_row(6, name="RENÉ SIMANJUNTAK")).encode("utf-8") + b"\n"
    path.write_bytes(b"".join(line.encode("utf-8") for line in lines) + bad + good)


def whole_cp1252(path: Path) -> None:
    rows = [duk_row(0, name="JOSÉ ÑUÑEZ"), duk_row(1, name="FRANÇOIS"), duk_row(2, name="BUDI")]
    path.write_bytes(csv_bytes(DUK_HEADER, rows, delimiter=";").encode("cp1252"))


def utf16_unicode_text(path: Path) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 little endian with its mark, tab separated, CRLF
    text = csv_bytes(LAPAS_HEADER, [lapas_row(i) for i in range(4)] + [lapas_row(4, name="ZOË")], delimiter="\t")
    path.write_bytes("\ufeff".encode("utf-16-le") + text.replace("\n", "\r\n").encode("utf-16-le"))


def big_field(path: Path) -> None:
    rows = duk_rows(12)
    rows[3][6] = "JL. RAYA " + "BLOK A " * 30_000  # 210,000 characters: past the csv module's 131,072
    write_csv(path, DUK_HEADER, rows)


def unclosed_quote(path: Path) -> None:
    lines = csv_bytes(DUK_HEADER, duk_rows(20)).splitlines()
    # row 5's address starts with a quote that is never closed: every line after it falls into that field
    lines[4] = lines[4].replace("KP. CIBEUTEUY NO 3", '"KP. CIBEUTEUY NO 3')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def over_size_limit(path: Path) -> None:
    write_csv(path, DUK_HEADER, [duk_row(i % 40) for i in range(12_000)])  # about 1.3 MB


def shifted_row(path: Path) -> None:
    text = csv_bytes(DUK_HEADER, duk_rows(12))
    lines = text.splitlines()
    # row 6: an unquoted comma inside the address shifts every later cell one column right
    lines[6] = lines[6].replace("KP. CIBEUTEUY NO 5", "KP. CIBEUTEUY, NO 5")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def quoted_newline(path: Path) -> None:
    rows = duk_rows(10)
    rows[2][6] = "KP. CIBEUTEUY NO 2\nRT 001 RW 002"  # Alt+Enter in an Excel cell, saved as CSV
    write_csv(path, DUK_HEADER, rows)


def nik_variants(kinds: list[str]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        rows = duk_rows(12)
        for i, kind in enumerate(kinds):
            value = nik(i)
            rows[i][1] = {
                "scientific": "3.20101E+15",
                "spaced": f"{value[:4]} {value[4:8]} {value[8:12]} {value[12:]}",
                "dotted": f"{value[:6]}.{value[6:12]}.{value[12:]}",
                "15": value[:15],
                "17": value + "7",
            }[kind]
        write_csv(path, DUK_HEADER, rows, delimiter=";")
    return build


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    what: str
    build: Callable[[Path], None]
    outcome: str
    check: str = ""
    warnings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    says: str = ""
    rows: tuple[int, int] | None = None
    limits: ReadLimits = field(default_factory=ReadLimits)
    expect: Callable | None = None


def _names(*expected):
    def check(result):
        assert set(expected) <= set(result.rows["nama"]), sorted(result.rows["nama"])
    return check


def _row_numbers(expected):
    def check(result):
        assert result.rows["row_number"].tolist() == expected
    return check


def _encoding(expected):
    def check(result):
        assert result.files[0].encoding == expected
    return check


def _unknown_columns(expected):
    def check(result):
        assert result.files[0].unknown_columns == expected
    return check


def _all(*checks):
    def check(result):
        for one in checks:
            one(result)
    return check


def _born(row_number, iso):
    def check(result):
        rows = result.rows.set_index("row_number")
        assert rows.loc[row_number, "tanggal_lahir"].strftime("%Y-%m-%d") == iso
    return check


CASES: list[Case] = [
    # --- files that are not what their name says: blocking, naming what they are ---
    Case("html_als_xlsx", "lapas.xlsx", "the portal's 'session expired' page saved as the download",
         raw(HTML_ERROR_PAGE), "blocking", check="berkas_terbaca",
         says="isinya halaman HTML, bukan XLSX (unduhan gagal"),
    Case("html_tabel_als_xls", "lapas_rutan.xls", "a web application's 'Excel' export: an HTML table",
         raw(HTML_TABLE_EXPORT), "blocking", check="berkas_terbaca", says="isinya halaman HTML, bukan XLS"),
    Case("html_als_csv", "disdukcapil.csv", "an HTML error page under .csv",
         raw(HTML_ERROR_PAGE), "blocking", check="berkas_terbaca", says="isinya halaman HTML, bukan CSV"),
    Case("pdf_als_xlsx", "bp2mi.xlsx", "the signed PDF letter instead of the table",
         raw(PDF), "blocking", check="berkas_terbaca", says="isinya dokumen PDF, bukan XLSX"),
    Case("pdf_als_csv", "kua.csv", "a PDF under .csv", raw(PDF), "blocking", check="berkas_terbaca",
         says="isinya dokumen PDF, bukan CSV"),
    Case("jpeg_als_xlsx", "pengadilan.xlsx", "a photo of the printed list",
         raw(JPEG_SCAN), "blocking", check="berkas_terbaca", says="isinya gambar JPEG"),
    Case("teks_als_xlsx", "kua.xlsx", "the portal's plain-text error message",
         raw(b"Maaf, data tidak dapat diunduh saat ini. Silakan coba beberapa saat lagi.\r\n"),
         "blocking", check="berkas_terbaca", says="isinya teks biasa, bukan XLSX"),
    Case("csv_als_xlsx", "disdukcapil.xlsx", "a CSV renamed to .xlsx",
         raw(csv_bytes(DUK_HEADER, duk_rows(3)).encode()), "blocking", check="berkas_terbaca",
         says="isinya teks biasa, bukan XLSX"),
    Case("zip_terpotong", "lapas.xlsx", "a workbook whose download stopped half-way",
         truncated_workbook, "blocking", check="berkas_terbaca", says="arsip ZIP rusak atau terpotong"),
    Case("pk_saja", "lapas.xlsx", "the first two bytes of a workbook and nothing else",
         raw(b"PK"), "blocking", check="berkas_terbaca", says="isinya teks biasa, bukan XLSX"),
    Case("zip_bukan_workbook", "bp2mi.xlsx", "a zip of the workbook, renamed .xlsx",
         raw(zip_of({"DATA PMI JANUARI 2026.xlsx": workbook_bytes(DUK_HEADER, duk_rows(2))})),
         "blocking", check="berkas_terbaca", says="isinya arsip ZIP (DATA PMI JANUARI 2026.xlsx), bukan buku kerja XLSX"),
    Case("docx_als_xlsx", "tni_polri.xlsx", "a Word letter saved under the table's name",
         raw(zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})),
         "blocking", check="berkas_terbaca", says="dokumen Word (.docx)"),
    Case("xls_lama", "lapas.xls", "an Excel 97-2003 workbook",
         raw(ole_file(["Workbook", "\x05SummaryInformation"])), "blocking", check="berkas_terbaca",
         says="buku kerja Excel 97-2003 (.xls) tidak dapat dibaca"),
    Case("xls_bernama_xlsx", "dpmd.xlsx", "an Excel 97-2003 workbook renamed .xlsx",
         raw(ole_file(["Workbook"])), "blocking", check="berkas_terbaca", says="Excel 97-2003 (.xls), bukan XLSX"),
    Case("xlsx_berkata_sandi", "disdukcapil.xlsx", "a password-protected workbook (an encrypted OLE package)",
         raw(ole_file(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])), "blocking",
         check="berkas_terbaca", says="terkunci kata sandi (terenkripsi)"),
    Case("biner_als_csv", "perumahan.csv", "binary data under .csv",
         raw(bytes(range(256)) * 8), "blocking", check="berkas_terbaca", says="data biner"),
    Case("melebihi_batas_ukuran", "disdukcapil.csv", "a file larger than PDPB_MAX_FILE_MB (1 MB here)",
         over_size_limit, "blocking", check="berkas_terbaca", says="lebih besar dari batas 1.0 MB",
         limits=ReadLimits(max_file_bytes=1024 * 1024)),
    # --- empty and header-only files ---
    Case("nol_byte", "kua.csv", "a zero-byte file", raw(b""), "warning", check="berkas_tidak_kosong",
         says="berkas kosong (0 byte)", rows=(0, 0)),
    Case("hanya_spasi", "kua.csv", "only spaces and line breaks", raw(b"  \r\n\r\n \t\n"), "warning",
         check="berkas_tidak_kosong", says="berkas kosong", rows=(0, 0)),
    Case("workbook_kosong", "pengadilan.xlsx", "a workbook with nothing typed in",
         workbook_with_sheets([("Sheet1", []), ("Sheet2", [])]), "warning", check="berkas_tidak_kosong",
         says="berkas kosong", rows=(0, 0)),
    Case("hanya_judul_kolom", "lapas.xlsx", "the template with its header and no row (nothing to report)",
         xlsx_file(LAPAS_HEADER, []), "accepted", rows=(0, 0)),
    Case("satu_baris_bukan_tabel", "disdukcapil.csv", "one line that is no table header ('Data tidak ditemukan')",
         raw(b"Data tidak ditemukan\n"), "blocking", check="kolom_wajib_ada", says="kolom tidak ada: nama"),
    # --- oversized and broken fields ---
    Case("kolom_melebihi_batas_csv", "disdukcapil.csv", "an address of 210,000 characters (past Python's csv limit)",
         big_field, "quarantined", reasons=("kolom_terlalu_panjang",), rows=(11, 1)),
    Case("kutip_tidak_ditutup", "disdukcapil.csv", "a quote opening an address and never closed",
         unclosed_quote, "blocking", check="porsi_karantina", reasons=("tanda_kutip_terbuka",), rows=(3, 1)),
    Case("koma_tanpa_kutip", "disdukcapil.csv", "an unquoted comma inside an address shifts one row",
         shifted_row, "quarantined", reasons=("kolom_berlebih",), rows=(11, 1)),
    # --- encodings ---
    Case("satu_baris_cp1252", "disdukcapil.csv", "one Windows-1252 line ('JOSÉ') in a UTF-8 file",
         cp1252_line_in_utf8, "accepted", warnings=("encoding_cadangan",), rows=(7, 0),
         expect=_all(_encoding("utf-8 (1 baris windows-1252)"), _names("JOSE RAMOS", "RENE SIMANJUNTAK"),
                     lambda r: r.rows.set_index("row_number").loc[7, "peringatan"] == "encoding_cadangan")),
    Case("seluruhnya_cp1252", "disdukcapil.csv", "a whole file saved by Excel as 'CSV (MS-DOS)' in Windows-1252",
         whole_cp1252, "accepted", warnings=("encoding_cadangan",), rows=(3, 0),
         expect=_all(_encoding("utf-8 (2 baris windows-1252)"), _names("JOSE NUNEZ", "FRANCOIS", "BUDI"))),
    Case("utf16_unicode_text", "lapas.txt", "Excel's 'Unicode Text': UTF-16 LE, tab separated, CRLF",
         utf16_unicode_text, "accepted", rows=(5, 0), expect=_all(_encoding("utf-16"), _names("ZOE"))),
    Case("bom_crlf", "disdukcapil.csv", "UTF-8 with BOM and CRLF line ends (Excel 'CSV UTF-8')",
         raw(b"\xef\xbb\xbf" + csv_bytes(DUK_HEADER, duk_rows(5)).replace("\n", "\r\n").encode()), "accepted",
         rows=(5, 0), expect=_all(_encoding("utf-8"), _row_numbers([2, 3, 4, 5, 6]))),
    Case("nama_beraksen", "kua.xlsx", "names with accents and letters of other alphabets",
         xlsx_file(["NIK", "Nama Mempelai", "Tgl Lahir", "Tempat Lahir", "Alamat"],
                   [[nik(1, "P", dt.date(2009, 3, 1)), "JOSÉ ÑUÑEZ", "01-03-2009", "MÁLAGA", "JL. SØNDERGÅRD"],
                    [nik(2, "P", dt.date(2009, 4, 2)), "Søren Straße", "02-04-2009", "KÖLN", "JL. MÜLLER"],
                    [nik(3, "P", dt.date(2009, 5, 3)), "Łucja Đorđević", "03-05-2009", "BOGOR", "KP. ŒUVRE"]]),
         "accepted", rows=(3, 0),
         expect=_all(_names("JOSE NUNEZ", "SOREN STRASSE", "LUCJA DORDEVIC"),
                     lambda r: r.rows["tempat_lahir"].tolist()[:2] == ["MALAGA", "KOLN"]
                     and r.rows["alamat"].tolist()[0] == "JL. SONDERGARD")),
    # --- layouts agencies really use ---
    Case("baris_judul_di_atas", "disdukcapil.xlsx", "a title row and a blank row above the header",
         xlsx_file(DUK_HEADER, duk_rows(4), title="LAPORAN MUTASI PENDUDUK KABUPATEN BOGOR JANUARI 2026"),
         "accepted", rows=(4, 0), expect=_row_numbers([4, 5, 6, 7])),
    Case("judul_digabung_kolom_kosong", "lapas.xlsx", "merged title cells and a blank header cell",
         merged_title_blank_header, "accepted", rows=(6, 0),
         expect=_all(_row_numbers([5, 6, 7, 8, 9, 10]), _unknown_columns(["No", "kolom_7"]))),
    Case("titik_koma_excel_indonesia", "disdukcapil.csv", "semicolons from Excel with Indonesian regional settings",
         csv_file(DUK_HEADER, duk_rows(6), delimiter=";", encoding="cp1252"), "accepted", rows=(6, 0)),
    Case("lembar_kosong_dulu", "lapas.xlsx", "an empty first sheet, the data on the second",
         workbook_with_sheets([("Sheet1", []), ("DATA", [LAPAS_HEADER] + [lapas_row(i) for i in range(3)])]),
         "accepted", rows=(3, 0)),
    Case("lembar_keterangan_dulu", "lapas.xlsx", "a cover sheet with a note first, the data on the second",
         workbook_with_sheets([("KETERANGAN", [["Data per 31 Januari 2026"], ["Dikirim oleh: Seksi Registrasi"]]),
                               ("DATA WBP", [LAPAS_HEADER] + [lapas_row(i) for i in range(3)])]),
         "accepted", rows=(3, 0)),
    Case("lembar_per_kecamatan", "lapas.xlsx", "one sheet per kecamatan with the same table",
         workbook_with_sheets([("CIBINONG", [LAPAS_HEADER] + [lapas_row(i) for i in range(3)]),
                               ("CITEUREUP", [LAPAS_HEADER] + [lapas_row(i) for i in range(3, 5)])]),
         "blocking", check="berkas_terbaca", says="tabel yang sama ada di beberapa lembar: CIBINONG (3 baris), CITEUREUP (2 baris)"),
    Case("kolom_tambahan", "lapas.xlsx", "extra columns no feed knows (PERKARA, BLOK)",
         xlsx_file(LAPAS_HEADER + ["PERKARA", "BLOK"], [lapas_row(i) + ["PASAL 362", "B"] for i in range(3)]),
         "accepted", rows=(3, 0), expect=_unknown_columns(["No", "PERKARA", "BLOK"])),
    Case("baris_baru_dalam_kutip", "disdukcapil.csv", "an address with a line break inside quotes",
         quoted_newline, "accepted", rows=(10, 0), expect=_row_numbers(list(range(2, 12)))),
    Case("tanggal_ddmmyyyy_dan_serial", "disdukcapil.csv", "birth dates as DD/MM/YYYY and as Excel serial numbers",
         csv_file(DUK_HEADER, [duk_row(0)[:4] + ["07/05/1990"] + duk_row(0)[5:],
                               duk_row(1)[:4] + [str(excel_serial(dt.date(1980, 2, 7)))] + duk_row(1)[5:]]),
         "accepted", rows=(2, 0), expect=_all(_born(2, "1990-05-07"), _born(3, "1980-02-07"))),
    # --- NIKs as typed ---
    Case("nik_notasi_ilmiah", "disdukcapil.csv", "a NIK Excel turned into 3.20101E+15",
         nik_variants(["scientific"]), "accepted", warnings=(nikmod.NIK_FORMAT,), rows=(12, 0)),
    Case("nik_spasi_titik", "disdukcapil.csv", "NIKs typed with spaces and dots",
         nik_variants(["spaced", "dotted"]), "accepted", rows=(12, 0),
         expect=lambda r: (r.rows["nik_status"] == "valid").all() and r.rows["nik"].tolist()[:2] == NIKS[:2]),
    Case("nik_15_dan_17_digit", "disdukcapil.csv", "NIKs with a digit missing and a digit too many",
         nik_variants(["15", "17"]), "accepted", warnings=(nikmod.NIK_FORMAT,), rows=(12, 0),
         expect=lambda r: r.rows["nik_status"].tolist()[:2] == [nikmod.NIK_FORMAT] * 2),
    # --- rows that are not persons, or not usable ---
    Case("baris_jumlah", "disdukcapil.xlsx", "a total row under the table",
         xlsx_file(DUK_HEADER, duk_rows(8) + [["JUMLAH", "", "", "", "", "", "", "", "8", ""]]),
         "quarantined", reasons=("baris_jumlah",), rows=(8, 1)),
    Case("baris_ganda", "disdukcapil.csv", "rows pasted twice",
         csv_file(DUK_HEADER, duk_rows(8) + [duk_row(2), duk_row(3)]), "quarantined",
         reasons=("baris_ganda",), rows=(8, 2)),
    Case("peristiwa_tidak_dikenal", "disdukcapil.csv", "an event word the feed does not know ('GHAIB')",
         csv_file(DUK_HEADER, duk_rows(9) + [duk_row(9, event="GHAIB")]), "quarantined",
         reasons=("peristiwa_tidak_dikenal",), rows=(9, 1)),
    Case("identitas_tidak_cukup", "disdukcapil.csv", "a row with neither a NIK nor a birth date",
         csv_file(DUK_HEADER, duk_rows(9) + [[10, "", "", "TANPA IDENTITAS", "", "L", "", "", "MENINGGAL", ""]]),
         "quarantined", reasons=("identitas_tidak_cukup",), rows=(9, 1)),
    Case("kolom_wajib_hilang", "tni_polri.csv", "a personnel list without name or event columns",
         csv_file(["NRP", "PANGKAT", "KESATUAN"], [["11223344", "SERDA", "KODIM 0621"], ["55667788", "BRIPDA", "POLRES"]]),
         "blocking", check="kolom_wajib_ada", reasons=("kolom_wajib_tidak_ada",), says="kolom tidak ada: nama",
         rows=(0, 2)),
    Case("xlsx_bernama_csv", "perumahan.csv", "a real workbook saved under .csv (read as the workbook it is)",
         raw(workbook_bytes(["NIK", "NAMA", "TGL LAHIR", "ALAMAT UNIT", "Desa/Kelurahan"],
                            [[nik(1), "SITI AMINAH", "07-05-1990", "RUSUNAWA BLOK A NO 3", "Pondok Rajeg"]])),
         "accepted", rows=(1, 0), expect=_encoding("xlsx")),
    # --- files no feed reads ---
    Case("nama_tidak_dikenal", "laporan_bulanan_januari.xlsx", "a file whose name matches no agency",
         xlsx_file(DUK_HEADER, duk_rows(2)), "unrecognised", says="nama tidak cocok dengan instansi"),
    Case("pdf_di_folder", "lapas.pdf", "the cover letter as PDF next to the data",
         raw(PDF), "unrecognised", says="jenis berkas .pdf tidak dibaca"),
    Case("zip_di_folder", "semua_instansi.zip", "all files zipped together",
         raw(zip_of({"lapas.xlsx": b"x"})), "unrecognised", says="jenis berkas .zip tidak dibaca"),
    Case("docx_di_folder", "disdukcapil_surat.docx", "a Word letter", raw(zip_of({"word/document.xml": b"x"})),
         "unrecognised", says="jenis berkas .docx tidak dibaca"),
]
