"""Reading an agency's file into rows of text, whatever the agency sent.

The content decides how a file is read, not its name: the first bytes say whether it is a
workbook (XLSX), text (CSV in UTF-8, UTF-16 or Windows-1252, separated by comma, semicolon,
tab or pipe) or something else. Something else is refused with a message saying what the file
really is: an HTML page (what a portal returns when a download fails), a PDF, an image, a
corrupt or truncated zip, a zip that is not a workbook, an old Excel 97-2003 (.xls) or a
password-protected workbook (both OLE files), binary data. A file named ``.xlsx`` that holds
text is refused too: a workbook never does, so it is a failed download or a renamed file. A
real workbook named ``.csv`` or ``.xls`` is read as the workbook it is (nothing can be misread).

Limits (``ReadLimits``, from ``resources.settings``): a file larger than ``max_file_bytes`` is refused
from its size before it is read; a field of any length is read without error (the ingest
quarantines rows whose fields pass ``max_field_chars``).

Text is decoded per file by trying UTF-8 first. Where some lines are not UTF-8, only those
lines are decoded as Windows-1252, and the rows they belong to are reported
(``RawTable.fallback_rows``); the file's encoding then reads ``utf-8 (3 baris windows-1252)``.

XLSX: the first sheet with a recognisable header (agencies leave empty or cover sheets first).
Title rows above the header are skipped; every data row keeps the row number a data officer sees
when opening the file (the header is the row it is on, counting from 1; a CSV record with a
newline inside a quoted field is one row, as Excel shows it). Cells come back as text: Excel
dates as ISO dates, Excel numbers without a trailing ``.0``. A file with no non-blank cell at all
(zero bytes, only spaces or empty lines, only empty sheets) is ``RawTable.empty``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

HEADER_SEARCH_ROWS = 15
SNIFF_CHARS = 32_768
FALLBACK_ENCODING = "windows-1252"
#: A workbook whose unpacked content passes this many times the file-size limit is refused
#: (a zip bomb, or a sheet far beyond anything an agency sends).
MAX_UNPACKED_RATIO = 20


@dataclass(frozen=True)
class ReadLimits:
    """How big a file and a field may be; the deployment sets them (``resources.settings``)."""

    max_file_bytes: int = 200 * 1024 * 1024
    #: Excel's own limit for one cell: no honest spreadsheet cell is longer.
    max_field_chars: int = 32_767


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says what it is instead."""


@dataclass
class RawTable:
    """A file's header (as written) and data rows as text; ``row_numbers`` as in the file."""

    header: list[str]
    rows: pd.DataFrame
    row_numbers: list[int]
    encoding: str
    #: Nothing in the file but blanks (zero bytes, spaces, empty lines or sheets).
    empty: bool = False
    #: Some header cell is one of the feed's known column names.
    header_found: bool = False
    #: Row numbers (as in ``row_numbers``) decoded with the fallback encoding.
    fallback_rows: set[int] = field(default_factory=set)
    #: Row number -> the non-blank cells a row has beyond the header's width.
    overflow: dict[int, list[str]] = field(default_factory=dict)
    #: Row number -> (column, lines): a quoted field that holds whole lines of the file, as when
    #: a quote opens a field and is never closed (the rows after it are read into that field).
    swallowed: dict[int, tuple[str, int]] = field(default_factory=dict)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def read_table(path: Path, header_map: dict[str, str], normalize, limits: ReadLimits = ReadLimits()) -> RawTable:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            f"berkas {megabytes(size)}, lebih besar dari batas {megabytes(limits.max_file_bytes)} "
            "(PDPB_MAX_FILE_MB): tidak dibaca; pecah berkasnya atau naikkan batasnya")
    data = path.read_bytes()
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        return _empty("")
    suffix = path.suffix.lower()
    kind, what = sniff(data)
    if kind == "xlsx":
        grid, encoding, fallback, delimiter = (
            _choose_sheet(_xlsx_grids(data, limits), header_map, normalize), "xlsx", set(), "")
    elif kind == "text":
        if suffix in (".xlsx", ".xlsm"):
            raise UnreadableFile(
                "isinya teks biasa, bukan XLSX (berkas CSV atau pesan galat yang diberi nama .xlsx?): "
                "simpan ulang dari Excel sebagai .xlsx, atau kirim sebagai .csv")
        grid, encoding, fallback, delimiter = _csv_grid(data)
    else:
        expected = {".xlsx": "XLSX", ".xlsm": "XLSX", ".xls": "XLS", ".csv": "CSV", ".txt": "CSV"}.get(suffix, "CSV/XLSX")
        what = what.format(expected=expected)
        if suffix == ".xls" and "(.xls), bukan XLS" in what:  # it is what its name says, and still unread
            what = "buku kerja Excel 97-2003 (.xls) tidak dapat dibaca: simpan ulang sebagai .xlsx atau CSV"
        raise UnreadableFile(what)
    return _with_header(grid, encoding, fallback, header_map, normalize, delimiter)


