"""Reading the quarantine back: what a data officer fixes or asks the agency about."""

from __future__ import annotations

import io

import pandas as pd
import sqlalchemy as sa

from ..domain.nik import mask_text
from ..resources.warehouse import Warehouse
from .ingest import REASONS

COLUMNS = ("agency", "file_name", "row_number", "field", "reason", "keterangan", "detail", "isi_baris")


def quarantine_rows(warehouse: Warehouse, regency: str, month: str, agency: str | None = None) -> pd.DataFrame:
    table = warehouse.table("quarantine")
    query = sa.select(table).where(table.c.regency == regency, table.c.month == month)
    if agency:
        query = query.where(table.c.agency == agency)
    frame = warehouse.read(query.order_by(table.c.agency, table.c.file_name, table.c.row_number))
    frame["keterangan"] = frame["reason"].map(REASONS).fillna("")
    for name in ("file_name", "detail", "isi_baris"):  # an agency may name a file after a person
        frame[name] = frame[name].fillna("").map(mask_text)
    return frame[list(COLUMNS)]


def quarantine_csv(warehouse: Warehouse, regency: str, month: str, agency: str | None = None) -> str:
    buffer = io.StringIO()
    quarantine_rows(warehouse, regency, month, agency).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()
