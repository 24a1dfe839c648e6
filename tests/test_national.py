"""The national month on paper (`pdpb bench national`, lab/pdpb_lab/bench/national.py): the size
model keeps its two public facts, the run model gives back the measured runs, and the packing
behaves as a cluster does (more nodes never slower, the largest regency a floor, memory and the
run queue's limits respected)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pdpb_lab.bench.national import (LARGEST, MEASURED, NATIONAL_VOTERS, REGENCIES, Limits, RunModel,
                                     regency_sizes, schedule)
from tests.test_deployment import ROOT, clean_environment

SIZES = regency_sizes()


def test_the_size_model_keeps_the_national_total_and_the_largest_regency():
    assert len(SIZES) == REGENCIES == 514
    assert sum(SIZES) == NATIONAL_VOTERS == 204_800_000
    assert SIZES[0] == LARGEST == 3_900_000
    assert SIZES == sorted(SIZES, reverse=True) and SIZES[-1] > 0
    # a skewed spread: most regencies are well under the mean, a few are millions
    mean = NATIONAL_VOTERS / REGENCIES
    assert SIZES[len(SIZES) // 2] < mean
    assert 5 <= sum(1 for s in SIZES if s >= 2_000_000) <= 20
    with pytest.raises(ValueError):
        regency_sizes(total=1_000_000, count=514, largest=1_000)  # a mean above the largest


def test_the_run_model_gives_back_the_measured_runs():
    steady, first = RunModel("steady"), RunModel("first")
    for voters, (seconds, gb) in MEASURED["steady"].items():
        assert steady.peak_gb(voters) == pytest.approx(gb)
    assert steady.seconds(4_000_000) == pytest.approx(82.8, rel=0.02)
    assert steady.seconds(1_000_000) == pytest.approx(20.65, rel=0.15)  # the fixed start-up costs the fit here
    for voters, (seconds, gb) in MEASURED["first"].items():
        assert first.seconds(voters) == pytest.approx(seconds)
        assert first.peak_gb(voters) == pytest.approx(gb)
    assert steady.seconds(0) > 0  # a start-up


def test_one_node_works_through_all_the_regencies_and_many_nodes_wait_for_the_largest():
    model = RunModel()
    work = sum(model.seconds(v) for v in SIZES)
    one = schedule(SIZES, 1, model)
    assert one.wall_s == pytest.approx(work / 2, rel=0.01)  # two cores, always busy
    walls = [schedule(SIZES, n, model).wall_s for n in (1, 2, 5, 10, 20, 40, 80, 257)]
    assert walls == sorted(walls, reverse=True)  # more nodes are never slower
    everyone = schedule(SIZES, 257, model)  # a core for every regency
    assert everyone.wall_s == pytest.approx(model.seconds(LARGEST))
    assert everyone.bound == "largest regency" and one.bound == "cores"


def test_memory_and_the_run_queue_limit_hold_back_the_runs():
    model = RunModel()
    small_nodes = Limits(node_memory_gb=7.0)  # one large regency per node at a time
    assert schedule(SIZES, 10, model, small_nodes).wall_s > schedule(SIZES, 10, model).wall_s
    with pytest.raises(ValueError, match="more than a node's 4.0 GB"):
        schedule(SIZES, 10, model, Limits(node_memory_gb=4.0))
    capped = schedule(SIZES, 257, model, Limits(max_concurrent_runs=40))
    assert capped.wall_s == pytest.approx(schedule(SIZES, 20, model).wall_s, rel=0.02)
    assert capped.bound == "run queue limit"
    slow_daemon = schedule(SIZES, 257, model, Limits(dequeue_per_second=1.0))
    assert slow_daemon.wall_s >= (REGENCIES - 1) / 1.0
    assert slow_daemon.bound == "dequeue rate"


def test_pdpb_bench_national_prints_the_table(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pdpb_pipeline.cli", "bench", "national", "--nodes", "1,257"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env=clean_environment(tmp_path, PYTHONPATH=f"{ROOT}:{ROOT / 'lab'}"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "514 regencies, 204,800,000 voters" in done.stdout
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 1 |") or line.startswith("| 257 |")]
    assert len(rows) == 2 and "| cores |" in rows[0] and "largest regency" in rows[1], done.stdout
    # the writes each row implies: the measured steady month's rows per voter over the wall time
    from pdpb_lab.bench.national import WAREHOUSE_ROWS_PER_VOTER, national

    [row] = national((257,))["rows"]
    assert row["warehouse_rows_per_s"] == pytest.approx(WAREHOUSE_ROWS_PER_VOTER * NATIONAL_VOTERS / row["wall_s"],
                                                        rel=1e-3)
    assert national((257,), month="first")["rows"][0]["warehouse_rows_per_s"] is None  # measured for steady only
    bad = subprocess.run([sys.executable, "-m", "pdpb_pipeline.cli", "bench", "national", "--nodes", "many"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env=clean_environment(tmp_path, PYTHONPATH=f"{ROOT}:{ROOT / 'lab'}"))
    assert bad.returncode == 2 and "--nodes" in bad.stderr