def _empty(encoding: str) -> RawTable:
    return RawTable(header=[], rows=pd.DataFrame(), row_numbers=[], encoding=encoding, empty=True)


# --- what the bytes are ---------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC = (
    (b"%PDF", "isinya dokumen PDF, bukan {expected}: minta instansi mengirim CSV atau XLSX"),
    (b"\x89PNG", "isinya gambar PNG, bukan {expected} (hasil pindai?)"),
    (b"\xff\xd8\xff", "isinya gambar JPEG, bukan {expected} (hasil pindai?)"),
    (b"GIF8", "isinya gambar GIF, bukan {expected}"),
    (b"Rar!", "isinya arsip RAR, bukan {expected}: ekstrak dulu isinya"),
    (b"7z\xbc\xaf\x27\x1c", "isinya arsip 7-Zip, bukan {expected}: ekstrak dulu isinya"),
    (b"\x1f\x8b", "isinya arsip gzip, bukan {expected}: ekstrak dulu isinya"),
    (b"{\\rtf", "isinya dokumen RTF, bukan {expected}"),
)


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff(data: bytes) -> tuple[str, str]:
    """``("xlsx" | "text" | "other", what it is)``; the text of "other" takes ``{expected}``."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _sniff_zip(data)
    if data[:8] == _OLE:
        return "other", _sniff_ole(data)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return "other", what
    try:
        head = _decode_head(data)
    except UnreadableFile as error:
        return "other", str(error)
    lowered = head.lstrip().lower()
    if lowered.startswith("<"):
        if lowered.startswith(("<!doctype html", "<html")) or any(
            tag in lowered[:4096] for tag in ("<html", "<head", "<body", "<table", "<meta", "<script", "<title")
        ):
            return "other", "isinya halaman HTML, bukan {expected} (unduhan gagal atau laporan web yang disimpan?)"
        if "<workbook" in lowered[:4096] or "urn:schemas-microsoft-com:office:spreadsheet" in lowered[:4096]:
            return "other", "isinya XML Spreadsheet 2003, bukan {expected}: simpan ulang sebagai .xlsx atau CSV"
        if lowered.startswith("<?xml"):
            return "other", "isinya dokumen XML, bukan {expected}"
    sample = head[:4096]
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
    if printable < 0.95 * len(sample):
        return "other", "isinya data biner yang tidak dikenal, bukan {expected}"
    return "text", "teks"


def _sniff_zip(data: bytes) -> tuple[str, str]:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return "other", "arsip ZIP rusak atau terpotong, bukan {expected} yang utuh (unduhan terputus?)"
    if "xl/workbook.xml" in names:
        return "xlsx", "XLSX"
    if "word/document.xml" in names:
        return "other", "isinya dokumen Word (.docx), bukan {expected}"
    if "ppt/presentation.xml" in names:
        return "other", "isinya presentasi PowerPoint (.pptx), bukan {expected}"
    if "content.xml" in names and "mimetype" in names:
        return "other", "isinya dokumen OpenDocument (.ods/.odt), bukan {expected}: simpan ulang sebagai .xlsx atau CSV"
    shown = ", ".join(names[:5]) + (f" dan {len(names) - 5} lainnya" if len(names) > 5 else "")
    shown = shown.replace("{", "{{").replace("}", "}}")  # the text is formatted with {expected}
    return "other", f"isinya arsip ZIP ({shown or 'kosong'}), bukan buku kerja {{expected}}: ekstrak dulu isinya"


def _sniff_ole(data: bytes) -> str:
    """An OLE compound file: its directory names its streams (UTF-16)."""
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return ("isinya buku kerja terkunci kata sandi (terenkripsi), bukan {expected} yang dapat dibaca: "
                "buka kuncinya di Excel lalu simpan ulang tanpa kata sandi")
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "isinya buku kerja Excel 97-2003 (.xls), bukan {expected}: simpan ulang sebagai .xlsx atau CSV"
    if _utf16("WordDocument") in data:
        return "isinya dokumen Word 97-2003 (.doc), bukan {expected}"
    return "isinya dokumen Office lama (OLE) yang bukan tabel, bukan {expected}: simpan ulang sebagai .xlsx atau CSV"


# --- text ------------------------------------------------------------------------------------

def _utf16_kind(data: bytes) -> str | None:
    if data[:2] == codecs.BOM_UTF16_LE:
        return "utf-16-le"
    if data[:2] == codecs.BOM_UTF16_BE:
        return "utf-16-be"
    sample = data[:4096]
    if len(sample) >= 8 and b"\x00" in sample:  # UTF-16 without its mark: every other byte zero
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _decode_head(data: bytes) -> str:
    """The first characters of a text file, to tell what it is."""
    kind = _utf16_kind(data)
    if kind:
        return data[:SNIFF_CHARS].removeprefix(codecs.BOM_UTF16_LE).removeprefix(codecs.BOM_UTF16_BE).decode(
            kind, errors="replace")
    if b"\x00" in data[:4096]:
        raise UnreadableFile("isinya data biner yang tidak dikenal, bukan {expected}")
    return data[:SNIFF_CHARS].removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")


def _decode_lines(data: bytes) -> tuple[list[str], str, set[int]]:
    """The file's lines (ends kept), its encoding and the lines (1-based) decoded with the fallback."""
    kind = _utf16_kind(data)
    if kind:
        body = data.removeprefix(codecs.BOM_UTF16_LE if kind == "utf-16-le" else codecs.BOM_UTF16_BE)
        try:
            text = body.decode(kind)
        except UnicodeDecodeError as error:
            raise UnreadableFile(f"teks UTF-16 rusak di byte {error.start}") from None
        return list(io.StringIO(text, newline="")), "utf-16", set()
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return list(io.StringIO(body.decode("utf-8"), newline="")), "utf-8", set()
    except UnicodeDecodeError:
        pass
    lines, fallback = [], set()
    for number, line in enumerate(body.splitlines(keepends=True), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode(FALLBACK_ENCODING, errors="replace"))
            fallback.add(number)
    return lines, "utf-8", fallback


