"""The national month on paper (`pdpb bench national`): how long one month of all 514
regencies/cities takes on N Kubernetes nodes, from measured per-regency figures and a stated
model of regency sizes. Nothing here runs the pipeline; every input is either a figure measured
on this project's benchmark machine (``MEASURED``, README "Measured figures") or an assumption
named as one (``Limits``), and the output says which.

- **Regency sizes** (``regency_sizes``): not per-regency data (none is used or invented), a
  log-normal model fitted to two public facts: the national DPT of the 2024 election, 204.8 M
  voters over 514 regencies/cities (mean 398 k), and the largest, Kabupaten Bogor, 3.9 M. The
  514 sizes are the model's quantiles ``(i - 0.5) / 514``, its two parameters chosen so that the
  largest quantile is 3.9 M and the sizes add up to 204.8 M exactly.
- **One run per regency** (``RunModel``): a steady month's time is a fixed start-up plus a time per
  voter, the start-up the measured one (3.0 s of the 1M run), the per-voter time fitted by least
  squares to the two measured runs (1M: 20.4-20.9 s, 4M: 82.8 s, whole `pdpb run` command,
  PostgreSQL warehouse, 2-core machine); peak memory the line through the two measured peaks
  (1.85 GB, 6.43 GB). A first month (with the baseline DPT load) grows faster than linearly
  (deduplicating the DPT): a power law through its two measured runs (1M: 44.8 s, 4M: 278.5 s).
- **Packing** (``schedule``): greedy longest-first onto nodes of 2 cores and a memory size, one
  run per core, a run starting on a node only when its memory fits beside the runs already
  there; at most ``max_concurrent_runs`` at once (the run queue's global limit) and runs
  launched no faster than the daemon's dequeue rate.
- **Writes** (steady month only): the warehouse rows and Dagster events per second each row
  implies, from what a measured steady month wrote (``WAREHOUSE_ROWS_PER_VOTER``, scaled with
  voters, and ``EVENTS_PER_RUN``); whether PostgreSQL takes them is not modelled.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace
from statistics import NormalDist

NATIONAL_VOTERS = 204_800_000  # DPT of the 2024 general election (KPU), all regencies/cities
REGENCIES = 514
LARGEST = 3_900_000  # Kabupaten Bogor, DPT 2024

#: Measured on the project's 2-core benchmark machine, PostgreSQL warehouse, the whole `pdpb run`
#: command (README "Measured figures"; step 8 as landed): voters -> (seconds, peak GB).
MEASURED = {
    "steady": {1_000_000: (20.65, 1.85), 4_000_000: (82.8, 6.43)},  # 20.4-20.9 s, 1,770-1,926 MB; 82.8 s, 6,428 MB
    "first": {1_000_000: (44.8, 2.02), 4_000_000: (278.5, 7.66)},   # 44.1-45.5 s, 2,025 MB; 278.5 s, 7,659 MB
}
STEADY_STARTUP_S = 3.0  # the measured start-up part of the 1M steady month (interpreter, imports, definitions)
#: What a steady month writes, measured (docs/deploy.md, "PostgreSQL writes"): warehouse rows
#: (inserted + updated, 100,000-voter synthetic regency, PostgreSQL) per voter, and Dagster
#: events per monthly run (its event log).
WAREHOUSE_ROWS_PER_VOTER = (21_116 + 298) / 100_000
EVENTS_PER_RUN = 441


def regency_sizes(total: int = NATIONAL_VOTERS, count: int = REGENCIES, largest: int = LARGEST) -> list[int]:
    """``count`` regency sizes, largest first: quantiles of a log-normal whose largest quantile is
    ``largest`` and whose quantiles add up to ``total`` (a model, not data)."""
    if largest <= 0 or count <= 0 or total <= largest or total / count >= largest:
        raise ValueError("need largest < total and a mean below the largest")
    z = [NormalDist().inv_cdf((i + 0.5) / count) for i in range(count)]
    top = z[-1]

    def total_for(sigma: float) -> float:  # decreasing in sigma, with the largest fixed
        return sum(largest * math.exp(sigma * (zi - top)) for zi in z)

    low, high = 1e-6, 10.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if total_for(mid) > total else (low, mid)
    sigma = (low + high) / 2
    sizes = [largest * math.exp(sigma * (zi - top)) for zi in z]
    rounded = [round(s) for s in sizes]
    rounded[0] += total - sum(rounded)  # whole voters; the rounding remainder on the smallest
    return sorted(rounded, reverse=True)


@dataclass(frozen=True)
class RunModel:
    """Time and peak memory of one regency's month from its voters."""

    month: str = "steady"

    def seconds(self, voters: int) -> float:
        (v1, (t1, _)), (v2, (t2, _)) = sorted(MEASURED[self.month].items())
        if self.month == "steady":  # start-up + per voter, least squares with the start-up fixed
            slope = sum((t - STEADY_STARTUP_S) * v for v, (t, _) in MEASURED["steady"].items()) / sum(
                v * v for v in MEASURED["steady"])
            return STEADY_STARTUP_S + slope * voters
        k = math.log(t2 / t1) / math.log(v2 / v1)  # first month: the power law through both runs
        return t1 * (voters / v1) ** k

    def peak_gb(self, voters: int) -> float:
        (v1, (_, m1)), (v2, (_, m2)) = sorted(MEASURED[self.month].items())
        return m1 + (m2 - m1) * (voters - v1) / (v2 - v1)


