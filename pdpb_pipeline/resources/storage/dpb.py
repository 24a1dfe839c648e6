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
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from ...domain import schema
from ...partitions import Partition
from ...roll import antrean, ganda, penarikan, recap, snapshot, store
from ...roll import status as standing
from ...roll.apply import Applied
from ...roll.proposal import QUEUED


class RollCache:
    """The latest rolls a resource read or wrote: (regency, month) -> (stamp, roll)."""

    KEEP = 2  # the month a step starts from and the month it wrote

    def __init__(self) -> None:
        self._rolls: OrderedDict[tuple[str, str], tuple[str, pd.DataFrame]] = OrderedDict()
        #: what was derived from a kept roll (``DpbTables.roll_derived``): (regency, month) ->
        #: (stamp, {name: value}), dropped with the roll
        self._derived: dict[tuple[str, str], tuple[str, dict]] = {}
        self._ahead: dict[tuple[str, str], Future] = {}
        self._lock = threading.Lock()

    def get(self, regency: str, month: str, stamp: str) -> pd.DataFrame | None:
        kept = self._rolls.get((regency, month))
        if kept is None or not stamp or kept[0] != stamp:
            return None
        self._rolls.move_to_end((regency, month))
        return kept[1]

    def put(self, regency: str, month: str, stamp: str, roll: pd.DataFrame, derived: dict | None = None) -> None:
        self._rolls[(regency, month)] = (stamp, roll)
        self._rolls.move_to_end((regency, month))
        self._derived[(regency, month)] = (stamp, dict(derived or {}))
        while len(self._rolls) > self.KEEP:
            key, _ = self._rolls.popitem(last=False)
            self._derived.pop(key, None)

    def derived(self, regency: str, month: str, stamp: str, name: str):
        """``name`` derived from the kept roll bearing ``stamp`` (None: not derived yet)."""
        kept = self._derived.get((regency, month))
        return kept[1].get(name) if kept is not None and stamp and kept[0] == stamp else None

    def keep_derived(self, regency: str, month: str, stamp: str, name: str, value) -> None:
        kept = self._derived.get((regency, month))
        if kept is not None and kept[0] == stamp:
            kept[1][name] = value

    def forget(self, regency: str) -> None:
        for key in [k for k in self._rolls if k[0] == regency]:
            del self._rolls[key]
            self._derived.pop(key, None)
        self.drop_prefetched(regency)

    # A roll read ahead in a background thread (``DpbTables.prefetch_roll``): (regency, month) ->
    # the Future of (stamp it bore, roll or None, what was derived from it). Used only if it bears the stamp the warehouse
    # holds when the roll is asked for, like a kept roll.
    def prefetching(self, regency: str, month: str) -> Future | None:
        with self._lock:
            key = (regency, month)
            if key in self._rolls or key in self._ahead:
                return None
            future = self._ahead[key] = Future()
            return future

    def take_prefetched(self, regency: str, month: str, stamp: str) -> pd.DataFrame | None:
        with self._lock:
            future = self._ahead.pop((regency, month), None)
        if future is None or not stamp:
            return None
        try:
            read_stamp, roll, derived = future.result()
        except Exception:  # the read ahead failed: the roll is read the ordinary way
            return None
        if roll is None or read_stamp != stamp:
            return None
        self.put(regency, month, stamp, roll, derived)
        return roll

    def drop_prefetched(self, regency: str) -> None:
        with self._lock:
            for key in [k for k in self._ahead if k[0] == regency]:
                del self._ahead[key]


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
        return self._roll_and_stamp(regency, month)[0]

    def roll_derived(self, regency: str, month: str, name: str, derive: Callable[[pd.DataFrame], object]
                     ) -> tuple[pd.DataFrame, object]:
        """``roll_of`` and ``derive(roll)``, kept with the roll under ``name``: computed once per
        roll and stamp (in the read ahead when ``prefetch_roll`` was given it). ``derive`` must
        depend on the roll alone."""
        roll, stamp = self._roll_and_stamp(regency, month)
        value = self._rolls.derived(regency, month, stamp, name)
        if value is None:
            value = derive(roll)
            self._rolls.keep_derived(regency, month, stamp, name, value)
        return roll, value

    def _roll_and_stamp(self, regency: str, month: str) -> tuple[pd.DataFrame, str]:
        stamp = store.stamp_of(self, regency, month)
        roll = self._rolls.get(regency, month, stamp)
        if roll is None:
            roll = self._rolls.take_prefetched(regency, month, stamp)
        if roll is None:
            roll = store.as_of(self, regency, month, stamp)
            self._rolls.put(regency, month, stamp, roll)
        self._rolls.drop_prefetched(regency)  # a read ahead of another month is not needed now
        return roll, stamp

    def prefetch_roll(self, regency: str, *months: str,
                      derive: Mapping[str, Callable[[pd.DataFrame], object]] | None = None) -> None:
        """Starts reading the columnar copy of a roll in a background thread, so that the step
        asking for it later (``roll_of``) finds it read: a run calls it when it starts
        (``Warehouse.setup_for_execution``) for the roll its month starts from, and the feed steps
        run meanwhile. The roll read is the first of ``months`` the warehouse holds a stamp for
        (last month's, else the DPT's: a regency's first month). Only the copy is read ahead (a
        file; the warehouse's versions are read only when asked for), and it is used only while
        it bears the stamp the warehouse holds then; nothing is read when there is no stamped
        copy. ``derive``: what to derive from the roll in the same thread (``roll_derived``
        finds it)."""
        if not self.snapshot_dir:
            return
        futures = {month: self._rolls.prefetching(regency, month) for month in months}
        if any(future is None for future in futures.values()):
            for month, future in futures.items():  # one of them is read already: none is read ahead
                if future is not None:
                    future.set_result(("", None, {}))
            return

        def read() -> None:
            found = None
            try:
                with self.engine.connect() as conn:  # (no reflection: the step's thread does that)
                    for month in months:
                        stamp = conn.execute(sa.text("SELECT token FROM dpb_versi WHERE regency = :regency "
                                                     "AND month = :month"),
                                             {"regency": regency, "month": month}).scalar() or ""
                        if stamp:
                            found = month
                            break
                roll = snapshot.load(self.snapshot_dir, self.url, regency, found, stamp) if found else None
                derived = {name: fn(roll) for name, fn in (derive or {}).items()} if roll is not None else {}
                for month, future in futures.items():
                    future.set_result((stamp, roll, derived) if month == found else ("", None, {}))
            except BaseException as error:  # noqa: BLE001 (handed to the step, which reads again)
                for future in futures.values():
                    if not future.done():
                        future.set_exception(error)

        threading.Thread(target=read, name=f"roll-ahead-{regency}", daemon=True).start()

    def previous_roll(self, part: Partition, start: str) -> pd.DataFrame:
        """The roll the partition's month starts from (``start``, see ``previous_roll_month``)."""
        return self.roll_of(part.regency, start)

    def previous_roll_derived(self, part: Partition, start: str, name: str, derive) -> tuple[pd.DataFrame, object]:
        """``previous_roll`` and what ``derive`` makes of it (``roll_derived``)."""
        return self.roll_derived(part.regency, start, name, derive)

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

    def standing_before(self, part: Partition, through: bool = False) -> pd.DataFrame:
        """Every standing row (``roll.status``) of the regency's months before the partition's
        (``through``: and of the partition's month)."""
        table = self.table(standing.TABLE)
        until = table.c.month <= part.month if through else table.c.month < part.month
        frame = self.read(sa.select(table).where(table.c.regency == part.regency, until).order_by(table.c.month))
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

    def write_dpt_baseline(self, regency: str, frame: pd.DataFrame, find_duplicates: Callable[[], pd.DataFrame],
                           file_name: str, sha256: str, run_id: str, table: pa.Table | None = None) -> pd.DataFrame:
        """The regency's baseline DPT (the roll's versions from ``store.BASELINE``), its own
        duplicates and the load's record, in one transaction; refuses when months are published
        on the current baseline. Returns the duplicates, ``find_duplicates()``: the search runs
        while the roll is copied in (the COPY and the ANALYZE after it are the database server's
        work, on the machine's other core), so a failed search rolls the copy back with the rest.

        The roll's columnar copy is written meanwhile too, before the commit, unlike a month's
        (``RollCopies``): the month's run that follows reads it ahead as it starts. A copy bears
        its roll's stamp and is read only while the warehouse holds that stamp, so the copy of a
        load that is rolled back is never read. ``table``: ``frame`` in Arrow, when the file was
        read so: the copy and the COPY are written from it (``frame`` is what the search and this
        run's steps read)."""
        self._copies.wait()  # a copy still being written
        load = self.table("baseline_load")

        kept = table if table is not None else frame
        copied = kept if self.dialect == "postgresql" else frame  # (SQLite's inserts take Python values)

        def copy_in(conn: sa.Connection) -> str:
            stamp = store.load_baseline(conn, self, regency, copied)
            store.keep_copy(self, regency, store.BASELINE, stamp, kept)
            return stamp

        with self.begin() as conn:
            # The connection is used by one thread at a time: the copy's, then this one.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dpt-copy") as pool:
                copying = pool.submit(copy_in, conn)
                duplicates = find_duplicates()  # (an error here waits for the copy, then rolls back)
            stamp = copying.result()
            self.replace("roll_duplicate", {"regency": regency, "month": store.BASELINE},
                         duplicates[["id_a", "id_b", "probability", "decision", "kelas"]], conn)
            conn.execute(sa.delete(load).where(load.c.regency == regency))
            conn.execute(sa.insert(load).values(regency=regency, file_name=file_name, sha256=sha256,
                                                rows=len(frame), run_id=run_id))
        self._rolls.forget(regency)
        self._rolls.put(regency, store.BASELINE, stamp, frame)
        return duplicates

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

    def usulan_perubahan(self, part: Partition) -> pd.DataFrame:
        """The month's proposals (applied, queued, no change), in proposal-id order."""
        table = self.table("change_proposal")
        frame = self.read(sa.select(table).where(table.c.regency == part.regency, table.c.month == part.month)
                          .order_by(table.c.proposal_id))
        return frame.drop(columns=["regency", "month"]).fillna({"alasan": "", "feed_id": "", "nik": ""})

    def perubahan(self, part: Partition) -> pd.DataFrame:
        """The month's applied changes, in change-id order."""
        return self.read("SELECT * FROM perubahan WHERE regency = :regency AND month = :month ORDER BY change_id",
                         {"regency": part.regency, "month": part.month}).drop(columns=["regency", "month", "run_id"])

    def closed_niks(self, part: Partition) -> pd.Series:
        """The NIK of every version closed in the partition's month (voters removed or changed
        then), by voter id: who a change names when the voter is no longer on the month's roll."""
        frame = self.read("SELECT id, nik FROM dpb WHERE regency = :regency AND valid_to = :month ORDER BY id",
                          {"regency": part.regency, "month": part.month})
        return frame.drop_duplicates("id", keep="last").set_index("id")["nik"].fillna("")

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

