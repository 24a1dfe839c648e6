"""What every monthly step reads: the partition's feed rows and the previous month's roll.

The previous roll is read once per process and kept for the next step of the same run (the
in-process executor runs all steps of ``pdpb run`` in one process); a multiprocess executor
simply reads it again from the warehouse. A kept roll is used only while it bears the stamp the
warehouse holds for that month (``dpb_versi``, one indexed row): another process that re-ran or
withdrew the month meanwhile changed the stamp, and the roll is read again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict

import pandas as pd
import sqlalchemy as sa

from .domain import schema
from .feeds.ingest import month_end
from .resources.warehouse import Warehouse
from .roll import store

#: (warehouse url, regency, month) -> (stamp, roll)
_cache: OrderedDict[tuple, tuple[str, pd.DataFrame]] = OrderedDict()


def reference_date(month: str, polling_day: str | None) -> dt.date:
    """The day eligibility is judged on: ``PDPB_POLLING_DAY`` if set, else the month's last day."""
    return dt.date.fromisoformat(polling_day) if polling_day else month_end(month)


def roll_as_of(warehouse: Warehouse, regency: str, month: str) -> pd.DataFrame:
    key = (warehouse.url, regency, month)
    token = store.stamp_of(warehouse, regency, month)
    kept = _cache.get(key)
    if kept is None or not token or kept[0] != token:
        _cache[key] = (token, store.as_of(warehouse, regency, month))
        while len(_cache) > 2:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return _cache[key][1]


def remember_roll(warehouse: Warehouse, regency: str, month: str, roll: pd.DataFrame, token: str) -> None:
    """Keeps the roll just written with ``token``, its stamp (``store.stamp``)."""
    forget(warehouse, regency)
    _cache[(warehouse.url, regency, month)] = (token, roll)


def forget(warehouse: Warehouse, regency: str) -> None:
    for key in [k for k in _cache if k[0] == warehouse.url and k[1] == regency]:
        del _cache[key]


def feed_rows(warehouse: Warehouse, regency: str, month: str) -> pd.DataFrame:
    table = warehouse.table("feed_row")
    frame = warehouse.read(
        sa.select(table).where(table.c.regency == regency, table.c.month == month)
        .order_by(table.c.agency, table.c.file_name, table.c.row_number)
    )
    if frame.empty:
        frame = schema.empty_frame(schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
        for name in ("agency", "file_name", "row_number", "nik_status", "peringatan", "extra"):
            frame[name] = pd.Series(dtype=object)
        return frame
    frame = schema.to_canonical(frame, schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
    extra = frame["extra"].map(lambda v: json.loads(v) if v else {})
    for name in ("id_antrean", "hasil"):
        frame[name] = extra.map(lambda d, n=name: d.get(n, ""))
    return frame
