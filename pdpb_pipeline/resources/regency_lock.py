"""One run per regency at a time: a lock in the warehouse and a claim row naming the owning run.

Two runs of one regency (the schedule and the sensor, two officers typing ``pdpb run``, the UI
and a shell) must never interleave their writes: month M of one run would be built on a roll
the other is rewriting. Two pieces, both in the warehouse every run already shares:

* **The lock** (a mutex per regency), released by the operating system when its holder dies,
  so a killed run never blocks the next one:

  - PostgreSQL: an advisory lock (``pg_try_advisory_lock(7263002, <regency digits>)``) on a
    connection of its own; the server drops it when that connection goes (process killed,
    server restarted).
  - SQLite: ``fcntl.flock`` on a file beside the database (``<db>.kunci-<regency>``); the kernel
    drops it when the process goes. An in-memory database has only this process: a thread lock.

* **The claim** (table ``kunci_regency``): which run owns the regency, of which kind, its
  worker's pid and host, and since when. It is read and written only while the lock is held.

The two ways a month is run use them differently:

* ``pdpb run`` (``runner.run_regency``, the in-process executor) holds the lock for the whole
  command (baseline and every month of the range) and claims the regency as ``proses``. Its steps
  run in the same process and see that it is held here. Holding the lock is what proves the
  ``pdpb run`` alive: whoever gets the lock finds a ``proses`` claim stale.
* A run launched by Dagster (schedule, sensor, UI: its steps in the run's process by default, or
  each in its own with the multiprocess executor) takes the lock at the start of **each step**, only long enough to check the
  claim: free, stale, or its own run's, it claims it (``dagster``) and goes on; owned by another
  live run, it waits. Steps of one run thus run side by side, and no other run can take the
  regency over half-way through. Its claim is stale once Dagster reports that run finished
  (success, failure, cancellation: run monitoring marks a run whose worker crashed as failed),
  or when the run's worker process, on this host, is gone. A run this Dagster instance does not
  know counts as finished: every process that runs months of one warehouse must use the same
  instance (``DAGSTER_HOME`` with the production ``dagster.yaml``).

A busy regency is waited for at most ``PDPB_LOCK_WAIT`` seconds (``Warehouse.lock_wait_seconds``,
0: refuse at once); then the run or step fails with ``RegencyBusy``, naming the run that owns it
and since when. A ``pdpb run`` whose PostgreSQL restarted lost its lock with its connection: its
next step stops the run (``LostWarehouse``: re-run the month). When a stale claim is taken over and Dagster still shows its run as started (a
``pdpb run`` killed with SIGKILL can't say it failed), that run is marked failed, with a message.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from dagster import DagsterInstance, DagsterRunStatus

from .processes import alive
from .warehouse import LOST, LostWarehouse, Warehouse

PROSES = "proses"  # pdpb run: the lock is held for the whole command
DAGSTER = "dagster"  # a step of a run launched by Dagster: the lock is held while claiming
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
POLL_SECONDS = 0.5
_PG_CLASS = 7263002  # advisory lock namespace of regency locks (7263001: migrations)

_held: dict[tuple[str, str], "_Mutex"] = {}  # locks this process holds for a whole ``pdpb run``
_memory_locks: dict[tuple[str, str], threading.Lock] = {}


class RegencyBusy(Exception):
    """Another live run owns the regency (and it was not freed within the wait)."""


@dataclass(frozen=True)
class Claim:
    regency: str
    run_id: str
    jenis: str
    pid: int
    host: str
    mulai: dt.datetime

    def describe(self) -> str:
        who = "pdpb run" if self.jenis == PROSES else "a Dagster run"
        return (f"run {self.run_id} ({who}, pid {self.pid} on {self.host}, "
                f"started {self.mulai:%Y-%m-%d %H:%M:%S} UTC)")


class _Mutex:
    """The regency's lock on one warehouse: ``try_acquire`` never blocks."""

    def __init__(self, warehouse: Warehouse, regency: str):
        self.warehouse, self.regency = warehouse, regency
        self._conn: sa.Connection | None = None
        self._fd: int | None = None
        self._thread_lock: threading.Lock | None = None

    def try_acquire(self) -> bool:
        engine = self.warehouse.engine
        if engine.dialect.name == "postgresql":
            conn = engine.connect()
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:c, :o)"),
                               {"c": _PG_CLASS, "o": int(self.regency.replace(".", ""))}).scalar()
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return bool(got)
        database = engine.url.database
        if not database or database == ":memory:":
            lock = _memory_locks.setdefault((self.warehouse.url, self.regency), threading.Lock())
            if lock.acquire(blocking=False):
                self._thread_lock = lock
                return True
            return False
        path = Path(database).with_name(f"{Path(database).name}.kunci-{self.regency}")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def verify(self) -> None:
        """Still held? A PostgreSQL restart ends the connection, and the lock with it: the run that
        held it must stop rather than go on unprotected."""
        if self._conn is None:
            return
        try:
            self._conn.execute(sa.text("SELECT 1")).scalar()
            self._conn.commit()
        except sa.exc.SQLAlchemyError as error:
            cause = getattr(error, "orig", None) or error
            raise LostWarehouse(f"{LOST} (the regency lock went with it: {str(cause).strip()})") from None

    def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:  # a connection that died (server restarted) took its lock with it
                conn.execute(sa.text("SELECT pg_advisory_unlock(:c, :o)"),
                             {"c": _PG_CLASS, "o": int(self.regency.replace(".", ""))})
                conn.commit()
                conn.close()
            except sa.exc.SQLAlchemyError:  # e.g. PendingRollbackError once the connection died
                conn.invalidate()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file drops the flock
        if self._thread_lock is not None:
            lock, self._thread_lock = self._thread_lock, None
            lock.release()


