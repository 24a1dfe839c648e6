"""Reproducible XLSX files, written fast: the same content gives the same bytes.

A published roll runs to a million rows; openpyxl needs minutes for that. This writer renders
each column once (text checked and escaped in one pass over the joined column, integers and
dates once per distinct value), weaves the cells into rows with constant markup in one join per block
of rows (inline strings, numbers, real date cells), and zips it with fixed timestamps, so a
re-run month publishes byte-identical workbooks and checksums stay meaningful. openpyxl and
Excel read the result.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

EXCEL_MAX_ROWS = 1_048_576
_EPOCH = np.datetime64("1899-12-30")
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
# Style ids in styles.xml: 0 plain, 1 bold (titles, header), 2 date (DD/MM/YYYY).
_BOLD, _DATE = 1, 2


@dataclass
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence] | pd.DataFrame
    #: Lines above the table (a Berita Acara attachment's title block).
    title: Sequence[str] = field(default_factory=tuple)


def write_workbook(path: Path, sheets: Sequence[Sheet], creator: str = "pdpb-pipeline") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [_sheet_name(s.name, i) for i, s in enumerate(sheets)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        _put(book, "[Content_Types].xml", _content_types(len(sheets)))
        _put(book, "_rels/.rels", _ROOT_RELS)
        _put(book, "docProps/core.xml", _CORE.format(creator=_escape(creator)))
        _put(book, "xl/workbook.xml", _workbook(names))
        _put(book, "xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        _put(book, "xl/styles.xml", _STYLES)
        for index, sheet in enumerate(sheets, start=1):
            _put(book, f"xl/worksheets/sheet{index}.xml", _sheet_xml(sheet))


def chunks(rows: pd.DataFrame, size: int = EXCEL_MAX_ROWS - 10) -> list[pd.DataFrame]:
    """Splits rows so no sheet passes Excel's row limit (title and header included)."""
    return [rows.iloc[i:i + size] for i in range(0, max(len(rows), 1), size)]


def _put(book: zipfile.ZipFile, name: str, text: str | Iterable[str]) -> None:
    """One zip entry: the text, or its parts in turn, stored as ``writestr`` stores the whole.

    A sheet comes in parts, each encoded as soon as it is made, so it never exists as one giant
    string next to its UTF-8 copy; the size is known before writing, so Zip64 is used exactly
    when ``writestr`` would use it.
    """
    data = [text.encode("utf-8")] if isinstance(text, str) else [part.encode("utf-8") for part in text]
    entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry._compresslevel = 1  # as writestr(compresslevel=1) sets it (3.13+ keeps this name as an alias)
    entry.external_attr = 0o600 << 16
    entry.create_system = 0
    entry.file_size = sum(map(len, data))
    with book.open(entry, "w") as out:
        for i, part in enumerate(data):
            out.write(part)
            data[i] = b""  # freed as soon as it is compressed


def _sheet_name(name: str, index: int) -> str:
    clean = "".join(ch for ch in name if ch not in '[]:*?/\\')[:31]
    return clean or f"Sheet{index + 1}"


_INVALID_XML = "".join(chr(c) for c in range(32) if c not in (9, 10, 13))
_STRIP = str.maketrans("", "", _INVALID_XML)
_NEEDS_ESCAPE = re.compile(f"[&<>{_INVALID_XML}]")
_TEXT_OPEN, _TEXT_CLOSE = '<c t="inlineStr"><is><t>', "</t></is></c>"
_KEPT_OPEN = '<c t="inlineStr"><is><t xml:space="preserve">'
#: Data rows per part of a sheet (see _put).
_ROWS_PER_PART = 32_768


def _escape(text: str) -> str:
    return text.translate(_STRIP).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _keeps_space(text: str) -> bool:
    """Whether whitespace in the text must be marked ``xml:space="preserve"`` to survive Excel:
    at either end, tabs and line breaks, runs of spaces (most names and addresses have none).
    """
    return text != text.strip(" \t\n\r") or "\t" in text or "\n" in text or "\r" in text or "  " in text


def _text_column(texts: list[str]) -> tuple[str, list[str], str]:
    """A column of str as inline-string cells: the escaped texts between constant markup.

    What the column needs is found once over the joined column, mostly by vector scans of its
    UTF-8 bytes (a byte below 128 in UTF-8 is always that ASCII character): escaping, and
    ``xml:space`` (kept for the whole column when any text needs it).
    """
    joined = "\n".join(texts)
    raw = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    breaks = raw == 10
    lines = int(np.count_nonzero(breaks))
    single_lines = lines == len(texts) - 1  # no text holds a line break
    tabs_crs = joined.count("\t") + joined.count("\r")
    invalid = int(np.count_nonzero(raw < 32)) > lines + tabs_crs and _NEEDS_ESCAPE.search(joined) is not None
    if not single_lines or tabs_crs:
        keep = True
    elif not invalid:  # a space at either end of a text, or two in a row
        space = raw == 32
        keep = bool(len(raw) and (raw[0] == 32 or raw[-1] == 32 or (space[:-1] & (space[1:] | breaks[1:])).any()
                                  or (breaks[:-1] & space[1:]).any()))
    if invalid or "&" in joined or "<" in joined or ">" in joined:
        texts = _escape(joined).split("\n") if single_lines else [_escape(t) for t in texts]
    if invalid and single_lines and not tabs_crs:
        keep = any(map(_keeps_space, texts))  # dropping a character can bring spaces together
    return (_KEPT_OPEN if keep else _TEXT_OPEN), texts, _TEXT_CLOSE


