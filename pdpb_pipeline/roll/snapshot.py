"""A columnar copy (Parquet) of a regency's latest rolls, read in about a second.

Assembling a million-voter roll from its versions in the warehouse takes ten seconds or more
(SQLite) and every month needs the previous one. The warehouse stays the record: each roll it
holds carries a stamp (``dpb_versi``), written in the same transaction as the roll's versions,
and a copy is used only when it bears the same stamp. A re-run, a rewind or a new baseline
changes or removes the stamp, so a stale copy is never read; a missing or unreadable copy
simply means reading the warehouse. The copies hold full NIKs, like the warehouse: keep
``PDPB_SNAPSHOT_DIR`` as private as the database.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

KEEP = 2  # copies kept per regency: the newest months (a re-run of the last month needs the one before)
_TOKEN = b"pdpb.token"


def _folder(directory: str, url: str, regency: str) -> Path:
    # one folder per warehouse: two warehouses never share copies
    return Path(directory) / hashlib.sha256(url.encode()).hexdigest()[:12] / regency


def load(directory: str, url: str, regency: str, month: str, token: str) -> pd.DataFrame | None:
    """The copy of ``month``'s roll if it bears ``token``, else None."""
    if not directory or not token:
        return None
    path = _folder(directory, url, regency) / f"{month}.parquet"
    try:
        if (pq.read_schema(path).metadata or {}).get(_TOKEN) != token.encode():
            return None
        return pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException):
        return None


def save(directory: str, url: str, regency: str, month: str, token: str, roll: pd.DataFrame) -> None:
    """Writes the copy atomically and drops the regency's older copies beyond ``KEEP``."""
    if not directory or not token:
        return
    folder = _folder(directory, url, regency)
    folder.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(roll.reset_index(drop=True), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _TOKEN: token.encode()})
    partial = folder / f".{month}.{os.getpid()}.parquet"
    pq.write_table(table, partial, compression="zstd")
    os.replace(partial, folder / f"{month}.parquet")
    for old in sorted(folder.glob("*.parquet"))[:-KEEP]:
        old.unlink(missing_ok=True)
