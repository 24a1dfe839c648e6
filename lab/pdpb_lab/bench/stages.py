"""``pdpb bench synth`` and ``pdpb bench feeds``: a stage measured in a fresh worker process.

Each prints wall time and peak resident memory (the worker's own ``ru_maxrss``, so generating
the case never counts against the stage). Cases come from the one cache (``pdpb_lab.cases``).
``python -m pdpb_lab.bench.stages STAGE ARGS`` is the worker (internal: ``cases.worker`` runs it).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from ..cases import REGENCY, START, ensure_case, generate, worker


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_synth(root: Path, voters: int, months: int, seed: int) -> dict:
    """Generates the case afresh (it stays in the cache) and reports the generator's time."""
    _, result = generate(root, voters, months, seed)
    return result


def bench_feeds(root: Path, voters: int, seed: int) -> dict:
    folder = ensure_case(root, voters, 2, seed)  # the same case as `bench cycle`
    return worker("feeds", str(folder))


# Workers: run in their own process by ``cases.worker``; print one JSON line.

def _run_synth(folder: str, voters: str, months: str, seed: str, profile: str = "typical", blank_dates: str = "0",
               dmy_dates: str = "0", regency: str = REGENCY) -> dict:
    from ..synth import SynthConfig, generate

    started = time.perf_counter()
    generate(SynthConfig(regency=regency, voters=int(voters), months=int(months), start=START,
                         seed=int(seed), profile=profile, baseline_birthdate_blank=float(blank_dates),
                         baseline_birthdate_dmy=float(dmy_dates)), out_dir=Path(folder))
    return {"stage": "synth", "voters": int(voters), "months": int(months), "profile": profile,
            "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb()), "case": folder}


def _run_feeds(folder: str) -> dict:
    from dagster import AssetKey

    from pdpb_pipeline.assets.feeds import structural_checks, validation_frame
    from pdpb_pipeline.feeds import expectations
    from pdpb_pipeline.feeds.ingest import ingest
    from pdpb_pipeline.feeds.spec import AGENCIES, agency_of
    from pdpb_pipeline.resources.landing import LandingZone

    started = time.perf_counter()
    landing = LandingZone(root=folder)
    files = landing.files(REGENCY, START)
    totals = {"rows_in": 0, "accepted": 0, "quarantined": 0, "checks_failed": 0}
    for spec in AGENCIES:
        mine = [p for p in files if agency_of(p.stem) is spec]
        result = ingest(spec, mine, REGENCY, START)
        checks = structural_checks(spec, result, 0.2)
        checks += expectations.validate(AssetKey(["feed", spec.key]), expectations.load_suite(spec.key),
                                        validation_frame(result.rows, START))
        totals["rows_in"] += result.rows_in
        totals["accepted"] += result.accepted
        totals["quarantined"] += result.quarantined_rows
        totals["checks_failed"] += sum(not c.passed for c in checks)
    return {"stage": "feeds", "files": len(files), **totals,
            "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb())}


if __name__ == "__main__":
    stage, *arguments = sys.argv[1:]
    runner = {"synth": _run_synth, "feeds": _run_feeds}[stage]
    print(json.dumps(runner(*arguments)))