def _text_cell(text: str, style: int = 0) -> str:
    attr = f' s="{style}"' if style else ""
    text = _escape(text)
    space = ' xml:space="preserve"' if _keeps_space(text) else ""
    return f'<c t="inlineStr"{attr}><is><t{space}>{text}</t></is></c>'


def _value_cell(value) -> str:
    """One cell of any type, for columns that mix types (agency files)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "<c/>"
    if isinstance(value, bool):
        return _text_cell(str(value))
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        day = value.date() if isinstance(value, (dt.datetime, pd.Timestamp)) else value
        return f'<c s="{_DATE}"><v>{(day - dt.date(1899, 12, 30)).days}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f"<c><v>{int(value)}</v></c>"
    if isinstance(value, (float, np.floating)):
        # A float is written as its shortest text: full 17-digit renderings read like a NIK.
        return "<c/>" if math.isnan(value) else _text_cell(repr(float(value)))
    return _text_cell(str(value))


def _column_cells(values: pd.Series) -> tuple[str, list[str], str]:
    """One column as ``(markup before, per-row texts, markup after)``: each cell is the three joined.

    A text column gives its (escaped) values between the inline-string markup; any other column
    gives whole cells, for numbers and dates each distinct value rendered once and spread by
    its codes (ages repeat).
    """
    array = values.to_numpy()
    if array.dtype == object and pd.api.types.infer_dtype(array, skipna=False) == "string":
        return _text_column(array.tolist())
    if pd.api.types.is_datetime64_any_dtype(values):
        # Days since Excel's epoch, from the UTC day for a zoned column (as numpy counts them).
        days = (values.values.astype("datetime64[D]") - _EPOCH).astype("int64")
        codes, uniques = pd.factorize(days)
        rendered = np.array([f'<c s="{_DATE}"><v>{d}</v></c>' for d in uniques.tolist()], dtype=object)[codes]
        rendered[values.isna().to_numpy()] = "<c/>"
        return "", rendered.tolist(), ""
    if pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values):
        # Equal values render alike (not so in a mixed column, where 1 == 1.0 == True).
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        rendered = np.array([_value_cell(v) for v in uniques] + ["<c/>"], dtype=object)
        return "", rendered[codes].tolist(), ""
    return "", [_value_cell(v) for v in values.astype(object).tolist()], ""


def _sheet_xml(sheet: Sheet) -> Iterator[str]:
    """The sheet's XML in parts: title block and header, then the data rows a part at a time."""
    frame = sheet.rows if isinstance(sheet.rows, pd.DataFrame) else pd.DataFrame(
        list(sheet.rows), columns=range(len(sheet.header)), dtype=object)
    if not isinstance(sheet.rows, pd.DataFrame) and len(frame):
        frame = frame.infer_objects()
    lines = []
    for line in sheet.title:
        lines.append(f"<row>{_text_cell(line, _BOLD)}</row>")
    if sheet.title:
        lines.append("<row/>")
    lines.append("<row>" + "".join(_text_cell(str(h), _BOLD) for h in sheet.header) + "</row>")
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           + "\n".join(lines))
    if len(frame):
        yield from _data_rows([_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])], len(frame))
    yield "</sheetData></worksheet>"


def _data_rows(columns: list[tuple[str, list[str], str]], count: int) -> Iterator[str]:
    """``\n<row>cells</row>`` per row: one ``"".join`` of markup and values, interleaved by slicing."""
    if not columns:
        yield "\n<row></row>" * count
        return
    # The markup between two values is constant: the row start and the first cell's opening,
    # a cell's closing and the next one's opening, ..., the last cell's closing and the row end.
    markup = ["\n<row>" + columns[0][0]]
    markup += [columns[i][2] + columns[i + 1][0] for i in range(len(columns) - 1)]
    markup += [columns[-1][2] + "</row>"]
    step = len(markup) + len(columns)
    for start in range(0, count, _ROWS_PER_PART):
        rows = min(_ROWS_PER_PART, count - start)
        pieces: list[str] = [""] * (rows * step)
        for i, text in enumerate(markup):
            pieces[2 * i::step] = [text] * rows
        for i, (_, values, _) in enumerate(columns):
            pieces[2 * i + 1::step] = values[start:start + rows]
        yield "".join(pieces)


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    styles = (f'<Relationship Id="rId{count + 1}" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
              'Target="styles.xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}{styles}</Relationships>")


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/></Relationships>'
)
_CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:creator>{creator}</dc:creator>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
