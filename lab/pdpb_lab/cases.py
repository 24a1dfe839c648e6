"""The one case cache of every benchmark: ``<root>/<case>/`` (default root ``var/bench``).

A case is a generated regency (``pdpb synth``'s layout: ``baseline/``, ``landing/``, ``truth/``)
named by what made it, ``<regency>-<voters>-<months>m-<seed>[-<profile>][-blank<x>][-dmy<y>]``
(regency 32.01 unless a benchmark asks for another: ``bench fleet`` needs one case per regency), and
complete when its ``DONE`` file exists. It is generated once, in a child process (so its memory
never counts against a benchmark), and afterwards only read: a benchmark writes its own files to
``<root>/work/<case>/<benchmark>/``. A case made elsewhere with the same parameters (e.g. the same
``pdpb synth --voters 1000000 --months 2 --seed 1``, with a ``DONE`` file) can be linked in as
``<root>/<case>``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REGENCY = "32.01"  # Kabupaten Bogor: the largest regency
START = "2026-01"
BENCH_DIR = Path("var/bench")


def case_name(voters: int, months: int, seed: int, profile: str = "typical", blank_dates: float = 0.0,
              dmy_dates: float = 0.0, regency: str = REGENCY) -> str:
    messy = (f"-blank{blank_dates:g}" if blank_dates else "") + (f"-dmy{dmy_dates:g}" if dmy_dates else "")
    noise = "" if profile == "typical" else f"-{profile}"
    return f"{regency}-{voters}-{months}m-{seed}{noise}{messy}"


def case_dir(root: Path, voters: int, months: int, seed: int, profile: str = "typical", blank_dates: float = 0.0,
             dmy_dates: float = 0.0, regency: str = REGENCY) -> Path:
    return Path(root) / case_name(voters, months, seed, profile, blank_dates, dmy_dates, regency)


def work_dir(root: Path, case: Path, benchmark: str) -> Path:
    """Where ``benchmark`` writes its own files for ``case`` (never inside the case)."""
    folder = Path(root) / "work" / Path(case).name / benchmark
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def generate(root: Path, voters: int, months: int, seed: int, profile: str = "typical", blank_dates: float = 0.0,
             dmy_dates: float = 0.0, regency: str = REGENCY) -> tuple[Path, dict]:
    """Generates the case (again) in a child process; returns its folder and the child's wall time
    and peak memory."""
    folder = case_dir(root, voters, months, seed, profile, blank_dates, dmy_dates, regency)
    (folder / "DONE").unlink(missing_ok=True)
    result = worker("synth", str(folder), str(voters), str(months), str(seed), profile, str(blank_dates),
                    str(dmy_dates), regency)
    (folder / "DONE").write_text("ok\n")
    return folder, result


def ensure_case(root: Path, voters: int, months: int, seed: int, profile: str = "typical",
                blank_dates: float = 0.0, dmy_dates: float = 0.0, regency: str = REGENCY) -> Path:
    """The case's folder, generated the first time it is asked for."""
    folder = case_dir(root, voters, months, seed, profile, blank_dates, dmy_dates, regency)
    if not (folder / "DONE").is_file():
        folder, _ = generate(root, voters, months, seed, profile, blank_dates, dmy_dates, regency)
    return folder


def worker(stage: str, *args: str) -> dict:
    """Runs ``pdpb_lab.bench.stages <stage> <args>`` in a fresh process; its last stdout line (JSON)."""
    completed = subprocess.run([sys.executable, "-m", "pdpb_lab.bench.stages", stage, *args],
                               capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"bench worker {stage} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
