"""The roll's storage: every version of every voter record, valid from one month to another.

The roll of month M is the roll of M-1 plus the changes applied in M. A changed voter gets a
new version (``valid_from = M``) and the old one is closed (``valid_to = M``); a removed voter
is only closed; a new voter is a new version. Unchanged voters are never copied, and every
month can be read back exactly as it was published (``as_of``). The baseline DPT is the
version valid from ``0000-00``. Every roll written (the baseline, each month) gets a stamp in
``dpb_versi`` in the same transaction; a columnar copy bearing that stamp (``snapshot``) is read
instead of assembling the roll from its versions.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from ..domain import schema
from ..partitions import next_month, previous_month
from . import snapshot

if TYPE_CHECKING:
    from ..resources.warehouse import Warehouse

BASELINE = "0000-00"
ROLL_COLUMNS = schema.PERSON_COLUMNS


class MonthOrderError(Exception):
    """A month run out of order (its previous month is not closed yet)."""


def as_of(warehouse: Warehouse, regency: str, month: str, token: str | None = None) -> pd.DataFrame:
    """The roll exactly as it stood at the end of ``month`` (``BASELINE``: the DPT); ``token``:
    its stamp when the caller has just read it (``stamp_of``)."""
    if token is None:
        token = stamp_of(warehouse, regency, month)
    cached = snapshot.load(warehouse.snapshot_dir, warehouse.url, regency, month, token)
    if cached is not None:
        return cached
    columns = ", ".join(ROLL_COLUMNS)
    frame = warehouse.read_bulk(
        f"SELECT {columns} FROM dpb WHERE regency = %(regency)s AND valid_from <= %(month)s "
        "AND (valid_to IS NULL OR valid_to > %(month)s) ORDER BY id"
        # code-point order on every backend (pandas sorts so), not the database's locale
        + (' COLLATE "C"' if warehouse.dialect == "postgresql" else ""),
        {"regency": regency, "month": month},
    )
    frame = schema.to_canonical(frame) if len(frame) else schema.empty_frame()
    snapshot.save(warehouse.snapshot_dir, warehouse.url, regency, month, token, frame)
    return frame


def stamp_of(warehouse: Warehouse, regency: str, month: str) -> str:
    table = warehouse.table("dpb_versi")
    with warehouse.engine.connect() as conn:
        return conn.execute(
            sa.select(table.c.token).where(table.c.regency == regency, table.c.month == month)
        ).scalar() or ""


def stamp(conn: sa.Connection, warehouse: Warehouse, regency: str, month: str, voters: int) -> str:
    """Marks the roll of ``month`` as written (call in the transaction that writes it)."""
    table = warehouse.table("dpb_versi")
    token = uuid.uuid4().hex
    conn.execute(sa.delete(table).where(table.c.regency == regency, table.c.month == month))
    conn.execute(sa.insert(table).values(regency=regency, month=month, token=token, pemilih=voters))
    return token


def keep_copy(warehouse: Warehouse, regency: str, month: str, token: str, roll: pd.DataFrame | pa.Table) -> None:
    """The columnar copy of the roll, bearing its stamp: after the transaction that stamped it
    commits (a baseline's: meanwhile, see ``DpbTables.write_dpt_baseline``)."""
    snapshot.save(warehouse.snapshot_dir, warehouse.url, regency, month, token, roll)


def closed_months(warehouse: Warehouse, regency: str) -> list[str]:
    table = warehouse.table("dpb_bulan")
    with warehouse.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.month).where(table.c.regency == regency).order_by(table.c.month))
        return [r[0] for r in rows]


def previous_roll_month(warehouse: Warehouse, regency: str, month: str, first: str) -> str:
    """The month whose roll month M starts from: the baseline DPT for the regency's ``first``
    month, else M-1, which must be published. Refuses a month before ``first`` and a month whose
    predecessor is not published, naming the month to run instead."""
    if month < first:
        raise MonthOrderError(
            f"regency {regency}: its first month is {first} (PDPB_START_MONTH / PDPB_REGENCY_START_MONTHS); "
            f"{month} comes before it and is never run: run {first}"
        )
    if month == first:
        return BASELINE  # the regency's first month starts from the baseline DPT
    closed = set(closed_months(warehouse, regency))
    previous = previous_month(month)
    if previous not in closed:
        due = first
        while due in closed:
            due = next_month(due)
        done = f"published up to {previous_month(due)}" if due != first else f"nothing published since {first}"
        raise MonthOrderError(
            f"regency {regency}: month {previous} has not been published yet ({done}); "
            f"run {due} next, months in order up to {month}"
        )
    return previous


def rewind(conn: sa.Connection, warehouse: Warehouse, regency: str, month: str) -> None:
    """Undoes ``month`` and every later month, so that ``month`` can be applied again."""
    dpb = warehouse.table("dpb")
    conn.execute(sa.delete(dpb).where(dpb.c.regency == regency, dpb.c.valid_from >= month))
    conn.execute(sa.update(dpb).where(dpb.c.regency == regency, dpb.c.valid_to >= month).values(valid_to=None))
    ledger = warehouse.table("dpb_bulan")
    conn.execute(sa.delete(ledger).where(ledger.c.regency == regency, ledger.c.month >= month))
    stamps = warehouse.table("dpb_versi")
    conn.execute(sa.delete(stamps).where(stamps.c.regency == regency, stamps.c.month >= month))
    standing = warehouse.table("status_pemilih")
    conn.execute(sa.delete(standing).where(standing.c.regency == regency, standing.c.month >= month))


