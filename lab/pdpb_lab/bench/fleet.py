"""``pdpb bench fleet``: many regencies at once on the production instance's Celery cluster.

N synthetic regencies (one case each, distinct regency codes, ``cases.ensure_case``) are put in
one landing zone; ``scripts/cluster.sh`` starts a cluster of its own for the benchmark (webserver,
daemon, W Celery workers, a scratch instance and warehouse database on the PostgreSQL server, its
own Celery queue and worker names on Redis). Then, as the schedule would, every regency's runs are
*submitted* to the instance (the webserver's GraphQL ``launchRun``: the run coordinator queues
them, the daemon launches them, the workers run them): first each regency's baseline DPT load
(``pdpb_dpt_awal``), then its first month (``pdpb_bulanan``, ``2026-01``). ``--kill-one-worker``
SIGKILLs the process group of one worker while it runs a month: run monitoring must notice and
run retries run the month again on another worker.

It ends with exactly one line::

    fleet: regencies=N ok=.. failed=.. workers=.. max_parallel=.. recovered=.. wall=..s sequential=..s

about the months: ``ok`` regencies whose month succeeded (after retries), ``workers`` distinct
Celery workers that ran a successful month (run tag ``pdpb/celery_worker``), ``max_parallel`` the
most successful months in progress at once (their run start and end times), ``recovered`` months
whose run died with a worker and whose retry succeeded, ``wall`` from submitting the months to the
last one's end, ``sequential`` the sum of the successful months' own run times. Before it: the
baseline loads' line, the run times, and the check that one regency's published files (the killed
one's, else the first's) equal, file by file (sha256), those of the same regency run alone
(``pdpb run`` in its own process, on a scratch warehouse of the same server; its wall time and peak
memory are printed). Exit 1 unless every month succeeded, the files are equal and, with
``--kill-one-worker``, a killed month was recovered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..cases import START, ensure_case, work_dir
from .cycle import _timed, pdpb_command, scratch_warehouse

ROOT = Path(__file__).resolve().parents[3]
MONTH = START
BASELINE_JOB, MONTHLY_JOB = "pdpb_dpt_awal", "pdpb_bulanan"
WORKER_TAG = "pdpb/celery_worker"
FLEET_TAG = "pdpb/fleet"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"


def choose_regencies(n: int, first: str = "32.01") -> list[str]:
    """``n`` distinct regency codes with desa in the code list, from ``first`` on in code order
    (wrapping round): Jawa Barat's first, then on."""
    from pdpb_pipeline.domain import regions

    codes = list(regions.all_regencies())
    start = codes.index(first)
    out = []
    for code in codes[start:] + codes[:start]:
        if regions.desa_of(code):
            out.append(code)
        if len(out) == n:
            return out
    raise ValueError(f"only {len(out)} regencies have desa in the code list, {n} asked")


def fleet_landing(folder: Path, cases: dict[str, Path]) -> Path:
    """One landing zone holding every case's regency (links to the cases, which stay read-only)."""
    shutil.rmtree(folder, ignore_errors=True)
    for part in ("baseline", "landing"):
        (folder / part).mkdir(parents=True)
        for regency, case in cases.items():
            (folder / part / regency).symlink_to((case / part / regency).resolve())
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_env(path: Path) -> dict[str, str]:
    """The cluster's environment (``cluster.sh env``'s ``export NAME='value'`` lines)."""
    out = {}
    for line in path.read_text().splitlines():
        for part in line.removeprefix("export ").split("' "):
            if "=" in part:
                name, value = part.split("=", 1)
                out[name.strip()] = value.strip().strip("'")
    return out


