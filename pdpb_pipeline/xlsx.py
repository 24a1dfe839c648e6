"""Reproducible XLSX files: the same content gives the same bytes.

openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry; both are fixed
here, so a re-run month publishes byte-identical workbooks and checksums stay meaningful.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FIXED_TIME = dt.datetime(2026, 1, 1)
EXCEL_MAX_ROWS = 1_048_576


@dataclass
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    #: Lines above the table (a Berita Acara attachment's title block).
    title: Sequence[str] = field(default_factory=tuple)


def write_workbook(path: Path, sheets: Sequence[Sheet], creator: str = "pdpb-pipeline") -> None:
    """Dates (``datetime``) become real date cells, floats their shortest text."""

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        for line in sheet.title:
            cell = WriteOnlyCell(ws, value=line)
            cell.font = Font(bold=True)
            ws.append([cell])
        if sheet.title:
            ws.append([])
        ws.append([WriteOnlyCell(ws, value=h) for h in sheet.header])
        for row in sheet.rows:
            ws.append([_date(ws, v) if isinstance(v, dt.datetime) else _cell(v) for v in row])
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.properties.creator = creator
    raw = io.BytesIO()
    book.save(raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalise_zip(raw.getvalue()))


def _date(ws, value: dt.datetime):
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = "DD/MM/YYYY"
    return cell


def _cell(value):
    """openpyxl writes every number with 16 significant digits (0.9924 -> 0.9923999999999999),
    which reads like a NIK to any scanner: a float is written as its shortest text instead."""
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def normalise_zip(data: bytes) -> bytes:
    """The same zip with fixed entry timestamps and attributes (reproducible bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>2026-01-01T00:00:00Z\g<2>", content)
            target.writestr(entry, content)
    return out.getvalue()


def chunks(rows: Sequence, size: int = EXCEL_MAX_ROWS - 10) -> list[Sequence]:
    """Splits rows so no sheet passes Excel's row limit (title and header included)."""
    return [rows[i:i + size] for i in range(0, max(len(rows), 1), size)]
