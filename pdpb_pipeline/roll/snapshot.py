"""A columnar copy (Parquet) of a regency's latest rolls, read in about a second.

Assembling a million-voter roll from its versions in the warehouse takes ten seconds or more
(SQLite) and every month needs the previous one. The warehouse stays the record: each roll it
holds carries a stamp (``dpb_versi``), written in the same transaction as the roll's versions,
and a copy is used only when it bears the same stamp. A re-run, a rewind or a new baseline
changes or removes the stamp, so a stale copy is never read; a missing or unreadable copy
simply means reading the warehouse. The copies hold full NIKs, like the warehouse: each file
is created readable by its owner only (0600, set on the empty file before any data goes in)
and the folders it makes are 0700, whatever the umask.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

KEEP = 2  # copies kept per regency: the newest months (a re-run of the last month needs the one before)
_TOKEN = b"pdpb.token"
_PARTIAL = re.compile(r"^\.(?P<month>[^.]+)\.(?P<pid>\d+)\.[0-9a-f]+\.parquet$")
FILE_MODE, FOLDER_MODE = 0o600, 0o700


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


def save(directory: str, url: str, regency: str, month: str, token: str, roll: pd.DataFrame | pa.Table) -> None:
    """Writes the copy atomically and drops the regency's older copies beyond ``KEEP``; ``roll``
    in pandas or Arrow (read back alike: text as str, dates as datetime64)."""
    if not directory or not token:
        return
    folder = _folder(directory, url, regency)
    _private_folders(Path(directory), folder)
    table = roll if isinstance(roll, pa.Table) else pa.Table.from_pandas(roll.reset_index(drop=True),
                                                                          preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _TOKEN: token.encode()})
    partial = folder / f".{month}.{os.getpid()}.{secrets.token_hex(4)}.parquet"
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(partial, flags, FILE_MODE), "wb") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), FILE_MODE)  # the umask may have taken bits off; still empty
            pq.write_table(table, out, compression="zstd")
            out.flush()
            os.fsync(out.fileno())  # whole on disk before it takes the copy's name
        os.replace(partial, folder / f"{month}.parquet")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    copies = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))
    for old in copies[:-KEEP]:
        old.unlink(missing_ok=True)
    for kept in copies[-KEEP:]:
        try:
            os.chmod(kept, FILE_MODE)  # a copy an older version wrote open
        except FileNotFoundError:
            pass  # dropped by another process meanwhile
    _drop_partials(folder)


def _private_folders(root: Path, folder: Path) -> None:
    """Creates ``folder`` (below ``root``) 0700, and ``root`` too when it does not exist yet; the
    warehouse's and the regency's folders are made 0700 even when an older version made them open."""
    if not root.exists():
        root.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(root, FOLDER_MODE)
    for target in (folder.parent, folder):
        target.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(target, FOLDER_MODE)


def _drop_partials(folder: Path) -> None:
    """Deletes partial copies a killed process left (its pid gone); never another's in progress."""
    if os.name != "posix":
        return
    for path in folder.glob(".*.parquet"):
        match = _PARTIAL.match(path.name)
        if match is None or int(match["pid"]) == os.getpid():
            continue
        try:
            os.kill(int(match["pid"]), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except OSError:
            continue