@dataclass
class Cluster:
    """A cluster of ``scripts/cluster.sh`` for the benchmark alone, in ``folder``."""

    folder: Path
    workers: int
    regencies: list[str]
    landing: Path
    pg: str = DEFAULT_PG
    netns: bool = False
    name: str = field(default_factory=lambda: f"fleet{uuid.uuid4().hex[:6]}")
    port: int = field(default_factory=free_port)

    @property
    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_", "CLUSTER_"))}
        redis = os.environ.get("PDPB_REDIS_URL", "redis://127.0.0.1:6379/0")
        return env | {
            "CLUSTER_DIR": str(self.folder), "CLUSTER_WORKERS": str(self.workers), "CLUSTER_PORT": str(self.port),
            "CLUSTER_NAME": self.name, "CLUSTER_DB_PREFIX": f"pdpb_{self.name}", "PDPB_CLUSTER_PG": self.pg,
            "CLUSTER_NETNS": "1" if self.netns else "0", "PYTHON": sys.executable,
            "PDPB_REDIS_URL": redis, "PDPB_CELERY_QUEUE": f"pdpb-{self.name}",
            "PDPB_REGENCIES": ",".join(self.regencies), "PDPB_START_MONTH": START,
            "PDPB_LANDING_DIR": str(self.landing)}

    def script(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ROOT / "scripts" / "cluster.sh"), action], env=self.environ,
                              capture_output=True, text=True)

    def up(self) -> dict[str, str]:
        done = self.script("up")
        if done.returncode != 0:
            raise RuntimeError(f"cluster.sh up failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return read_env(self.folder / "env")

    def down(self) -> None:
        self.script("down")
        import sqlalchemy as sa

        server = sa.create_engine(f"{self.pg}/postgres", isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            for db in (f"pdpb_{self.name}_dagster", f"pdpb_{self.name}_gudang"):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        server.dispose()

    def worker_pid(self, node: str) -> int:
        """The process group of the worker named ``node`` (``<name>-w<i>@host``)."""
        number = node.split("@")[0].rsplit("-w", 1)[1]
        return int((self.folder / "pids" / f"worker-{number}.pid").read_text().split()[0])


#: ``--executor``: how a run runs its steps. ``in_process``: all in the worker's run process (as
#: ``pdpb run`` does, and the jobs' default run config: what the schedule submits);
#: ``multiprocess``: one process per step, which on a loaded 2-core machine spends most of a small
#: regency's run starting the steps' interpreters (16 steps, each importing Dagster, pandas,
#: pyarrow and the pipeline).
EXECUTORS = ("in_process", "multiprocess")


def submit(client, job: str, tags: dict[str, str], executor: str) -> str:
    return client.submit_job_execution(job, tags=tags, run_config={"execution": {"config": {executor: {}}}})


def partition_tags(regencies: list[str], regency: str) -> dict[str, str]:
    from pdpb_pipeline import partitions
    from pdpb_pipeline.resources.settings import LoadSettings

    monthly, _ = partitions.build(LoadSettings.from_text(",".join(regencies), START))
    return dict(monthly.get_tags_for_partition_key(f"{MONTH}-01|{regency}"))


def chains(instance, fleet: str, job: str) -> dict[str, list]:
    """The fleet's runs of ``job`` by root run (a run and its retries, oldest first)."""
    from dagster import RunsFilter

    records = instance.get_run_records(RunsFilter(job_name=job, tags={FLEET_TAG: fleet}))
    out: dict[str, list] = {}
    for record in sorted(records, key=lambda r: r.create_timestamp):
        root = record.dagster_run.tags.get("dagster/root_run_id", record.dagster_run.run_id)
        out.setdefault(root, []).append(record)
    return out


def settled(chain: list) -> bool:
    """The chain's last run has finished and no retry of it will come."""
    last = chain[-1].dagster_run
    if not last.is_finished:
        return False
    return last.status.value == "SUCCESS" or last.tags.get("dagster/will_retry") == "false"


def wait_for(instance, fleet: str, job: str, expected: int, timeout: float, on_tick=None) -> dict[str, list]:
    deadline = time.monotonic() + timeout
    while True:
        found = chains(instance, fleet, job)
        if on_tick is not None:
            on_tick(found)
        if len(found) >= expected and all(settled(c) for c in found.values()):
            return found
        if time.monotonic() > deadline:
            states = [c[-1].dagster_run.status.value for c in found.values()]
            raise RuntimeError(f"{job}: not finished after {timeout:.0f} s: {states}")
        time.sleep(2)


def max_overlap(windows: list[tuple[float, float]]) -> int:
    """The most windows open at one instant (an end before a start at the same instant)."""
    edges = sorted([(s, 1) for s, _ in windows] + [(e, -1) for _, e in windows], key=lambda x: (x[0], x[1]))
    best = now = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def summarise(found: dict[str, list], started_at: float) -> dict:
    ok_runs = [c[-1] for c in found.values() if c[-1].dagster_run.status.value == "SUCCESS"]
    windows = [(r.start_time, r.end_time) for r in ok_runs]
    seconds = [e - s for s, e in windows]
    return {
        "regencies": len(found), "ok": len(ok_runs), "failed": len(found) - len(ok_runs),
        "workers": len({r.dagster_run.tags.get(WORKER_TAG) for r in ok_runs} - {None}),
        "max_parallel": max_overlap(windows) if windows else 0,
        "recovered": sum(1 for c in found.values() if len(c) > 1 and c[-1].dagster_run.status.value == "SUCCESS"),
        "wall": round(max(e for _, e in windows) - started_at, 1) if windows else 0.0,
        "sequential": round(sum(seconds), 1),
        "run_seconds": sorted(round(s, 1) for s in seconds),
        "by_worker": {w: sum(1 for r in ok_runs if r.dagster_run.tags.get(WORKER_TAG) == w)
                      for w in sorted({r.dagster_run.tags.get(WORKER_TAG) or "?" for r in ok_runs})},
    }


def file_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def solo_run(regency: str, landing: Path, work: Path, pg: str) -> dict:
    """The regency's month run alone: ``pdpb run`` in its own process (the baseline load and the
    month, in-process executor), on a scratch warehouse of the same server; its published files."""
    shutil.rmtree(work, ignore_errors=True)
    (work / "dagster_home").mkdir(parents=True)
    (work / "dagster_home" / "dagster.yaml").touch()
    with scratch_warehouse(f"{pg}/postgres", work) as (url, _):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))}
        env |= {"PDPB_WAREHOUSE_URL": url, "PDPB_LANDING_DIR": str(landing), "PDPB_OUTPUT_DIR": str(work / "published"),
                "PDPB_SNAPSHOT_DIR": str(work / "snapshot"), "PDPB_VAR_DIR": str(work / "var"),
                "PDPB_REGENCIES": regency, "PDPB_START_MONTH": START, "DAGSTER_HOME": str(work / "dagster_home")}
        timed = _timed([*pdpb_command(), "run", "--regency", regency, "--month", MONTH], env, work / "solo")
    if timed["exit_code"] != 0:
        raise RuntimeError(f"solo `pdpb run --regency {regency}` failed: see {work / 'solo.err'}")
    return {"seconds": round(timed["seconds"], 1), "peak_mb": round(timed["peak_mb"]),
            "files": file_hashes(work / "published" / regency)}


