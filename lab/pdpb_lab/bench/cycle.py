"""``pdpb bench cycle``: the whole ``pdpb run`` command of a month, timed as a user sees it, with
each step's share of it, and the published roll scored against the synthetic truth.

Two commands on a fresh warehouse, each in its own process exactly as a user types it:

* ``first_month``: ``pdpb run --regency 32.01 --month 2026-01``, which loads the baseline DPT
  (the ``dpt_baseline`` job: its duplicates are found then) and closes the first month;
* ``steady_month``: ``pdpb run --regency 32.01 --month 2026-02``.

For each: the command's wall time and peak memory (its own ``ru_maxrss``, from ``wait4`` in a
small launcher, ``launch``: a child of this process would report this process's size),
and its parts, in seconds and percent of the whole, slowest first:

* ``start-up``: before the first step starts (interpreter, imports, definitions, instance,
  launch) plus after the last step ends (the run's end, exit);
* every Dagster step, from the runs' event log in the command's ``DAGSTER_HOME`` (step start to
  step success, output handling included);
* ``between steps``: the rest (Dagster's hand-over between steps, and between the two runs of
  the first command what ``pdpb run`` and Dagster do outside any run: ``outside_runs``).

Where start-up goes is split in the JSON: ``before_first_run`` (to the first run's start event)
and the run's start to its first step; ``after_last_run``.

The parts add up to the whole. The environment of the commands: ``PDPB_WAREHOUSE_URL`` as given
(PostgreSQL: a scratch database made on that server for the benchmark and dropped afterwards;
unset or SQLite: a fresh SQLite file in the work folder), the case as ``PDPB_LANDING_DIR``, and
``DAGSTER_HOME``, published files and snapshots in ``<root>/work/<case>/cycle/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from ..cases import REGENCY, START, ensure_case, work_dir

MONTHS = (("first_month", "2026-01"), ("steady_month", "2026-02"))
STARTUP = "start-up"
BETWEEN = "between steps"


def pdpb_command() -> list[str]:
    """The ``pdpb`` a user of this environment runs: the console script beside this Python."""
    script = Path(sys.executable).with_name("pdpb")
    if script.is_file():
        return [str(script)]
    found = shutil.which("pdpb")
    return [found] if found else [sys.executable, "-m", "pdpb_pipeline.cli.app"]


@contextlib.contextmanager
def scratch_warehouse(url: str | None, work: Path):
    """The warehouse URL the commands get: a fresh database every time, never one holding data."""
    if not url or url.startswith("sqlite"):
        path = work / "warehouse.sqlite"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}", "sqlite"
        return
    import sqlalchemy as sa

    given = sa.make_url(url)
    name = f"{given.database or 'pdpb'}_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        server.connect().close()
    except sa.exc.OperationalError:  # the named database need not exist: the server's own will do
        server = sa.create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield given.set(database=name).render_as_string(hide_password=False), given.get_backend_name()
    finally:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


#: Starts the command and reports its own peak memory, not this process's (see ``launch``).
LAUNCHER = Path(__file__).with_name("launch.py")


def _timed(argv: list[str], env: dict, log: Path) -> dict:
    """Runs ``argv`` (through ``launch``); its wall time, peak memory (MB), exit code and epoch
    start/end. The wall time includes the launcher's start, a few tens of milliseconds."""
    result = log.with_suffix(".peak")
    result.unlink(missing_ok=True)
    with open(log.with_suffix(".out"), "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        started_at = time.time()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-S", str(LAUNCHER), str(result), *argv], env=env, stdout=out, stderr=err,
                       check=True)
        seconds = time.perf_counter() - started
        ended_at = time.time()
    peak_kb, exit_code = (int(v) for v in result.read_text().split())
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "exit_code": exit_code,
            "started_at": started_at, "ended_at": ended_at}


def _runs_since(instance, known: set[str]) -> list:
    return sorted((r for r in instance.get_runs() if r.run_id not in known),
                  key=lambda r: instance.get_run_stats(r.run_id).start_time or 0)  # in the order they ran


