"""``pdpb bench link --voters N``: build a roll of N voters and a feed of N/50 rows, run the
``pdpb link`` file contract in a child process under ``/usr/bin/time -v``, score it.

The case comes from ``benchmarks/fake.py`` (vectorised stand-in generator with truth; the
``pdpb_pipeline.synth`` generator had not landed when this was written).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def run(voters: int, seed: int = 1, feed: int | None = None, workdir: Path | None = None) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import evaluate
    import fake

    feed = feed or max(voters // 50, 100)
    work = Path(workdir or tempfile.mkdtemp(prefix="pdpb-bench-"))
    roll_csv, feed_csv, truth_csv = fake.write_case(voters, feed, work, seed)
    out_csv = work / "links.csv"
    code = ("import sys, json; from pdpb_pipeline.linkage import link_files; "
            "print(json.dumps(link_files(sys.argv[1], sys.argv[2], sys.argv[3]), default=float))")
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", code, str(feed_csv), str(roll_csv), str(out_csv)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    links = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    truth = pd.read_csv(truth_csv, dtype=str, keep_default_na=False)
    q = evaluate.quality(links, truth)
    return {"voters": voters, "feed_rows": feed, "seed": seed, "wall_seconds": seconds,
            "peak_rss_mb": rss_kb / 1024, **q, "command": " ".join(cmd[:3] + ["<link_files>"] + cmd[5:])}
