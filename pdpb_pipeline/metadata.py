"""Dagster metadata helpers that never leak personal data.

Every preview of voter rows goes through ``masked_preview``: NIK and NKK masked by the
configured rule, birth date reduced to the year.
"""

from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from .nik import mask_series

PREVIEW_COLUMNS = ("id", "nik", "nkk", "nama", "tanggal_lahir", "jenis_kelamin", "kode_desa")


def masked_preview(frame: pd.DataFrame, rows: int = 10) -> MetadataValue:
    head = frame.head(rows).copy()
    for name in ("nik", "nkk"):
        if name in head.columns:
            head[name] = mask_series(head[name])
    if "tanggal_lahir" in head.columns:
        head["tanggal_lahir"] = pd.to_datetime(head["tanggal_lahir"], errors="coerce").dt.year.astype("Int64").astype(str)
    columns = [c for c in PREVIEW_COLUMNS if c in head.columns]
    return MetadataValue.md(head[columns].to_markdown(index=False) if columns else "(empty)")


def count_table(counts: pd.Series, key: str, value: str = "jumlah") -> MetadataValue:
    """A small markdown table from a value_counts-like series."""
    if isinstance(counts.index, pd.MultiIndex):
        frame = counts.reset_index(name=value)
    else:
        frame = counts.rename_axis(key).reset_index(name=value)
    return MetadataValue.md(frame.to_markdown(index=False))