def _numbers(instance, run_id: str) -> dict[str, dict]:
    """Numeric metadata of every asset the run materialised, by asset key."""
    from dagster import DagsterEventType

    out: dict[str, dict] = {}
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        mat = entry.asset_materialization
        out[mat.asset_key.to_user_string()] = {
            k: v.value for k, v in mat.metadata.items()
            if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)}
    return out


def shares(whole: float, started_at: float, ended_at: float, steps: list[dict],
           runs: list[tuple[float, float]] = ()) -> list[dict]:
    """The parts of a command's ``whole`` seconds: start-up, each step, between steps; slowest first.

    ``steps``: ``{"name", "start", "end"}`` in epoch seconds, as the event log has them; ``runs``:
    each run's (start, end), in the order they ran (where the time outside the steps went)."""
    parts = [{"part": s["name"], "seconds": s["end"] - s["start"]} for s in steps]
    if steps:
        before = min(s["start"] for s in steps) - started_at
        after = ended_at - max(s["end"] for s in steps)
    else:  # nothing ran: all of it was start-up
        before, after = whole, 0.0
    startup = before + after
    in_steps = sum(p["seconds"] for p in parts)
    detail = {"before_first_step": round(before, 2), "after_last_step": round(after, 2)}
    if runs:
        detail["before_first_run"] = round(runs[0][0] - started_at, 2)  # the rest: the run's start to its first step
        detail["after_last_run"] = round(ended_at - runs[-1][1], 2)
    parts.append({"part": STARTUP, "seconds": startup, **detail})
    between = {"outside_runs": round(sum(b[0] - a[1] for a, b in zip(runs, runs[1:])), 2)} if len(runs) > 1 else {}
    parts.append({"part": BETWEEN, "seconds": whole - startup - in_steps, **between})
    for p in parts:
        p["percent"] = round(100 * p["seconds"] / whole, 1) if whole else 0.0
        p["seconds"] = round(p["seconds"], 2)
    return sorted(parts, key=lambda p: -p["seconds"])


def _command(label: str, month: str, env: dict, work: Path, home: Path) -> dict:
    from dagster import DagsterInstance, DagsterRunStatus

    argv = [*pdpb_command(), "run", "--regency", REGENCY, "--month", month]
    with DagsterInstance.from_config(str(home)) as instance:
        known = {r.run_id for r in instance.get_runs()}
    timed = _timed(argv, env, work / label)
    if timed["exit_code"] != 0:
        from pdpb_pipeline.domain.nik import mask_text

        tail = (work / f"{label}.err").read_text(errors="replace")[-3000:]
        tail += (work / f"{label}.out").read_text(errors="replace")[-3000:]
        raise RuntimeError(mask_text(f"`pdpb run --month {month}` failed (exit {timed['exit_code']}):\n{tail}"))
    runs, steps, windows, figures = [], [], [], {}
    with DagsterInstance.from_config(str(home)) as instance:
        for run in _runs_since(instance, known):
            stats = instance.get_run_stats(run.run_id)
            run_steps = [s for s in instance.get_run_step_stats(run.run_id) if s.start_time and s.end_time]
            runs.append({"job": run.job_name, "run_id": run.run_id, "status": run.status.value,
                         "success": run.status == DagsterRunStatus.SUCCESS,
                         "seconds": round((stats.end_time or 0) - (stats.start_time or 0), 2),
                         "steps": len(run_steps)})
            windows.append((stats.start_time or 0, stats.end_time or 0))
            steps += [{"name": s.step_key, "job": run.job_name, "start": s.start_time, "end": s.end_time}
                      for s in run_steps]
            figures |= _numbers(instance, run.run_id)
    names = [s["name"] for s in steps]
    for s in steps:  # a step key in two runs of the command is named with its job
        if names.count(s["name"]) > 1:
            s["name"] = f"{s['job']}:{s['name']}"
    whole = timed["seconds"]
    return {"command": " ".join(["pdpb", *argv[len(pdpb_command()):]]), "month": month,
            "seconds": round(whole, 2), "peak_mb": round(timed["peak_mb"]),
            "success": bool(runs) and all(r["success"] for r in runs), "runs": runs,
            "parts": shares(whole, timed["started_at"], timed["ended_at"], steps, windows), "_figures": figures}