@dataclass(frozen=True)
class Limits:
    """The cluster and the control plane. Every default but the cores is an assumption, not a
    measurement (docs/deploy.md says where each comes from)."""

    cores_per_node: int = 2
    node_memory_gb: float = 16.0         # a 2-core node with 16 GB (assumed node type)
    max_concurrent_runs: int | None = None  # the run queue's global limit; None: no limit
    dequeue_per_second: float | None = None  # runs the daemon launches per second; None: not a limit (not measured)
    pod_start_s: float = 0.0             # a run pod's scheduling and container start (not measured: 0)


@dataclass
class Plan:
    nodes: int
    cores: int
    cap: int
    wall_s: float
    busy_s: float
    longest_s: float
    dequeue_floor_s: float

    @property
    def utilisation(self) -> float:
        return self.busy_s / (self.wall_s * self.cores) if self.wall_s else 0.0

    @property
    def bound(self) -> str:
        """What sets the wall time: the cores (work / cores) or the run queue's global limit below
        them, the longest run, or the daemon's launch rate."""
        if self.dequeue_floor_s and self.dequeue_floor_s >= 0.9 * self.wall_s and self.dequeue_floor_s >= self.longest_s:
            return "dequeue rate"
        if self.longest_s >= 0.9 * self.wall_s:
            return "largest regency"
        return "run queue limit" if self.cap < self.cores else "cores"


def schedule(sizes: list[int], nodes: int, model: RunModel = RunModel(), limits: Limits = Limits()) -> Plan:
    """Greedy longest-first: the runs in order of decreasing time, each started at the earliest
    moment a node has a free core and the memory for it, no earlier than the daemon can launch it
    and no more than ``max_concurrent_runs`` at once."""
    runs = sorted(((model.seconds(v) + limits.pod_start_s, model.peak_gb(v)) for v in sizes), reverse=True)
    too_big = [m for _, m in runs if m > limits.node_memory_gb]
    if too_big:
        raise ValueError(f"a run needs {max(too_big):.1f} GB, more than a node's {limits.node_memory_gb} GB")
    cores = nodes * limits.cores_per_node
    cap = min(cores, limits.max_concurrent_runs or cores)
    free_cores = [limits.cores_per_node] * nodes
    free_mem = [limits.node_memory_gb] * nodes
    running: list[tuple[float, int, float]] = []  # (end, node, memory)
    now, busy = 0.0, 0.0
    for index, (seconds, memory) in enumerate(runs):
        launch = index / limits.dequeue_per_second if limits.dequeue_per_second else 0.0
        now = max(now, launch)
        while True:
            while running and running[0][0] <= now:
                _, n, m = heapq.heappop(running)
                free_cores[n] += 1
                free_mem[n] += m
            fits = [n for n in range(nodes) if free_cores[n] and free_mem[n] >= memory - 1e-9]
            if fits and len(running) < cap:
                node = max(fits, key=lambda n: (free_mem[n], -n))
                break
            now = running[0][0]  # wait for the next run to end
        free_cores[node] -= 1
        free_mem[node] -= memory
        heapq.heappush(running, (now + seconds, node, memory))
        busy += seconds
    wall = max(end for end, _, _ in running) if running else 0.0
    return Plan(nodes=nodes, cores=cores, cap=cap, wall_s=wall, busy_s=busy, longest_s=runs[0][0] if runs else 0.0,
                dequeue_floor_s=(len(runs) - 1) / limits.dequeue_per_second if limits.dequeue_per_second else 0.0)