def _delimiter(lines: list[str]) -> str:
    sample = "".join(lines[:HEADER_SEARCH_ROWS + 5])[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return max(",;\t|", key=sample.count)


def _csv_grid(data: bytes) -> tuple[list[list[str]], str, set[int], str]:
    lines, encoding, fallback_lines = _decode_lines(data)
    delimiter = _delimiter(lines)
    # A field may be as long as the file: the csv module must not stop on it (the ingest
    # quarantines rows with over-long fields). Raising the process-wide limit only ever grows it.
    if csv.field_size_limit() < len(data) + 1:
        csv.field_size_limit(len(data) + 1)
    reader = csv.reader(iter(lines), delimiter=delimiter)
    grid: list[list[str]] = []
    fallback_records: set[int] = set()
    last_line = 0
    try:
        for record in reader:
            if fallback_lines and any(n in fallback_lines for n in range(last_line + 1, reader.line_num + 1)):
                fallback_records.add(len(grid))
            last_line = reader.line_num
            grid.append(record)
    except csv.Error as error:
        raise UnreadableFile(f"CSV rusak di baris {reader.line_num}: {error}") from None
    return grid, encoding, fallback_records, delimiter


# --- workbooks -------------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _xlsx_grids(data: bytes, limits: ReadLimits) -> list[tuple[str, list[list[str]]]]:
    from openpyxl import load_workbook

    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    if unpacked > MAX_UNPACKED_RATIO * limits.max_file_bytes:
        raise UnreadableFile(
            f"isi buku kerja {megabytes(unpacked)} setelah dibuka, lebih dari {MAX_UNPACKED_RATIO}x batas "
            f"{megabytes(limits.max_file_bytes)} (PDPB_MAX_FILE_MB): tidak dibaca")
    # openpyxl parses untrusted XML: whatever it raises on a damaged workbook means the same.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - see above
        raise UnreadableFile(f"buku kerja XLSX rusak, tidak dapat dibuka ({type(error).__name__})") from None
    try:
        return [(sheet.title, [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)])
                for sheet in book.worksheets]
    except Exception as error:  # noqa: BLE001 - see above
        raise UnreadableFile(f"buku kerja XLSX rusak, lembar tidak dapat dibaca ({type(error).__name__})") from None
    finally:
        book.close()


