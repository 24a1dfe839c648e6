"""The roll step's tables and the roll itself: ``dpt_baseline`` and ``dpb`` (the versions in
``dpb``, their stamps in ``dpb_versi``), ``usulan_perubahan`` (change_proposal, with the
standing rows ``status_pemilih``), ``antrean_coktas``, ``perubahan`` and ``rekap`` (all read back
by publication).

The roll a month starts from is read once per run: the resource keeps the rolls it read or
wrote (``RollCache``, on the resource instance, never in a module) and uses a kept one only
while it bears the stamp the warehouse holds for that month (one indexed row). Another process
that re-ran or withdrew the month meanwhile changed the stamp, and the roll is read again: from
the columnar copy bearing the new stamp (``roll.snapshot``, about a second for a million
voters) or else from the versions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ...domain import schema
from ...partitions import Partition
from ...roll import antrean, ganda, penarikan, recap, store
from ...roll import status as standing
from ...roll.apply import Applied
from ...roll.proposal import QUEUED


class RollCache:
    """The latest rolls a resource read or wrote: (regency, month) -> (stamp, roll)."""

    KEEP = 2  # the month a step starts from and the month it wrote

    def __init__(self) -> None:
        self._rolls: OrderedDict[tuple[str, str], tuple[str, pd.DataFrame]] = OrderedDict()

    def get(self, regency: str, month: str, stamp: str) -> pd.DataFrame | None:
        kept = self._rolls.get((regency, month))
        if kept is None or not stamp or kept[0] != stamp:
            return None
        self._rolls.move_to_end((regency, month))
        return kept[1]

    def put(self, regency: str, month: str, stamp: str, roll: pd.DataFrame) -> None:
        self._rolls[(regency, month)] = (stamp, roll)
        self._rolls.move_to_end((regency, month))
        while len(self._rolls) > self.KEEP:
            self._rolls.popitem(last=False)

    def forget(self, regency: str) -> None:
        for key in [k for k in self._rolls if k[0] == regency]:
            del self._rolls[key]


class RollCopies:
    """The columnar copies (``roll.snapshot``) being written on a thread while the run goes on.

    A copy is written after the transaction that stamped its roll commits; until then, and
    while it is written, the roll is kept on the resource (``RollCache``), which the steps of
    the run read. The copy is written whole under a temporary name, flushed to disk, then
    renamed: a process killed meanwhile leaves no copy (the roll is read from the warehouse
    next time), never a wrong one, as each copy bears its roll's stamp. ``wait`` is called
    before the next write and by ``publikasi`` once the month is published (a teardown hook on
    the resource would make Dagster treat it as a context manager everywhere, sensors too); it
    raises what the copy's writing raised. The thread is not a daemon: a process that ends
    otherwise waits for it."""

    def __init__(self) -> None:
        self._pending: list[tuple[threading.Thread, list[BaseException]]] = []

    def start(self, write, *args) -> None:
        self.wait()  # one at a time, in the order the rolls were written
        errors: list[BaseException] = []

        def run() -> None:
            try:
                write(*args)
            except BaseException as error:  # raised by ``wait``
                errors.append(error)

        thread = threading.Thread(target=run, name="pdpb-dpb-copy")
        thread.start()
        self._pending.append((thread, errors))

    def wait(self) -> None:
        while self._pending:
            thread, errors = self._pending.pop(0)
            thread.join()
            if errors:
                raise errors[0]


class DpbTables:
    # --- the roll -------------------------------------------------------------------------------
    def previous_roll_month(self, regency: str, month: str, first: str) -> str:
        """The month whose roll ``month`` starts from (``store.BASELINE`` for the first month);
        refuses a month out of order (``store.MonthOrderError``)."""
        return store.previous_roll_month(self, regency, month, first)

    def roll_of(self, regency: str, month: str) -> pd.DataFrame:
        """The roll as it stood at the end of ``month`` (``store.BASELINE``: the DPT)."""
        stamp = store.stamp_of(self, regency, month)
        roll = self._rolls.get(regency, month, stamp)
        if roll is None:
            roll = store.as_of(self, regency, month, stamp)
            self._rolls.put(regency, month, stamp, roll)
        return roll

    def previous_roll(self, part: Partition, start: str) -> pd.DataFrame:
        """The roll the partition's month starts from (``start``, see ``previous_roll_month``)."""
        return self.roll_of(part.regency, start)

    def fresh_versions(self, regency: str, month: str) -> set[str]:
        """Ids whose current version became valid in ``month``: voters added or changed then."""
        return store.versions_from(self, regency, month)

    def forget_rolls(self, regency: str) -> None:
        self._rolls.forget(regency)

    # --- what the month's rules read ------------------------------------------------------------
    def open_queue(self, part: Partition, start: str) -> pd.DataFrame:
        """The review-queue items still open when the month starts: the stored queue of the
        month it starts from (none for the first month), shaped like proposals."""
        if start == store.BASELINE:
            return pd.DataFrame()
        table = self.table("antrean_coktas")
        frame = self.read(sa.select(*[table.c[c] for c in antrean.STORED_COLUMNS])
                          .where(table.c.regency == part.regency, table.c.month == start))
        if frame.empty:
            return pd.DataFrame()
        frame = frame.rename(columns={"id_antrean": "proposal_id", "bulan_usulan": "month"})
        frame = frame.sort_values("proposal_id", kind="stable").reset_index(drop=True)
        frame = frame.assign(status=QUEUED, id_antrean="")
        return schema.to_canonical(frame, schema.PERSON_COLUMNS[1:])

    def standing_before(self, part: Partition) -> pd.DataFrame:
        """Every standing row (``roll.status``) of the regency's months before the partition's."""
        table = self.table(standing.TABLE)
        frame = self.read(sa.select(table).where(table.c.regency == part.regency, table.c.month < part.month)
                          .order_by(table.c.month))
        if frame.empty:
            return pd.DataFrame(columns=["month", *standing.COLUMNS])
        frame["aktif"] = frame["aktif"].astype(bool)
        for name in ("berlaku_sampai", "tanggal_peristiwa"):
            frame[name] = pd.to_datetime(frame[name], errors="coerce")
        return frame

    def ganda_evidence(self, part: Partition, duplicates: pd.DataFrame) -> ganda.Evidence:
        """The registration and the earlier agency rows of every record the pairs name."""
        ids = set(duplicates["id_a"]) | set(duplicates["id_b"])
        if not ids:
            return ganda.Evidence()
        return ganda.Evidence(store.registered(self, part.regency, ids),
                              store.agency_reports(self, part.regency, part.month, ids))

    def refuse_rewind_unless_asked(self, part: Partition, asked: bool) -> None:
        """Refuses a re-run of a month with later months published unless asked to withdraw them."""
        penarikan.refuse_unless_asked(self, part.regency, part.month, asked)

    # --- writes ---------------------------------------------------------------------------------
    def write_pemutakhiran(self, part: Partition, run_id: str, output_dir: Path, applied: Applied,
                           proposals: pd.DataFrame, queue: pd.DataFrame, recap_desa: pd.DataFrame,
                           marks: pd.DataFrame) -> None:
        """The month's roll and everything derived with it, in ONE transaction that first rewinds
        the roll to the previous month and withdraws later published months (``penarikan``);
        then the roll kept for the next step, and its columnar copy written on a thread
        (``RollCopies``) while the run goes on."""
        self._copies.wait()  # a copy still being written for an earlier month
        where = {"regency": part.regency, "month": part.month}
        with penarikan.rewinding(self, output_dir, part.regency, part.month, run_id) as conn:
            store.close_versions(conn, self, part.regency, part.month, applied.removed)
            store.add_versions(conn, self, part.regency, part.month, applied.versions)
            stamp = store.stamp(conn, self, part.regency, part.month, len(applied.roll))
            self.replace("change_proposal", where, proposals, conn)
            self.replace("antrean_coktas", where, queue.reindex(columns=list(antrean.STORED_COLUMNS)), conn)
            self.replace("perubahan", where, applied.changes.assign(run_id=run_id), conn)
            self.replace("rekap", where, recap_long(recap_desa), conn)
            self.replace(standing.TABLE, where, marks, conn)
        self._rolls.forget(part.regency)
        self._rolls.put(part.regency, part.month, stamp, applied.roll)
        self._copies.start(store.keep_copy, self, part.regency, part.month, stamp, applied.roll)

    def write_dpt_baseline(self, regency: str, frame: pd.DataFrame, duplicates: pd.DataFrame, file_name: str,
                           sha256: str, run_id: str) -> None:
        """The regency's baseline DPT (the roll's versions from ``store.BASELINE``), its own
        duplicates and the load's record, in one transaction; refuses when months are published
        on the current baseline."""
        self._copies.wait()  # a copy still being written
        load = self.table("baseline_load")
        with self.begin() as conn:
            stamp = store.load_baseline(conn, self, regency, frame)
            self.replace("roll_duplicate", {"regency": regency, "month": store.BASELINE},
                         duplicates[["id_a", "id_b", "probability", "decision", "kelas"]], conn)
            conn.execute(sa.delete(load).where(load.c.regency == regency))
            conn.execute(sa.insert(load).values(regency=regency, file_name=file_name, sha256=sha256,
                                                rows=len(frame), run_id=run_id))
        self._rolls.forget(regency)
        self._rolls.put(regency, store.BASELINE, stamp, frame)
        self._copies.start(store.keep_copy, self, regency, store.BASELINE, stamp, frame)

    def wait_for_copies(self) -> None:
        """Until the columnar copies being written are on disk (see ``RollCopies``)."""
        self._copies.wait()

    # --- what publication reads -----------------------------------------------------------------
    def rekap(self, part: Partition) -> pd.DataFrame:
        """The month's recap by desa and sex in its published shape (``recap.recap_by_desa``)."""
        long = self.read("SELECT kode_desa, jenis_kelamin, kolom, jumlah FROM rekap "
                         "WHERE regency = :regency AND month = :month",
                         {"regency": part.regency, "month": part.month})
        return recap_wide(long, part.regency)

    def perubahan(self, part: Partition) -> pd.DataFrame:
        """The month's applied changes, in change-id order."""
        return self.read("SELECT * FROM perubahan WHERE regency = :regency AND month = :month ORDER BY change_id",
                         {"regency": part.regency, "month": part.month}).drop(columns=["regency", "month", "run_id"])

    def antrean_coktas(self, part: Partition) -> pd.DataFrame:
        """The month's review queue as ``pemutakhiran_dpb`` stored it (``antrean.QUEUE_COLUMNS``)."""
        table = self.table("antrean_coktas")
        frame = self.read(sa.select(*[table.c[c] for c in antrean.QUEUE_COLUMNS])
                          .where(table.c.regency == part.regency, table.c.month == part.month))
        frame = frame.reindex(columns=list(antrean.QUEUE_COLUMNS))
        return frame.sort_values("id_antrean", kind="stable").reset_index(drop=True)


def recap_long(recap_desa: pd.DataFrame) -> pd.DataFrame:
    """The recap as stored: one row per non-zero cell (desa, sex, column)."""
    long = recap_desa.melt(id_vars=["kode_desa", "jenis_kelamin"], value_vars=recap.COLUMNS,
                           var_name="kolom", value_name="jumlah")
    return long[long["jumlah"] != 0] if len(long) else long


def recap_wide(long: pd.DataFrame, regency: str) -> pd.DataFrame:
    """The stored recap (long, non-zero cells) back in its published shape."""
    wide = long.pivot_table(index=["kode_desa", "jenis_kelamin"], columns="kolom", values="jumlah",
                            aggfunc="sum", fill_value=0) if len(long) else pd.DataFrame(
        index=pd.MultiIndex.from_tuples([], names=["kode_desa", "jenis_kelamin"]))
    wide = wide.reindex(columns=recap.COLUMNS, fill_value=0).astype("int64").reset_index()
    return recap.with_names(regency, wide)