def close_versions(conn: sa.Connection, warehouse: Warehouse, regency: str, month: str, ids: list[str]) -> None:
    """Ends the current version of ``ids`` at ``month`` (removed or replaced voters)."""
    if not ids:
        return
    dpb = warehouse.table("dpb")
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        conn.execute(
            sa.update(dpb)
            .where(dpb.c.regency == regency, dpb.c.valid_to.is_(None), dpb.c.id.in_(chunk))
            .values(valid_to=month)
        )


def add_versions(conn: sa.Connection, warehouse: Warehouse, regency: str, month: str,
                 frame: pd.DataFrame | pa.Table) -> None:
    """Inserts new versions (new voters, or the changed record of existing ones) valid from
    ``month``; ``frame`` in pandas or Arrow (the baseline DPT as read, ``write_dpt_baseline``)."""
    if isinstance(frame, pa.Table):
        rows = frame.select(list(ROLL_COLUMNS))
        same = pa.array(np.zeros(len(rows), dtype=np.int32))
        rows = (rows.append_column("regency", pa.array([regency]).take(same))
                .append_column("valid_from", pa.array([month]).take(same))
                .append_column("valid_to", pa.nulls(len(rows), pa.string())))
    else:
        rows = frame[list(ROLL_COLUMNS)].assign(regency=regency, valid_from=month, valid_to=None)
    warehouse.insert("dpb", rows, conn)


def load_baseline(conn: sa.Connection, warehouse: Warehouse, regency: str, frame: pd.DataFrame | pa.Table) -> str:
    """Replaces the regency's baseline DPT; refuses when months have been closed on top of it.
    Returns the baseline's stamp."""
    ledger = warehouse.table("dpb_bulan")
    closed = conn.execute(sa.select(sa.func.count()).where(ledger.c.regency == regency)).scalar()
    if closed:
        raise MonthOrderError(
            f"regency {regency}: {closed} month(s) are already published on the current baseline DPT; "
            "the baseline cannot change under them"
        )
    dpb = warehouse.table("dpb")
    conn.execute(sa.delete(dpb).where(dpb.c.regency == regency))
    stamps = warehouse.table("dpb_versi")
    conn.execute(sa.delete(stamps).where(stamps.c.regency == regency))
    add_versions(conn, warehouse, regency, BASELINE, frame)
    if warehouse.dialect == "postgresql":
        # A table just filled by COPY has no statistics until autovacuum gets to it: the planner
        # then takes ix_dpb_valid_to for the month's ``close_versions`` and reads the whole roll
        # once per 5,000 ids (3.3 s a chunk at 4M voters) instead of looking the ids up by key.
        conn.execute(sa.text("ANALYZE dpb"))
    return stamp(conn, warehouse, regency, BASELINE, len(frame))


def versions_from(warehouse: Warehouse, regency: str, month: str) -> set[str]:
    """Ids whose current version became valid in ``month``: the voters added or changed then."""
    dpb = warehouse.table("dpb")
    with warehouse.engine.connect() as conn:
        rows = conn.execute(sa.select(dpb.c.id).where(dpb.c.regency == regency, dpb.c.valid_from == month))
        return {r[0] for r in rows}


def registered(warehouse: Warehouse, regency: str, ids) -> dict[str, str]:
    """When each voter came onto the roll as the warehouse recorded it: the month their first
    version became valid (``BASELINE`` for the DPT's voters). Ids not on the roll are left out."""
    dpb = warehouse.table("dpb")
    ids = sorted(set(ids))
    out: dict[str, str] = {}
    with warehouse.engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            rows = conn.execute(
                sa.select(dpb.c.id, sa.func.min(dpb.c.valid_from))
                .where(dpb.c.regency == regency, dpb.c.id.in_(ids[start:start + 5000])).group_by(dpb.c.id))
            out.update({voter: month for voter, month in rows})
    return out


def agency_reports(warehouse: Warehouse, regency: str, before: str, ids) -> pd.DataFrame:
    """The agency rows of months before ``before`` that added or changed the voters ``ids`` (an
    applied change from an agency's file, not a rule of the roll itself), with the month and
    the address each row carried: voter_id, month, alamat, rt, rw, kode_desa."""
    change, feed = warehouse.table("perubahan"), warehouse.table("feed_row")
    ids = sorted(set(ids))
    columns = ["voter_id", "month", "alamat", "rt", "rw", "kode_desa"]
    parts = []
    for start in range(0, len(ids), 5000):
        query = (
            sa.select(change.c.voter_id, change.c.month, feed.c.alamat, feed.c.rt, feed.c.rw, feed.c.kode_desa)
            .join(feed, (feed.c.regency == change.c.regency) & (feed.c.month == change.c.month)
                  & (feed.c.agency == change.c.agency) & (feed.c.id == change.c.feed_id))
            .where(change.c.regency == regency, change.c.month < before, change.c.kategori != "tms",
                   change.c.voter_id.in_(ids[start:start + 5000])))
        parts.append(warehouse.read(query))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return frame.reindex(columns=columns)