def kill_one(instance, cluster: Cluster, fleet: str, after: float):
    """A tick function: once a month has run ``after`` seconds on a worker, SIGKILL that worker's
    process group (the worker, its pool process and the run's step processes). Returns the tick
    and a dict that receives what was killed."""
    killed: dict = {}

    def tick(found: dict[str, list]) -> None:
        if killed:
            return
        now = time.time()
        for chain in found.values():
            record = chain[-1]
            run = record.dagster_run
            node = run.tags.get(WORKER_TAG)
            if len(chain) == 1 and run.status.value == "STARTED" and node and record.start_time \
                    and now - record.start_time >= after:
                pgid = cluster.worker_pid(node)
                os.killpg(pgid, signal.SIGKILL)
                killed.update(run_id=run.run_id, worker=node, pgid=pgid, at=now,
                              regency=run.tags.get("dagster/partition/regency"))
                return

    return tick, killed


def bench_fleet(root: Path, regencies: int, voters: int, workers: int, kill_one_worker: bool = False,
                seed: int = 1, kill_after: float = 15.0, timeout: float = 3600.0, netns: bool = False,
                pg: str = DEFAULT_PG, executor: str = "in_process", echo=print) -> dict:
    from dagster import DagsterInstance
    from dagster_graphql import DagsterGraphQLClient

    codes = choose_regencies(regencies)
    generated_at = time.perf_counter()
    cases = {code: ensure_case(root, voters, 1, seed, regency=code).absolute() for code in codes}
    echo(f"cases: {regencies} regencies x {voters:,} voters ({', '.join(codes[:3])}{', ...' if regencies > 3 else ''}),"
         f" ready in {time.perf_counter() - generated_at:.1f} s")
    work = work_dir(root, Path(f"fleet-{regencies}x{voters}-{seed}"), "fleet").resolve()
    landing = fleet_landing(work / "landing", cases)
    cluster = Cluster(folder=work / "cluster", workers=workers, regencies=codes, landing=landing, pg=pg, netns=netns)
    shutil.rmtree(cluster.folder, ignore_errors=True)
    fleet = cluster.name
    report: dict = {"regencies": regencies, "voters": voters, "workers_started": workers, "fleet": fleet,
                    "executor": executor}
    try:
        env = cluster.up()
        echo(f"cluster: {workers} Celery workers ({'one in its own network namespace, ' if netns else ''}"
             f"queue {env['PDPB_CELERY_QUEUE']}), UI http://127.0.0.1:{cluster.port}; runs' steps {executor}")
        os.environ.update({k: v for k, v in env.items() if k.startswith(("DAGSTER_", "PDPB_"))})
        client = DagsterGraphQLClient("127.0.0.1", port_number=cluster.port)
        with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            started = time.time()
            for code in codes:
                submit(client, BASELINE_JOB, {"dagster/partition": code, FLEET_TAG: fleet}, executor)
            base = summarise(wait_for(instance, fleet, BASELINE_JOB, regencies, timeout), started)
            echo(f"baseline: regencies={regencies} ok={base['ok']} failed={base['failed']} "
                 f"max_parallel={base['max_parallel']} wall={base['wall']}s sequential={base['sequential']}s")
            report["baseline"] = base
            if base["failed"]:
                raise RuntimeError(f"{base['failed']} baseline loads failed")
            tick, killed = kill_one(instance, cluster, fleet, kill_after) if kill_one_worker else (None, {})
            started = time.time()
            for code in codes:
                submit(client, MONTHLY_JOB, {**partition_tags(codes, code), FLEET_TAG: fleet}, executor)
            found = wait_for(instance, fleet, MONTHLY_JOB, regencies, timeout, tick)
            months = summarise(found, started)
            if killed:
                chain = found[killed["run_id"]]
                killed["retried_on"] = chain[-1].dagster_run.tags.get(WORKER_TAG)
                killed["noticed_after"] = round(chain[0].end_time - killed["at"], 1) if chain[0].end_time else None
                killed["back_after"] = (round(chain[-1].end_time - killed["at"], 1)
                                        if len(chain) > 1 and chain[-1].end_time else None)
                echo(f"killed: worker {killed['worker']} (process group {killed['pgid']}) running "
                     f"{killed['regency']} {MONTH}; failed by run monitoring {killed['noticed_after']} s later, "
                     f"retried on {killed['retried_on']}, published {killed['back_after']} s after the kill")
            report |= {"months": months, "killed": killed}
            rs = months["run_seconds"]
            if rs:
                echo(f"month runs: {len(rs)} ok, run time min {rs[0]} s, median {round(statistics.median(rs), 1)} s, "
                     f"max {rs[-1]} s; by worker {json.dumps(months['by_worker'])}")
            fleet_files = {}
            check = killed.get("regency") or codes[0]
            fleet_files = file_hashes(Path(env["PDPB_OUTPUT_DIR"]) / check)
    finally:
        cluster.down()
    solo = solo_run(check, landing, work / "solo", pg)
    same = bool(fleet_files) and fleet_files == solo["files"]
    differ = sorted(k for k in set(fleet_files) | set(solo["files"]) if fleet_files.get(k) != solo["files"].get(k))
    echo(f"published files of {check}: {len(fleet_files)} in the fleet, {len(solo['files'])} alone, "
         + ("all equal (sha256)" if same else f"DIFFERENT: {', '.join(differ[:5])}")
         + f"; alone: `pdpb run` {solo['seconds']} s, peak {solo['peak_mb']} MB")
    report["solo"] = {"regency": check, "seconds": solo["seconds"], "peak_mb": solo["peak_mb"], "same_files": same,
                      "differ": differ}
    report["success"] = (months["ok"] == regencies and same and (not kill_one_worker or months["recovered"] >= 1))
    (work / "bench_fleet.json").write_text(json.dumps(report, indent=1, default=str))
    return report


def fleet_line(report: dict) -> str:
    m = report["months"]
    return (f"fleet: regencies={m['regencies']} ok={m['ok']} failed={m['failed']} workers={m['workers']} "
            f"max_parallel={m['max_parallel']} recovered={m['recovered']} wall={m['wall']}s "
            f"sequential={m['sequential']}s")