def bench_cycle(root: Path, voters: int, seed: int, blank_dates: float = 0.0, dmy_dates: float = 0.0,
                warehouse_url: str | None = None) -> dict:
    """The two commands on the cached case, scored; the report is also written to
    ``<root>/work/<case>/cycle/bench_cycle.json``."""
    from pdpb_pipeline.resources.warehouse import Warehouse

    from ..scoring import score_month

    case = ensure_case(root, voters, 2, seed, blank_dates=blank_dates, dmy_dates=dmy_dates).absolute()
    work = work_dir(root, case, "cycle").resolve()
    for old in work.iterdir():  # a fresh instance, output and snapshot every time
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    home = work / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").touch()  # the local instance: SQLite run and event storage in DAGSTER_HOME
    url = warehouse_url if warehouse_url is not None else os.environ.get("PDPB_WAREHOUSE_URL")
    report: dict = {"stage": "cycle", "regency": REGENCY, "voters": voters, "seed": seed, "case": str(case)}
    with scratch_warehouse(url, work) as (run_url, dialect):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PDPB_", "DAGSTER_"))}
        env |= {"PDPB_WAREHOUSE_URL": run_url, "PDPB_LANDING_DIR": str(case),
                "PDPB_OUTPUT_DIR": str(work / "published"), "PDPB_SNAPSHOT_DIR": str(work / "snapshot"),
                "PDPB_VAR_DIR": str(work / "var"), "PDPB_REGENCIES": REGENCY, "PDPB_START_MONTH": START,
                "DAGSTER_HOME": str(home)}
        report["warehouse"] = dialect
        warehouse = Warehouse(url=run_url)
        try:
            for label, month in MONTHS:
                command = _command(label, month, env, work, home)
                figures = command.pop("_figures")
                if label == "first_month":
                    dpt = figures.get("dpt_baseline", {})
                    command["baseline"] = {"ganda": dpt.get("pasangan_ganda"),
                                           "tanggal_lahir_kosong": dpt.get("kosong_tanggal_lahir"),
                                           "tanggal_lahir_tak_terbaca": dpt.get("tak_terbaca_tanggal_lahir")}
                command["recap"] = figures.get("rekap", {})
                command["score"] = score_month(warehouse, case, REGENCY, month)
                report[label] = command
        finally:
            warehouse.engine.dispose()
    (work / "bench_cycle.json").write_text(json.dumps(report, indent=1, default=str))
    report["json"] = str(work / "bench_cycle.json")
    return report


def format_cycle(report: dict) -> str:
    """The report as a table per command: the whole, then its parts, slowest first."""
    lines = [f"pdpb bench cycle: regency {report['regency']}, {report['voters']:,} voters (seed {report['seed']}), "
             f"warehouse {report['warehouse']}"]
    for label, _ in MONTHS:
        c = report[label]
        s = c["score"]
        lines += ["", f"{label.replace('_', ' ')}: {c['command']}",
                  f"  {'whole command':<34} {c['seconds']:8.2f} s  100.0%   peak {c['peak_mb']:,} MB"]
        for p in c["parts"]:
            detail = ", ".join(f"{k.replace('_', ' ')} {v:.2f} s" for k, v in p.items()
                               if k not in ("part", "seconds", "percent"))
            lines.append(f"  {p['part']:<34} {p['seconds']:8.2f} s  {p['percent']:5.1f}%" + (f"   ({detail})" if detail else ""))
        lines.append(f"  quality: {s['salah_hapus']} wrong removals, {s['salah_tambah']} wrong additions, "
                     f"{s['kurang']['terlewat'] + s['lebih']['terlewat']} reported changes missed; "
                     f"{s['pemilih_terbit']:,} voters published, {s['pemilih_benar']:,} true")
    lines.append(f"\nJSON: {report['json']}")
    return "\n".join(lines)
