"""Writers for agency files as agencies send them, for the feed tests."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook


def write_csv(path: Path, header: list[str], rows: list[list], encoding="utf-8-sig", delimiter=",", title=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        if title:
            writer.writerow([title])
            writer.writerow([])
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list], title=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days