DEFAULT_NODES = (1, 2, 5, 10, 20, 30, 35, 50, 100, 257)


def national(nodes: tuple[int, ...] = DEFAULT_NODES, month: str = "steady", limits: Limits = Limits()) -> dict:
    sizes = regency_sizes()
    model = RunModel(month)
    plans = [schedule(sizes, n, model, limits) for n in nodes]
    steady = month == "steady"  # the writes were measured for a steady month only
    return {
        "month": month, "regencies": len(sizes), "voters": sum(sizes),
        "largest": sizes[0], "median": sizes[len(sizes) // 2], "smallest": sizes[-1],
        "largest_run_s": round(model.seconds(sizes[0]), 1), "largest_run_gb": round(model.peak_gb(sizes[0]), 2),
        "work_core_s": round(sum(model.seconds(v) for v in sizes), 1),
        "limits": limits.__dict__,
        "rows": [{"nodes": p.nodes, "cores": p.cores, "wall_s": round(p.wall_s, 1),
                  "utilisation": round(p.utilisation, 3), "bound": p.bound,
                  "launches_per_s_needed": round(launch_rate_needed(sizes, p.nodes, model, limits), 2),
                  "warehouse_rows_per_s": round(WAREHOUSE_ROWS_PER_VOTER * sum(sizes) / p.wall_s) if steady else None,
                  "events_per_s": round(EVENTS_PER_RUN * len(sizes) / p.wall_s) if steady else None}
                 for p in plans],
    }


def launch_rate_needed(sizes: list[int], nodes: int, model: RunModel, limits: Limits,
                       slack: float = 0.05) -> float:
    """The slowest dequeue rate (runs launched per second) that keeps the wall time within
    ``slack`` of the same plan with launching free: what the daemon must keep up for the row to
    hold."""
    free = schedule(sizes, nodes, model, replace(limits, dequeue_per_second=None)).wall_s
    low, high = 0.01, 1000.0
    for _ in range(40):
        mid = math.sqrt(low * high)
        if schedule(sizes, nodes, model, replace(limits, dequeue_per_second=mid)).wall_s <= free * (1 + slack):
            high = mid
        else:
            low = mid
    return high


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


def format_national(report: dict) -> str:
    lim = report["limits"]
    lines = [
        f"National {report['month']} month on paper: {report['regencies']} regencies, {report['voters']:,} voters "
        f"(log-normal size model: largest {report['largest']:,}, median {report['median']:,}, "
        f"smallest {report['smallest']:,})",
        f"one run per regency; the largest {report['largest_run_s']} s, {report['largest_run_gb']} GB; "
        f"all runs {report['work_core_s']:,.0f} core-seconds",
        f"nodes of {lim['cores_per_node']} cores and {lim['node_memory_gb']} GB, one run per core; "
        f"global limit {lim['max_concurrent_runs'] or 'none'}; dequeue {lim['dequeue_per_second'] or 'not a limit'}"
        f"{' runs/s (assumed)' if lim['dequeue_per_second'] else ''}; "
        f"pod start {lim['pod_start_s']} s (assumed)",
        "",
        "| nodes | cores | wall time | core use | bound by | launches/s the daemon must keep up "
        "| warehouse rows/s | Dagster events/s |",
        "|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in report["rows"]:
        lines.append(f"| {row['nodes']} | {row['cores']} | {_clock(row['wall_s'])} | "
                     f"{row['utilisation']:.0%} | {row['bound']} | {row['launches_per_s_needed']} | "
                     f"{_count(row['warehouse_rows_per_s'])} | {_count(row['events_per_s'])} |")
    return "\n".join(lines)
