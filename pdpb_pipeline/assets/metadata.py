"""Dagster metadata helpers that never leak personal data.

Everything in Dagster metadata lands in the event log, which every user of the UI can read. A
preview of voter rows (``masked_preview``) therefore shows what a data engineer needs to see
that a file was read and parsed right, and nothing that identifies a person: where the row came
from, the event, the NIK and NKK masked by the configured rule with the NIK's status, sex, desa
code and warnings. Never names, birth dates or years, birth places or addresses. Every text
written here also goes through ``nik.mask_text``, so an identifier in a file name or a header
is masked too.
"""

from __future__ import annotations

import pandas as pd
from dagster import MetadataValue

from ..domain.nik import mask_series, mask_text

PREVIEW_COLUMNS = ("id", "file_name", "row_number", "jenis_peristiwa", "nik", "nik_status", "nkk", "jenis_kelamin",
                   "kode_desa", "peringatan")
#: Never in a preview: who the person is (with the desa and sex, a name and a birth year single people out).
HIDDEN_COLUMNS = ("nama", "tanggal_lahir", "tempat_lahir", "alamat", "rt", "rw", "status_kawin")


def masked_md(text: str) -> MetadataValue:
    """Markdown metadata with every NIK or NKK in it masked."""
    return MetadataValue.md(mask_text(text))


def masked_preview(frame: pd.DataFrame, rows: int = 10) -> MetadataValue:
    """The first ``rows`` rows in ``PREVIEW_COLUMNS`` (those the frame has), identifiers masked."""
    columns = [c for c in PREVIEW_COLUMNS if c in frame.columns]
    if not columns or frame.empty:
        return MetadataValue.md("(empty)")
    head = frame.head(rows)[columns].copy()
    for name in ("nik", "nkk"):
        if name in head.columns:
            head[name] = mask_series(head[name])
    return masked_md(head.to_markdown(index=False))


def count_table(counts: pd.Series, key: str, value: str = "jumlah") -> MetadataValue:
    """A small markdown table from a value_counts-like series."""
    if isinstance(counts.index, pd.MultiIndex):
        frame = counts.reset_index(name=value)
    else:
        frame = counts.rename_axis(key).reset_index(name=value)
    return masked_md(frame.to_markdown(index=False))
