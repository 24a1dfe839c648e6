"""Reading an agency's file into rows of text, whatever the agency sent.

CSV in UTF-8 (with or without BOM) or Windows-1252, separated by comma, semicolon, tab or
pipe; XLSX (first sheet that has a recognisable header). Title rows above the header are
skipped; every data row keeps the row number a data officer sees when opening the file
(the header is the row it is on, counting from 1). Cells come back as text: Excel dates as
ISO dates, Excel numbers without a trailing ``.0``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

HEADER_SEARCH_ROWS = 15


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message says why."""


@dataclass
class RawTable:
    """A file's header (as written) and data rows as text; ``row_numbers`` as in the file."""

    header: list[str]
    rows: pd.DataFrame
    row_numbers: list[int]
    encoding: str


def read_table(path: Path, header_map: dict[str, str], normalize) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        return RawTable(header=[], rows=pd.DataFrame(), row_numbers=[], encoding="")
    if data[:4] == b"PK\x03\x04":
        grid, encoding = _xlsx_grid(path, data), "xlsx"
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile("old Excel 97-2003 (.xls) workbook: save it as .xlsx or CSV")
    else:
        grid, encoding = _csv_grid(data)
    return _with_header(grid, encoding, header_map, normalize)


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16"), "utf-16"
        raise UnreadableFile("binary content: not a CSV or XLSX file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def _csv_grid(data: bytes) -> tuple[list[list[str]], str]:
    text, encoding = _decode(data)
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS + 5])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = max(",;\t|", key=sample.count)
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    if printable < 0.95 * min(len(text), 4096):
        raise UnreadableFile("binary content: not a CSV or XLSX file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [row for row in reader], encoding


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


def _xlsx_grid(path: Path, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(f"damaged or not an XLSX workbook ({type(error).__name__})") from None
    try:
        grids = [[[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]
    finally:
        book.close()
    # The first sheet that has rows (agencies sometimes leave an empty cover sheet first).
    for grid in grids:
        if any(any(c.strip() for c in row) for row in grid):
            return grid
    return []


def _with_header(grid: list[list[str]], encoding: str, header_map: dict[str, str], normalize) -> RawTable:
    best, best_hits = None, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = len({header_map[normalize(c)] for c in row if normalize(c) in header_map})
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        if not any(any(c.strip() for c in row) for row in grid):
            return RawTable(header=[], rows=pd.DataFrame(), row_numbers=[], encoding=encoding)
        best = 0  # no known header: the first row is the header; required columns will be missing
    header = [c.strip() for c in grid[best]]
    width = len(header)
    body = grid[best + 1:]
    while body and not any(c.strip() for c in body[-1]):
        body = body[:-1]  # formatting left below the data is not a row the agency sent
    rows = [(r + [""] * width)[:width] for r in body]
    names = [h if h else f"kolom_{i + 1}" for i, h in enumerate(header)]
    frame = pd.DataFrame(rows, columns=_unique(names), dtype=object) if rows else pd.DataFrame(columns=_unique(names))
    row_numbers = list(range(best + 2, best + 2 + len(rows)))
    return RawTable(header=header, rows=frame, row_numbers=row_numbers, encoding=encoding)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}_{count + 1}")
        seen[name] = count + 1
    return out
