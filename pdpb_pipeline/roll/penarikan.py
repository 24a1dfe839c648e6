"""Withdrawal (penarikan) of published months: a published month is never undone in silence.

Re-running month M rewrites M's roll, so every later month, built on the old M, no longer holds.
Unless asked explicitly (``pdpb run --rewind``, run config ``tarik_bulan_berikutnya``), a re-run
of M with later months published is refused before anything changes. When asked, the later
months are withdrawn as ONE recorded act (``penarikan`` and ``penarikan_bulan``): their rows
derived from the roll go, and their published folders move to
``<output>/<regency>/ditarik/<month>__<act id>/`` with a note (``PENARIKAN.txt`` and ``.json``).
The agencies' input (landing files, feed rows, quarantine) stays: the months can simply be run
again.

Files and warehouse agree: the folders are moved first (a rename, atomic on one file system),
then the act, the deletions and month M's new roll are committed in one transaction. If anything
fails before that commit, the transaction rolls back and the folders are moved back; a crash
between the two leaves the folders in ``ditarik`` beside their note while the warehouse still
lists the months published, which a re-run of M with ``--rewind`` repeats and completes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ..output import atomic_folder
from . import store

if TYPE_CHECKING:
    from ..resources.warehouse import Warehouse

WITHDRAWN = "ditarik"
NOTE = "PENARIKAN"
#: Tables whose rows are derived from a month's roll (the roll's own versions aside).
DERIVED = ("dpb_bulan", "dpb_versi", "perubahan", "rekap", "change_proposal", "publikasi",
           "link_candidate", "link_decision", "roll_duplicate", "antrean_coktas")


class LaterMonthsPublished(store.MonthOrderError):
    """Month M re-run while later months are published, without asking to withdraw them."""


def published_after(warehouse: Warehouse, regency: str, month: str) -> pd.DataFrame:
    """The published months after ``month``: month, pemilih, run_id."""
    ledger = warehouse.table("dpb_bulan")
    return warehouse.read(
        sa.select(ledger.c.month, ledger.c.pemilih, ledger.c.run_id)
        .where(ledger.c.regency == regency, ledger.c.month > month).order_by(ledger.c.month))


#: Where a run asks for the withdrawal: the run config of ``pemutakhiran_dpb`` (``PemutakhiranConfig``).
ASKED_IN = ("ops", "pemutakhiran_dpb", "config", "tarik_bulan_berikutnya")


def asked_in(run_config: dict) -> bool:
    """Whether a run's config asks to withdraw the later months, so that its first step can refuse
    a re-run before it rewrites anything of month M (its feed rows, links, inventory)."""
    value = run_config
    for key in ASKED_IN:
        value = value.get(key, {}) if isinstance(value, dict) else {}
    return value is True


def refuse_unless_asked(warehouse: Warehouse, regency: str, month: str, asked: bool) -> None:
    later = published_after(warehouse, regency, month)["month"].tolist()
    if later and not asked:
        raise LaterMonthsPublished(
            f"regency {regency}: {', '.join(later)} {'is' if len(later) == 1 else 'are'} published after {month}; "
            f"re-running {month} withdraws {'it' if len(later) == 1 else 'them'}. To do so: "
            f"pdpb run --regency {regency} --month {month} --rewind "
            "(Dagster run config: ops.pemutakhiran_dpb.config.tarik_bulan_berikutnya: true)"
        )


@contextmanager
def rewinding(warehouse: Warehouse, output_dir: Path, regency: str, month: str, run_id: str) -> Iterator[sa.Connection]:
    """The transaction that writes month ``month`` again: opens with the rewind of the roll to
    M-1 and the withdrawal of every later published month (see the module text for the order of
    files and rows). The caller writes M's roll on the connection it yields."""
    later = published_after(warehouse, regency, month)
    act_id = uuid.uuid4().hex[:12]
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    reason = f"month {month} was run again (run {run_id}); the later months were built on its previous roll"
    moved = _move_out(output_dir, regency, later["month"], act_id, {
        "act_id": act_id, "regency": regency, "triggered_by": month, "run_id": run_id, "withdrawn_at": when,
        "reason": reason, "months": later["month"].tolist()})
    try:
        with warehouse.begin() as conn:
            if len(later):
                conn.execute(sa.insert(warehouse.table("penarikan")).values(
                    act_id=act_id, regency=regency, triggered_by=month, run_id=run_id, withdrawn_at=when,
                    reason=reason))
                rows = later.rename(columns={"run_id": "published_run_id"}).assign(
                    act_id=act_id, regency=regency, folder=later["month"].map(lambda m: str(moved.get(m, ""))))
                warehouse.insert("penarikan_bulan", rows, conn)
                for name in DERIVED:
                    table = warehouse.table(name)
                    conn.execute(sa.delete(table).where(table.c.regency == regency, table.c.month > month))
            store.rewind(conn, warehouse, regency, month)
            yield conn
    except BaseException:
        _move_back(moved)
        raise
    if len(later):
        warehouse.forget_rolls(regency)


def withdrawals(warehouse: Warehouse, regency: str) -> pd.DataFrame:
    """Every withdrawn month of the regency: month, act_id, withdrawn_at, triggered_by."""
    act, months = warehouse.table("penarikan"), warehouse.table("penarikan_bulan")
    return warehouse.read(
        sa.select(months.c.month, act.c.act_id, act.c.withdrawn_at, act.c.triggered_by)
        .join(act, act.c.act_id == months.c.act_id)
        .where(months.c.regency == regency).order_by(months.c.month, act.c.withdrawn_at))


def _move_out(output_dir: Path, regency: str, months, act_id: str, note: dict) -> dict[str, Path]:
    moved: dict[str, Path] = {}
    # A publication killed mid-swap may have left a month under a dot-named sibling (never a
    # month itself): put it back first, so the month is withdrawn, not left behind.
    atomic_folder.recover(output_dir / regency)
    try:
        for month in months:
            source = output_dir / regency / month
            if not source.is_dir():
                continue  # nothing published on disk (removed by hand): the rows are withdrawn all the same
            target = output_dir / regency / WITHDRAWN / f"{month}__{act_id}"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            moved[month] = target
            _write_note(target, note | {"month": month})
    except BaseException:
        _move_back(moved)
        raise
    return moved


def _write_note(folder: Path, note: dict) -> None:
    (folder / f"{NOTE}.json").write_text(json.dumps(note, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / f"{NOTE}.txt").write_text(
        f"DPB {note['regency']} {note['month']} DITARIK (withdrawn)\n"
        f"when: {note['withdrawn_at']}\nact: {note['act_id']}\ntriggered by: month {note['triggered_by']}\n"
        f"run: {note['run_id']}\nreason: {note['reason']}\n"
        f"months withdrawn by this act: {', '.join(note['months'])}\n", encoding="utf-8")


def _move_back(moved: dict[str, Path]) -> None:
    for month, target in moved.items():
        for suffix in (".json", ".txt"):
            (target / f"{NOTE}{suffix}").unlink(missing_ok=True)
        os.replace(target, target.parent.parent / month)