def _blank(grid: list[list[str]]) -> bool:
    return not any(any(c.strip() for c in row) for row in grid)


def _header_row(grid: list[list[str]], header_map: dict[str, str], normalize) -> tuple[int | None, int]:
    best, best_hits = None, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = len({header_map[normalize(c)] for c in row if normalize(c) in header_map})
        if hits > best_hits:
            best, best_hits = index, hits
    return best, best_hits


def _fields(grid: list[list[str]], header_map: dict[str, str], normalize) -> tuple[int | None, frozenset[str]]:
    index, _ = _header_row(grid, header_map, normalize)
    if index is None:
        return None, frozenset()
    return index, frozenset(header_map[normalize(c)] for c in grid[index] if normalize(c) in header_map)


def _choose_sheet(sheets: list[tuple[str, list[list[str]]]], header_map: dict[str, str], normalize) -> list[list[str]]:
    """The first sheet with a recognisable header, else the first sheet with anything in it.

    Another sheet with the same table (the same known columns, and rows under them: one sheet
    per kecamatan) is not silently left out: the file is refused, saying which sheets."""
    filled = [(title, g) for title, g in sheets if not _blank(g)]
    for position, (title, grid) in enumerate(filled):
        index, fields = _fields(grid, header_map, normalize)
        if index is None:
            continue
        others = []
        for other_title, other in filled[position + 1:]:
            other_index, other_fields = _fields(other, header_map, normalize)
            if other_index is not None and other_fields == fields:
                rows = sum(any(c.strip() for c in r) for r in other[other_index + 1:])
                if rows:
                    others.append(f"{other_title} ({rows} baris)")
        if others:
            rows = sum(any(c.strip() for c in r) for r in grid[index + 1:])
            raise UnreadableFile(
                f"tabel yang sama ada di beberapa lembar: {title} ({rows} baris), {', '.join(others)}; "
                "hanya satu lembar yang dibaca per berkas: gabungkan ke satu lembar, atau kirim satu berkas per lembar "
                "bernama <instansi>_<nama lembar>.xlsx")
        return grid
    return filled[0][1] if filled else []


def _with_header(grid, encoding, fallback_records, header_map, normalize, delimiter="") -> RawTable:
    if _blank(grid):
        return _empty(encoding)
    best, _ = _header_row(grid, header_map, normalize)
    found = best is not None
    if best is None:  # no known header: the first row with anything is; required columns will be missing
        best = next(i for i, row in enumerate(grid) if any(c.strip() for c in row))
    header = [c.strip() for c in grid[best]]
    width = len(header)
    body = grid[best + 1:]
    while body and not any(c.strip() for c in body[-1]):
        body = body[:-1]  # formatting left below the data is not a row the agency sent
    rows = [(r + [""] * width)[:width] for r in body]
    row_numbers = list(range(best + 2, best + 2 + len(rows)))
    # Cells beyond the header's width (an unquoted separator inside a field shifts the row):
    # kept, so the ingest can quarantine the row with them.
    overflow = {row_numbers[i]: [c for c in r[width:] if c.strip()] for i, r in enumerate(body)
                if any(c.strip() for c in r[width:])}
    names = [h if h else f"kolom_{i + 1}" for i, h in enumerate(header)]
    frame = pd.DataFrame(rows, columns=_unique(names), dtype=object) if rows else pd.DataFrame(columns=_unique(names))
    fallback = {i + 1 for i in fallback_records if best < i < best + 1 + len(rows)}
    swallowed = {}
    if delimiter and width > 2:
        for number, row in zip(row_numbers, rows):
            for name, cell in zip(names, row):
                if "\n" in cell or "\r" in cell:
                    looks_like_rows = [ln for ln in cell.splitlines()[1:] if ln.count(delimiter) >= width - 2]
                    if looks_like_rows:
                        swallowed[number] = (name, len(looks_like_rows))
                        break
    if fallback:
        encoding = f"{encoding} ({len(fallback)} baris {FALLBACK_ENCODING})"
    return RawTable(header=header, rows=frame, row_numbers=row_numbers, encoding=encoding,
                    header_found=found, fallback_rows=fallback, overflow=overflow, swallowed=swallowed)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}_{count + 1}")
        seen[name] = count + 1
    return out