def read_claim(warehouse: Warehouse, regency: str) -> Claim | None:
    table = warehouse.table("kunci_regency")
    with warehouse.engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.regency == regency)).mappings().first()
    return Claim(**row) if row else None


def _write_claim(warehouse: Warehouse, regency: str, run_id: str, jenis: str, pid: int) -> None:
    table = warehouse.table("kunci_regency")
    with warehouse.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.regency == regency))
        conn.execute(sa.insert(table).values(
            regency=regency, run_id=run_id, jenis=jenis, pid=pid, host=socket.gethostname(),
            mulai=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)))


def _drop_claim(warehouse: Warehouse, regency: str) -> None:
    table = warehouse.table("kunci_regency")
    with warehouse.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.regency == regency))


def _worker_pid() -> int:
    """The run's worker: this process (steps in the run's process), or the one that started this
    step's process (multiprocess executor)."""
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None and parent.pid else os.getpid()


def _stale(claim: Claim, instance: DagsterInstance | None) -> bool:
    """Called with the lock held."""
    if claim.jenis == PROSES:
        return True  # its pdpb run would hold the lock
    if claim.host == socket.gethostname() and not alive(claim.pid):
        return True
    run = instance.get_run_by_id(claim.run_id) if instance is not None else None
    return run is None or run.status in FINISHED


def _mark_failed(claim: Claim, instance: DagsterInstance | None, by: str) -> None:
    """A stale claim's run that Dagster still shows as running: its process died without saying."""
    run = instance.get_run_by_id(claim.run_id) if instance is not None else None
    if run is not None and run.status not in FINISHED:
        instance.report_run_failed(run, message=(
            f"regency {claim.regency}: the process of this run (pid {claim.pid} on {claim.host}) is gone "
            f"(killed or crashed); marked failed by {by}, which took the regency over"))


def _busy(regency: str, claim: Claim | None, waited: float) -> RegencyBusy:
    owner = claim.describe() if claim is not None else "another process (it has not named its run yet)"
    return RegencyBusy(
        f"regency {regency} is being updated by {owner}; waited {waited:.0f} s (PDPB_LOCK_WAIT): "
        "two runs of one regency never write at once, run it again when that run has finished")


def _acquire(warehouse: Warehouse, regency: str, run_id: str, jenis: str, instance: DagsterInstance | None,
             wait: float, by: str) -> _Mutex:
    """Takes the lock and the claim; returns the lock, held. Raises ``RegencyBusy``."""
    start = time.monotonic()
    while True:
        mutex = _Mutex(warehouse, regency)
        claim = None
        if mutex.try_acquire():
            try:
                claim = read_claim(warehouse, regency)
                mine = claim is not None and claim.run_id == run_id
                if claim is None or mine or _stale(claim, instance):
                    if claim is not None and not mine:
                        _mark_failed(claim, instance, by)
                    if not mine or claim.jenis != jenis:
                        _write_claim(warehouse, regency, run_id, jenis,
                                     os.getpid() if jenis == PROSES else _worker_pid())
                    return mutex
            except BaseException:
                mutex.release()
                raise
            mutex.release()
        else:
            claim = read_claim(warehouse, regency)
        waited = time.monotonic() - start
        if waited >= wait:
            raise _busy(regency, claim, waited)
        time.sleep(min(POLL_SECONDS, max(wait - waited, 0.01)))


@contextmanager
def hold(warehouse: Warehouse, regency: str, instance: DagsterInstance | None, run_id: str,
         wait: float | None = None) -> Iterator[None]:
    """For ``pdpb run``: owns the regency for the whole block (claimed under ``run_id``, renamed
    per run with ``rename``). Steps run in this process meanwhile pass ``step`` at once."""
    key = (warehouse.url, regency)
    if key in _held:
        yield
        return
    wait = warehouse.lock_wait_seconds if wait is None else wait
    mutex = _acquire(warehouse, regency, run_id, PROSES, instance, wait, f"pdpb run (pid {os.getpid()})")
    _held[key] = mutex
    try:
        yield
    finally:
        del _held[key]
        try:
            _drop_claim(warehouse, regency)
        except sa.exc.SQLAlchemyError:
            pass  # the warehouse is gone (e.g. PostgreSQL restarted): the claim is stale once we exit
        mutex.release()


def rename(warehouse: Warehouse, regency: str, run_id: str) -> None:
    """``pdpb run`` about to launch ``run_id``: the claim names it, so a refusal names it too."""
    if (warehouse.url, regency) in _held:
        _write_claim(warehouse, regency, run_id, PROSES, os.getpid())


def step(context, warehouse: Warehouse, regency: str) -> None:
    """At the start of every step that writes a regency's rows: goes on if this process's
    ``pdpb run`` owns the regency, or once the claim is this run's; waits for another live run."""
    held = _held.get((warehouse.url, regency))
    if held is not None:
        held.verify()
        return
    run_id = context.run.run_id
    mutex = _acquire(warehouse, regency, run_id, DAGSTER, context.instance, warehouse.lock_wait_seconds,
                     f"run {run_id}")
    mutex.release()
