"""Benchmarks named by the issues: each stage is measured in a fresh worker process.

``pdpb bench synth|feeds|link --voters N`` prints wall time and peak resident memory (the
worker's own ``ru_maxrss``, so generating the test case never counts against the stage).
Synthetic cases are cached under ``var/bench/<regency>-<voters>-<seed>``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_REGENCY = "32.01"  # Kabupaten Bogor: the largest regency


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(stage: str, *args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "pdpb_pipeline.bench", stage, *args], capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench worker {stage} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def case_dir(root: Path, voters: int, months: int, seed: int, blank_dates: float = 0.0, dmy_dates: float = 0.0
             ) -> Path:
    """A case's folder; a DPT with messy birth dates (shares blank, DD-MM-YYYY) is its own case."""
    messy = (f"-blank{blank_dates:g}" if blank_dates else "") + (f"-dmy{dmy_dates:g}" if dmy_dates else "")
    return root / f"{BENCH_REGENCY}-{voters}-{months}m-{seed}{messy}"


def ensure_case(root: Path, voters: int, months: int, seed: int, blank_dates: float = 0.0,
                dmy_dates: float = 0.0) -> Path:
    """Generates the synthetic regency once; later benchmarks reuse it."""
    folder = case_dir(root, voters, months, seed, blank_dates, dmy_dates)
    if not (folder / "DONE").is_file():
        _worker("synth", str(folder), str(voters), str(months), str(seed), str(blank_dates), str(dmy_dates))
        (folder / "DONE").write_text("ok\n")
    return folder


def bench_synth(root: Path, voters: int, months: int, seed: int) -> dict:
    folder = case_dir(root, voters, months, seed)
    result = _worker("synth", str(folder), str(voters), str(months), str(seed))
    (folder / "DONE").write_text("ok\n")
    return result


def bench_feeds(root: Path, voters: int, seed: int) -> dict:
    folder = ensure_case(root, voters, 2, seed)  # the same case as `bench cycle`
    return _worker("feeds", str(folder))


def bench_cycle(root: Path, voters: int, seed: int, blank_dates: float = 0.0, dmy_dates: float = 0.0) -> dict:
    """A whole month of one regency through Dagster, each in its own process: loading the
    baseline DPT (once per regency: its duplicates are found then), the first month and a
    steady month. ``blank_dates`` / ``dmy_dates``: shares of DPT birth dates written blank or
    DD-MM-YYYY."""
    folder = ensure_case(root, voters, 2, seed, blank_dates, dmy_dates)
    work = folder / "cycle"
    if work.exists():
        import shutil

        shutil.rmtree(work)
    baseline = _worker("cycle", str(folder), "baseline")
    first = _worker("cycle", str(folder), "2026-01")
    second = _worker("cycle", str(folder), "2026-02")
    return {"stage": "cycle", "voters": voters, "baseline_load": baseline, "first_month": first, "steady_month": second}


# Workers: run in their own process by ``_worker``; print one JSON line.

def _run_synth(folder: str, voters: str, months: str, seed: str, blank_dates: str = "0", dmy_dates: str = "0") -> dict:
    from .synth import SynthConfig, generate

    started = time.perf_counter()
    generate(SynthConfig(regency=BENCH_REGENCY, voters=int(voters), months=int(months), start="2026-01",
                         seed=int(seed), baseline_birthdate_blank=float(blank_dates),
                         baseline_birthdate_dmy=float(dmy_dates)), out_dir=Path(folder))
    return {"stage": "synth", "voters": int(voters), "months": int(months),
            "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb())}


def _run_feeds(folder: str) -> dict:
    from dagster import AssetKey

    from .assets.feeds import structural_checks, validation_frame
    from .feeds import expectations
    from .feeds.ingest import ingest
    from .feeds.spec import AGENCIES, agency_of
    from .resources.landing import LandingZone

    started = time.perf_counter()
    landing = LandingZone(root=folder)
    files = landing.files(BENCH_REGENCY, "2026-01")
    totals = {"rows_in": 0, "accepted": 0, "quarantined": 0, "checks_failed": 0}
    for spec in AGENCIES:
        mine = [p for p in files if agency_of(p.stem) is spec]
        result = ingest(spec, mine, BENCH_REGENCY, "2026-01")
        checks = structural_checks(spec, result, 0.2)
        checks += expectations.validate(AssetKey(["feed", spec.key]), expectations.load_suite(spec.key),
                                        validation_frame(result.rows, "2026-01"))
        totals["rows_in"] += result.rows_in
        totals["accepted"] += result.accepted
        totals["quarantined"] += result.quarantined_rows
        totals["checks_failed"] += sum(not c.passed for c in checks)
    return {"stage": "feeds", "files": len(files), **totals,
            "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb())}


def _run_cycle(folder: str, month: str) -> dict:
    import os

    work = Path(folder) / "cycle"
    work.mkdir(exist_ok=True)
    os.environ.setdefault("PDPB_WAREHOUSE_URL", f"sqlite:///{work / 'warehouse.sqlite'}")
    from dagster import DagsterInstance

    from .definitions import build_definitions, from_environment, usable
    from .resources.landing import LandingZone
    from .resources.settings import LoadSettings, Publication
    from .resources.warehouse import Warehouse
    from .cli.runner import ensure_baseline, run_regency
    from .scoring import score_month

    _, configured = from_environment()
    found = {key: usable(resource) for key, resource in configured.items()}
    warehouse = Warehouse(url=found["warehouse"].url, snapshot_dir=str(work / "snapshot"),
                          lock_wait_seconds=found["warehouse"].lock_wait_seconds)
    publication = Publication(output_dir=str(work / "published"), polling_day=found["publication"].polling_day,
                              mask_keep=found["publication"].mask_keep)
    defs = build_definitions(LoadSettings(regencies=(BENCH_REGENCY,), start_month="2026-01"),
                             {**found, "warehouse": warehouse, "landing": LandingZone(root=folder),
                              "publication": publication})
    started = time.perf_counter()
    with DagsterInstance.ephemeral() as instance:
        if month == "baseline":
            outcomes = [o for o in [ensure_baseline(defs, instance, BENCH_REGENCY)] if o is not None]
        else:
            outcomes = run_regency(defs, instance, BENCH_REGENCY, month)
    seconds = round(time.perf_counter() - started, 2)
    peak = round(_peak_mb())
    if not all(o.success for o in outcomes):
        raise SystemExit(f"run failed: {[o.failed_steps or o.failed_checks for o in outcomes]}")
    measured = {"warehouse": warehouse.url.split(":")[0], "seconds": seconds, "peak_mb": peak,
                "steps": {k: v for o in outcomes for k, v in o.step_seconds.items()}}
    if month == "baseline":
        figures = outcomes[0].metadata.get("dpt_baseline", {}) if outcomes else {}
        return {"job": "dpt_baseline", **measured, "ganda": figures.get("pasangan_ganda"),
                "tanggal_lahir_kosong": figures.get("kosong_tanggal_lahir"),
                "tanggal_lahir_tak_terbaca": figures.get("tak_terbaca_tanggal_lahir")}
    score = score_month(warehouse, Path(folder), BENCH_REGENCY, month)
    return {"month": month, **measured,
            "recap": outcomes[-1].metadata.get("rekap", {}), "score": score}


if __name__ == "__main__":
    stage, *arguments = sys.argv[1:]
    runner = {"synth": _run_synth, "feeds": _run_feeds, "cycle": _run_cycle}[stage]
    print(json.dumps(runner(*arguments)))
