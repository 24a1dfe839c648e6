"""Linkage benchmark: FEBRL4 F1 and the speed/quality of `pdpb link` on generated regencies.

    .venv/bin/python benchmarks/bench_link.py 1000000 4000000
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pdpb_pipeline.linkage import bench, link  # noqa: E402

if __name__ == "__main__":
    import febrl

    feed, roll = febrl.frames()
    print("FEBRL4", json.dumps(febrl.evaluate(link(feed, roll), feed), default=float))
    for n in [int(x) for x in sys.argv[1:]] or [1_000_000]:
        print(json.dumps(bench.run(n, seed=1, workdir=Path(f"/tmp/pdpb-bench-{n}")), default=float))
