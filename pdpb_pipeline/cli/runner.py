"""Runs partitions through Dagster the way the monthly schedule does, for the CLI and tests.

Each month is one run of the monthly job on the instance in ``DAGSTER_HOME``, tagged with its
partition like a scheduled run, so it shows in the UI beside them. Months run in order; the
first failure stops the range. A regency's baseline DPT is loaded first when it is not in the
warehouse yet (or its file changed). The whole command owns the regency
(``resources.regency_lock``): a second run of it waits, then refuses, naming this one.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from dagster import DagsterInstance, Definitions, MultiPartitionKey
from sqlalchemy.pool import Pool

from ..definitions import BASELINE_JOB, MONTHLY_JOB, usable_resources
from ..partitions import Partition, Period
from ..resources import regency_lock
from ..resources.landing import LandingZone, sha256
from ..resources.warehouse import LOST, Warehouse, lost_connection
from ..roll import penarikan, store


class RunError(Exception):
    """A request that cannot be run as asked (unknown regency, month outside the partitions,
    the regency busy with another run)."""


@dataclass
class RunOutcome:
    job: str
    partition: str
    run_id: str
    success: bool
    failed_checks: list[str] = field(default_factory=list)
    #: what a failed check said (its description), by the ``failed_checks`` entry
    check_messages: dict[str, str] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    metadata: dict[str, dict[str, object]] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)


def month_range(first: str, last: str) -> list[str]:
    """``YYYY-MM`` months from ``first`` to ``last`` inclusive."""
    def index(month: str) -> int:
        try:
            year, mon = (int(x) for x in month.split("-"))
        except ValueError:
            raise RunError(f"month {month!r} is not YYYY-MM") from None
        if not 1 <= mon <= 12:
            raise RunError(f"month {month!r} is not YYYY-MM")
        return year * 12 + mon - 1

    a, b = index(first), index(last)
    if b < a:
        raise RunError(f"--to {last} is before --month {first}")
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(a, b + 1)]


def _outcome(job: str, partition: str, result) -> RunOutcome:
    outcome = RunOutcome(job=job, partition=partition, run_id=result.run_id, success=result.success)
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            severity = evaluation.severity.value
            text = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name} ({severity})"
            outcome.failed_checks.append(text)
            if evaluation.description:
                outcome.check_messages[text] = evaluation.description
    for event in result.all_events:
        if event.is_step_success:
            outcome.step_seconds[event.step_key] = round(event.event_specific_data.duration_ms / 1000, 2)
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error.cause is not None:  # Dagster wraps the error the code raised
                error = error.cause
            message = error.message.strip()
            if error.cls_name == "LostWarehouse":
                message = message.split(": ", 1)[-1]  # the text, without the exception's module path
            elif lost_connection(message):
                message = f"{LOST} ({message.splitlines()[0]})"
            outcome.failed_steps.append(f"{event.step_key}: {message}")
    for mat in result.get_asset_materialization_events():
        materialization = mat.event_specific_data.materialization
        outcome.metadata[materialization.asset_key.to_user_string()] = {
            k: v.value for k, v in materialization.metadata.items()
            if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)
        }
    return outcome


def baseline_is_current(warehouse: Warehouse, landing: LandingZone, regency: str) -> bool:
    path = landing.baseline_file(regency)
    if not path.is_file():
        return False
    load = warehouse.table("baseline_load")
    with warehouse.engine.connect() as conn:
        loaded = conn.execute(sa.select(load.c.sha256).where(load.c.regency == regency)).scalar()
    return loaded == sha256(path)


def _run_config(log_level: str, rewind: bool = False) -> dict:
    config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if rewind:
        config["ops"] = {"pemutakhiran_dpb": {"config": {"tarik_bulan_berikutnya": True}}}
    return config


@contextmanager
def sqlite_shards_open(instance: DagsterInstance, run_id: str | None = None) -> Iterator[list[str]]:
    """Keeps the instance's SQLite files open for the block when its storage is the default SQLite
    one (``DAGSTER_HOME`` with no storage configured): the run storage and the event log's index
    shard, or, given ``run_id``, that run's own shard (created here, as Dagster would on its first
    event). Yields the files held.

    Dagster's SQLite storage opens a new connection for each event it records and closes it
    again; when that connection is the file's last one, SQLite checkpoints the write-ahead log
    into the database and deletes it, so every event paid a checkpoint (about 8 ms; a month
    records some 400 events: one per step output and two per asset check). One idle connection
    of ours (no transaction open, so it blocks no writer or checkpoint) keeps the log in place
    between events; SQLite still checkpoints it as it grows, and when the block ends. On
    PostgreSQL storage (production ``dagster.yaml``) this does nothing.
    """
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage

    paths: list[str] = []
    events = instance.event_log_storage
    if isinstance(events, SqliteEventLogStorage):
        if run_id is None:
            with events.index_connection():
                pass  # creates the index shard on a new instance
            paths.append(events.path_for_shard(INDEX_SHARD_NAME))
        else:
            with events.run_connection(run_id):
                pass  # creates the run's shard, as its first event would
            paths.append(events.path_for_shard(run_id))
    runs_url = getattr(instance.run_storage, "_conn_string", "")
    if run_id is None and isinstance(runs_url, str) and runs_url.startswith("sqlite:"):
        database = sa.make_url(runs_url).database
        if database and database != ":memory:":
            paths.append(database)
    with ExitStack() as stack:
        for path in paths:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            stack.callback(conn.close)
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the file, ends the read
        yield paths


def _instance_sqlite_dirs(instance: DagsterInstance) -> list[str]:
    """The folders of the instance's SQLite files (event log shards, runs, schedules), when its
    storage is SQLite files; empty otherwise."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    dirs = []
    events = instance.event_log_storage
    if isinstance(events, SqliteEventLogStorage):
        dirs.append(os.path.dirname(events.path_for_shard("index")))
    for storage in (instance.run_storage, instance.schedule_storage):
        url = getattr(storage, "_conn_string", "")
        if isinstance(url, str) and url.startswith("sqlite:"):
            database = sa.make_url(url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                dirs.append(os.path.dirname(os.path.abspath(database)))
    return sorted({os.path.realpath(d) for d in dirs})


@contextmanager
def sqlite_commits_unsynced(instance: DagsterInstance) -> Iterator[list[str]]:
    """For the block, the SQLite connections this process opens on the instance's own files
    commit without waiting for the disk (``PRAGMA synchronous=NORMAL``); yields their folders
    (empty: storage that is not SQLite files, nothing changes).

    Dagster's SQLite storage keeps its files in write-ahead-log mode with SQLite's default
    ``synchronous=FULL``: every commit waits for an fsync of the log (3-4 ms on this machine's
    disk, more when it is busy), and a month records some 400 events in about 1,500 commits (an
    asset check's event goes to the run's shard and twice to the index shard). With ``NORMAL``
    a commit is written to the log without the fsync; it is still atomic and survives a crash of
    the process; only a power loss or an OS crash can lose the last commits before a checkpoint.
    For a laptop's run history that is acceptable; production keeps the instance on PostgreSQL
    (``deploy/production``), where this does nothing. The setting is per connection: it is made
    as each connection opens (SQLAlchemy's pool ``connect`` event, which Dagster's engines
    fire), for files in the instance's folders only: the warehouse's connections, SQLite or
    PostgreSQL, are left as they are.
    """
    dirs = _instance_sqlite_dirs(instance)
    if not dirs:
        yield dirs
        return
    prefixes = tuple(d.rstrip(os.sep) + os.sep for d in dirs)

    def relax(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        for _seq, name, path in dbapi_connection.execute("PRAGMA database_list").fetchall():
            if name == "main" and path and os.path.realpath(path).startswith(prefixes):
                dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    sa.event.listen(Pool, "connect", relax)
    try:
        yield dirs
    finally:
        sa.event.remove(Pool, "connect", relax)


def _new_run_id(warehouse: Warehouse, regency: str) -> str:
    """The id of the run about to be launched, named on the regency's claim beforehand."""
    run_id = str(uuid.uuid4())
    regency_lock.rename(warehouse, regency, run_id)
    return run_id


def ensure_baseline(defs: Definitions, instance: DagsterInstance, regency: str, log_level: str = "WARNING"
                    ) -> RunOutcome | None:
    """Loads the regency's baseline DPT (and finds its duplicates) unless the warehouse holds
    that very file already; None when nothing had to be done."""
    resources = usable_resources(defs)  # outside a run: the environment's values of EnvVar fields
    if baseline_is_current(resources["warehouse"], resources["landing"], regency):
        return None
    run_id = _new_run_id(resources["warehouse"], regency)
    with sqlite_shards_open(instance, run_id):
        result = defs.resolve_job_def(BASELINE_JOB).execute_in_process(
            run_config=_run_config(log_level), instance=instance, partition_key=regency, raise_on_error=False,
            run_id=run_id,
        )
    return _outcome(BASELINE_JOB, regency, result)


def run_regency(
    defs: Definitions,
    instance: DagsterInstance,
    regency: str,
    first: str,
    last: str | None = None,
    log_level: str = "WARNING",
    rewind: bool = False,
) -> list[RunOutcome]:
    """Materialises the monthly partitions ``first``..``last`` of one regency, in order. A month
    with later months published is refused unless ``rewind``: then its run withdraws them
    (``roll.penarikan``)."""
    months = month_range(first, last or first)
    monthly = defs.resolve_job_def(MONTHLY_JOB)
    partitions_def = monthly.partitions_def
    regencies = partitions_def.get_partitions_def_for_dimension("regency").get_partition_keys()
    if regency not in regencies:
        raise RunError(f"regency {regency} is not enabled (PDPB_REGENCIES)")
    known_months = set(partitions_def.get_partitions_def_for_dimension("month").get_partition_keys())
    for month in months:
        if f"{month}-01" not in known_months:
            raise RunError(
                f"month {month} is not a partition: months run from PDPB_START_MONTH to the last "
                "complete month"
            )

    run_config = _run_config(log_level, rewind)
    warehouse = usable_resources(defs)["warehouse"]
    try:
        with regency_lock.hold(warehouse, regency, instance, run_id=str(uuid.uuid4())), \
                sqlite_commits_unsynced(instance), sqlite_shards_open(instance):
            return _run_months(defs, instance, regency, months, run_config, log_level, rewind)
    except regency_lock.RegencyBusy as error:
        raise RunError(str(error)) from None


def _run_months(defs: Definitions, instance: DagsterInstance, regency: str, months: list[str], run_config: dict,
                log_level: str, rewind: bool) -> list[RunOutcome]:
    monthly = defs.resolve_job_def(MONTHLY_JOB)
    outcomes: list[RunOutcome] = []
    resources = usable_resources(defs)  # outside a run: the environment's values of EnvVar fields
    try:  # refused before anything is launched
        store.previous_roll_month(resources["warehouse"], regency, months[0], resources["bulan_awal"].of(regency))
        penarikan.refuse_unless_asked(resources["warehouse"], regency, months[0], rewind)
    except store.MonthOrderError as error:
        raise RunError(str(error)) from None
    baseline = ensure_baseline(defs, instance, regency, log_level)
    if baseline is not None:
        outcomes.append(baseline)
        if not baseline.success or any("(ERROR)" in c for c in baseline.failed_checks):
            baseline.success = False  # e.g. too many unreadable values: the DPT was not loaded
            return outcomes
    for month in months:  # each month is launched after the one before it is published (or the range stops)
        key = Partition(regency=regency, month=month).key
        run_id = _new_run_id(resources["warehouse"], regency)
        with sqlite_shards_open(instance, run_id):
            result = monthly.execute_in_process(
                run_config=run_config, run_id=run_id,
                instance=instance, partition_key=MultiPartitionKey(key.keys_by_dimension), raise_on_error=False
            )
        outcome = _outcome(MONTHLY_JOB, f"{regency} {month}", result)
        outcomes.append(outcome)
        if not outcome.success or any("(ERROR)" in c for c in outcome.failed_checks):
            outcome.success = False
            break
    return outcomes


def run_rollup(defs: Definitions, instance: DagsterInstance, tingkat: str, wilayah: str, period: Period,
               log_level: str = "WARNING") -> RunOutcome:
    """Materialises one roll-up partition (``assets.rollup``): the ``tingkat`` recap of unit
    ``wilayah`` (regency ``32.01``, province ``32``, nation ``ID``) for ``period``, through its job,
    as its schedule does. ``success`` with no ``rekap_*`` metadata: the period was incomplete."""
    from ..assets import rollup

    spec = rollup.by_name(tingkat, period.grain) if (tingkat, period.grain) != ("kabupaten", "bulan") else None
    if spec is None:
        raise RunError("a regency's month is `pdpb run --regency R --month YYYY-MM`")
    job = defs.resolve_job_def(spec.job_name)
    units = job.partitions_def.get_partitions_def_for_dimension(spec.unit_dimension).get_partition_keys()
    if wilayah not in units:
        raise RunError(f"{spec.unit_dimension} {wilayah} has no enabled regency (PDPB_REGENCIES)")
    if period.key not in job.partitions_def.get_partitions_def_for_dimension("periode").get_partition_keys():
        raise RunError(f"period {period.label} is not a partition: periods run from PDPB_START_MONTH's to the "
                       "last complete one")
    key = MultiPartitionKey({"periode": period.key, spec.unit_dimension: wilayah})
    with sqlite_commits_unsynced(instance), sqlite_shards_open(instance):
        result = job.execute_in_process(run_config=_run_config(log_level), instance=instance, partition_key=key,
                                        raise_on_error=False)
    outcome = _outcome(spec.job_name, f"{wilayah} {period.label}", result)
    outcome.success = outcome.success and not any("(ERROR)" in c for c in outcome.failed_checks)
    return outcome
