"""The ``pdpb`` command: what a KPU data officer or engineer runs from a shell."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

# Tracebacks never show local variables: they can hold a NIK (``pdpb explain``) or a row of a file.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="PDPB pipeline: continuous voter-list updating.")


def _regency(code: str) -> str:
    from ..domain import regions

    try:
        return regions.normalize_regency(code)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _resources() -> dict:
    """The deployment's resources as ``definitions`` (the one place that reads the environment)
    finds them now, with their values, and the deployment's mask rule installed."""
    from ..definitions import environment_resources

    return environment_resources()


def _masked(text: str) -> str:
    """``text`` with every NIK or NKK in it masked: error messages may quote a cell of a file. By
    the deployment's rule: loading the definitions installs it."""
    from .. import definitions  # noqa: F401
    from ..domain.nik import mask_text

    return mask_text(text)


# `pdpb synth` and `pdpb bench` live in the lab (lab/, the `pdpb-lab` distribution: the synthetic
# regency generator and the benchmarks), not in the product: they are handed over to it here, and
# it is imported only when one of them is run.
LAB_MISSING = ("error: `pdpb {command}` is in the lab (the synthetic regency generator and the benchmarks), "
               "which is not installed. Install it with `pip install -e ./lab` from a checkout of pdpb-pipeline "
               "(`make install` does), or `pip install pdpb-lab`.")
_HANDED_OVER = dict(context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                    add_help_option=False)


def _lab_command(command: str, args: list[str]) -> None:
    try:
        from pdpb_lab import cli
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("pdpb_lab"):
            raise
        typer.echo(LAB_MISSING.format(command=command), err=True)
        raise typer.Exit(2) from None
    group = {"synth": cli.synth, "bench": cli.bench}[command]
    typer.main.get_command(group).main(args=args, prog_name=f"pdpb {command}")


@app.command(**_HANDED_OVER)
def synth(ctx: typer.Context) -> None:
    """Generate a realistic synthetic regency: baseline DPT, agency files and the truth (the lab;
    `pdpb synth --help` for its options)."""
    _lab_command("synth", ctx.args)


def _rollup_target(regency: str | None, month: str | None, period: str | None, province: str | None,
                   national: bool) -> tuple[str, str, object] | None:
    """The roll-up asked for (level, unit, ``partitions.Period``), or None for a regency's month
    (decided before anything imports Dagster: a month's run starts GX's worker first)."""
    if sum(x is not None and x is not False for x in (regency, province, national or None)) > 1:
        raise typer.BadParameter("give one of --regency, --province, --national")
    if month is not None and period is not None:
        raise typer.BadParameter("give either --month or --period, not both")
    if period is None and (regency is not None or month is None) and not (province or national):
        return None
    if month is None and period is None:
        raise typer.BadParameter("give --month YYYY-MM or --period YYYY-Qn / YYYY-Hn")
    from ..partitions import Period

    try:
        when = Period.parse(period or month)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if national:
        return "nasional", "ID", when
    if province is not None:
        from ..domain import regions

        code = province.strip()
        if not (len(code) == 2 and code.isdigit() and regions.unit_name(code) != code):
            raise typer.BadParameter(f"unknown province code {province!r} (expected a Kemendagri code like 32)")
        return "provinsi", code, when
    if regency is None:
        raise typer.BadParameter("give --regency, --province or --national")
    if when.grain == "bulan":
        return None
    return "kabupaten", _regency(regency), when


@app.command()
def run(
    regency: str | None = typer.Option(None, help="Kemendagri regency code, e.g. 32.01"),
    month: str | None = typer.Option(None, help="Month to close, YYYY-MM (with --province/--national: its recap)"),
    to: str | None = typer.Option(None, help="Last month of a range, YYYY-MM"),
    period: str | None = typer.Option(None, help="A quarter or half-year (2026-Q1, 2026-H1): roll up and publish "
                                      "its published months (of --regency, --province or --national)"),
    province: str | None = typer.Option(None, help="Province code, e.g. 32: its recap for --month or --period"),
    national: bool = typer.Option(False, "--national", help="The national recap for --month or --period"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Dagster's step-by-step log"),
    rewind: bool = typer.Option(False, "--rewind", help="Re-run a month although later months are published: "
                                "they are withdrawn (moved to <output>/<regency>/ditarik/, recorded as one act)"),
) -> None:
    """Materialise a regency's month (or months, in order) through Dagster, as the schedule does;
    with --period, --province or --national, a roll-up (exit 1 when its period is incomplete)."""
    target = _rollup_target(regency, month, period, province, national)
    if target is not None:
        _run_rollup(*target, verbose)
        return
    if regency is None or month is None:
        raise typer.BadParameter("give --regency and --month (or a roll-up: --period, --province, --national)")
    from ..feeds import gx_worker

    gx_worker.start()  # GX is imported in a process of its own while this one starts up
    try:
        _run(regency, month, to, verbose, rewind)
        code = 0
    except typer.Exit as exit_:
        code = exit_.exit_code
    finally:
        gx_worker.stop()
    if _is_the_command():
        _leave(code)
    if code:
        raise typer.Exit(code)


def _is_the_command() -> bool:
    """Whether this process is the ``pdpb`` command itself (its console script, or ``python -m
    pdpb_pipeline.cli``), not a program that called the CLI (tests' ``CliRunner``)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return (getattr(spec, "name", None) == "pdpb_pipeline.cli.__main__"
            or Path(getattr(main, "__file__", "") or "").name in ("pdpb", "pdpb.exe"))


def _leave(code: int) -> None:
    """Ends the process once ``pdpb run`` has printed its summary: the warehouse connections are
    closed and every exit handler runs (logging, multiprocessing, ...), as at a normal exit, but
    the interpreter does not free, object by object, the rolls and frames the run left in memory
    (a second or so at a million voters); the operating system takes the memory back at once."""
    import atexit
    import os

    from ..resources import warehouse

    for engine in list(warehouse._engines.values()):
        engine.dispose()
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(regency: str, month: str, to: str | None, verbose: bool, rewind: bool) -> None:
    import sqlalchemy as sa

    from ..definitions import dagster_instance, defs
    from ..resources.warehouse import LOST, lost_connection
    from .runner import RunError, run_regency

    code = _regency(regency)
    try:
        with dagster_instance() as instance:
            outcomes = run_regency(defs, instance, code, month, to, log_level="DEBUG" if verbose else "WARNING",
                                   rewind=rewind)
    except RunError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    except sa.exc.DBAPIError as error:  # between two runs of a range, outside any step
        if not lost_connection(str(error.orig)):
            raise
        typer.echo(_masked(f"error: {LOST} ({str(error.orig).strip().splitlines()[0]})"), err=True)
        raise typer.Exit(1) from None
    if _print_outcomes(outcomes):
        raise typer.Exit(1)


def _print_outcomes(outcomes) -> bool:
    """Prints each run's summary line, figures, failed checks and steps; whether one failed."""
    failed = False
    for outcome in outcomes:
        status = "ok" if outcome.success else "FAILED"
        typer.echo(f"{outcome.job} {outcome.partition}: {status} (run {outcome.run_id})")
        for asset_key, values in outcome.metadata.items():
            figures = ", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v:.4g}" for k, v in values.items())
            typer.echo(f"  {asset_key}: {figures}")
        for check in outcome.failed_checks:
            message = outcome.check_messages.get(check)
            typer.echo(_masked(f"  check failed: {check}" + (f": {message}" if message else "")))
        for step in outcome.failed_steps:  # an error message may quote a cell of a file
            typer.echo(_masked(f"  step failed: {step}"))
        failed = failed or not outcome.success
    return failed


def _run_rollup(tingkat: str, wilayah: str, when, verbose: bool) -> None:
    from ..assets import rollup
    from ..definitions import dagster_instance, defs
    from .runner import RunError, run_rollup

    try:
        with dagster_instance() as instance:
            outcome = run_rollup(defs, instance, tingkat, wilayah, when, log_level="DEBUG" if verbose else "WARNING")
    except RunError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if _print_outcomes([outcome]):
        raise typer.Exit(1)
    if rollup.by_name(tingkat, when.grain).recap_key.to_user_string() not in outcome.metadata:
        _incomplete(tingkat, wilayah, when)
    _print_rollup(tingkat, wilayah, when)


@app.command()
def status(regency: str = typer.Option(..., help="Kemendagri regency code, e.g. 32.01")) -> None:
    """One line per month, from the regency's first month to the last complete month:
    published (voters, run id), withdrawn (when, act id) or pending."""
    from ..definitions import MONTHLY_JOB, defs
    from .status import month_lines

    code = _regency(regency)
    months = defs.resolve_job_def(MONTHLY_JOB).partitions_def.get_partitions_def_for_dimension("month")
    last = months.get_last_partition_key()
    first = defs.resources["bulan_awal"].of(code)  # from the load settings, as the partitions
    lines = month_lines(_resources()["warehouse"], code, first, last[:7]) if last else []
    typer.echo("\n".join(lines) if lines else f"{code}: no complete month since its first month {first}")


@app.command()
def quarantine(
    regency: str = typer.Option(..., help="Kemendagri regency code, e.g. 32.01"),
    month: str = typer.Option(..., help="Month, YYYY-MM"),
    agency: str | None = typer.Option(None, help="Only this agency's rows"),
) -> None:
    """Print the quarantined rows of a regency's month as CSV (NIK and NKK masked)."""
    from ..feeds.quarantine import quarantine_csv

    warehouse = _resources()["warehouse"]
    sys.stdout.write(quarantine_csv(warehouse, _regency(regency), month, agency))


@app.command()
def rekap(
    regency: str | None = typer.Option(None, help="Kemendagri regency code, e.g. 32.01"),
    month: str | None = typer.Option(None, help="Month, YYYY-MM"),
    period: str | None = typer.Option(None, help="A quarter or half-year: 2026-Q1, 2026-H1"),
    province: str | None = typer.Option(None, help="Province code, e.g. 32: the province's recap"),
    national: bool = typer.Option(False, "--national", help="The national recap"),
) -> None:
    """Print a published recap's totals, its sub-categories and where its files are: a regency's
    month, quarter or half-year, a province's or the nation's month or period (exit 1 when it is
    not published; an incomplete period says which months are missing)."""
    target = _rollup_target(regency, month, period, province, national)
    if target is not None:
        _print_rollup(*target)
        return
    if regency is None or month is None:
        raise typer.BadParameter("give --regency and --month (or --period, --province, --national)")
    resources = _resources()
    code = _regency(regency)
    warehouse = resources["warehouse"]
    totals = warehouse.read(
        "SELECT kolom, SUM(jumlah) AS jumlah FROM rekap WHERE regency = :r AND month = :m GROUP BY kolom",
        {"r": code, "m": month}).set_index("kolom")["jumlah"]
    if totals.empty:
        typer.echo(f"error: no recap for {code} {month}: run `pdpb run --regency {code} --month {month}`", err=True)
        raise typer.Exit(1)
    _echo_recap(f"{code} {month}", totals, resources["publication"].path / code / month)


def _echo_recap(label: str, totals, folder: Path) -> None:
    """``label: A + B (Pemilih Baru) - C (TMS) = D``, the non-zero sub-categories, the folder."""
    value = {k: int(totals.get(k, 0)) for k in ("sebelumnya", "pemilih_baru", "tms", "sekarang")}
    typer.echo(f"{label}: {value['sebelumnya']:,} + {value['pemilih_baru']:,} (Pemilih Baru) - "
               f"{value['tms']:,} (TMS) = {value['sekarang']:,}")
    moves = {k: int(v) for k, v in totals.items() if (k.startswith(("baru_", "tms_", "ubah_"))) and v}
    typer.echo("  " + ", ".join(f"{k}={v:,}" for k, v in sorted(moves.items())))
    typer.echo(f"  files: {folder}")


def _print_rollup(tingkat: str, wilayah: str, when) -> None:
    """A published roll-up as ``_echo_recap`` prints a month, then the regencies left out; an
    unpublished one: incomplete (the months missing, exit 1) or not run yet (exit 1)."""
    from ..assets import rollup

    resources = _resources()
    warehouse = resources["warehouse"]
    spec = rollup.by_name(tingkat, when.grain)
    if warehouse.publikasi_gabungan(tingkat, wilayah, when.label).empty:
        _incomplete(tingkat, wilayah, when)
        option = {"kabupaten": f"--regency {wilayah}", "provinsi": f"--province {wilayah}", "nasional": "--national"}
        flag = "--month" if when.grain == "bulan" else "--period"
        typer.echo(f"error: {wilayah} {when.label} is not published yet: run "
                   f"`pdpb run {option[tingkat]} {flag} {when.label}`", err=True)
        raise typer.Exit(1)
    cells = warehouse.rekap_gabungan_cells(tingkat, wilayah, when.label)
    _echo_recap(f"{wilayah} {when.label}", cells.groupby("kolom")["jumlah"].sum(),
                spec.folder(resources["publication"], wilayah, when))
    members = warehouse.rekap_gabungan_anggota(tingkat, wilayah, when.label)
    if tingkat != "kabupaten":
        lacking = members[~members["lengkap"]]
        typer.echo(f"  regencies summed: {int(members['lengkap'].sum())}; missing (not summed): {len(lacking)}"
                   + (": " + ", ".join(lacking["regency"].head(10)) + (" ..." if len(lacking) > 10 else "")
                      if len(lacking) else ""))


def _incomplete(tingkat: str, wilayah: str, when) -> None:
    """Exits 1 saying which months are missing when the roll-up cannot be complete now."""
    from ..assets import rollup
    from ..definitions import MONTHLY_JOB, defs

    resources = _resources()
    spec = rollup.by_name(tingkat, when.grain)
    enabled = defs.resolve_job_def(MONTHLY_JOB).partitions_def.get_partitions_def_for_dimension(
        "regency").get_partition_keys()
    regencies = [r for r in enabled if spec.unit_of(r) == wilayah]
    members = rollup.status(resources["warehouse"], defs.resources["bulan_awal"], regencies, when)
    if members["lengkap"].any() and not (tingkat == "kabupaten" and not members["lengkap"].all()):
        return
    lacking = members[~members["lengkap"]]
    typer.echo(f"{wilayah} {when.label}: incomplete, not published: months not published: "
               + "; ".join(f"{r.regency}: {r.bulan_kurang}" for r in lacking.head(10).itertuples())
               + (f"; ... ({len(lacking)} regencies)" if len(lacking) > 10 else ""))
    raise typer.Exit(1)


@app.command()
def link(
    feed: Path = typer.Option(..., exists=True, dir_okay=False, help="Feed rows, canonical-schema CSV with an id column"),
    roll: Path = typer.Option(..., exists=True, dir_okay=False, help="Roll, canonical-schema CSV with an id column"),
    out: Path | None = typer.Option(None, dir_okay=False, help="Where to write the links CSV (needed without --explain)"),
    explain: str | None = typer.Option(None, "--explain", metavar="FEED_ID",
                                       help="Print the waterfall of match weights of this feed row's best candidates"),
    top: int = typer.Option(3, min=1, help="With --explain: how many candidates"),
) -> None:
    """Link any two canonical-schema files: one output row per linked feed row (match or review),
    with its evidence. With --explain FEED_ID: why that row was (or was not) linked, step by step
    (NIK and NKK masked)."""
    from ..linkage import link_files

    if explain is None and out is None:
        raise typer.BadParameter("give --out (the links CSV) or --explain FEED_ID", param_hint="--out")
    if explain is not None:
        from ..linkage import LinkConfig, link
        from ..linkage.files import read_link_csv
        from ..linkage.waterfall import waterfall

        _resources()  # the deployment's mask rule for the waterfall's NIK and NKK
        config = LinkConfig()
        feed_rows = read_link_csv(feed)
        if not (feed_rows["id"].astype(str) == explain).any():
            typer.echo(_masked(f"error: no feed row with id {explain!r} in {feed}"), err=True)
            raise typer.Exit(1)
        result = link(feed_rows, read_link_csv(roll), config)
        typer.echo(_masked(waterfall(result, explain, top)))
        if out is None:
            return
    summary = link_files(feed, roll, out)
    typer.echo(", ".join(f"{k}={v}" for k, v in summary.items() if not isinstance(v, dict)), err=True)


NIK_IN_HISTORY = ("warning: a NIK given as `--nik VALUE` stays in the shell history and shows in the process "
                  "list; use `--nik -` (standard input) or the hidden prompt (no --nik, no --id) instead")


def _nik_from_stdin() -> str:
    """The NIK from standard input: asked for without echo at a terminal, read from a pipe otherwise."""
    if sys.stdin is None:
        raise typer.BadParameter("no standard input to read the NIK from: pipe it in or use --id")
    if sys.stdin.isatty():
        return typer.prompt("NIK", hide_input=True, err=True)
    return sys.stdin.readline()


@app.command()
def explain(
    regency: str = typer.Option(..., help="Kemendagri regency code, e.g. 32.01"),
    nik: str | None = typer.Option(None, "--nik", metavar="-", help="'-': read the voter's NIK from standard input "
                                   "(the default without --id). A NIK written here instead is used, with a warning: "
                                   "it stays in the shell history"),
    id: str | None = typer.Option(None, "--id", help="The voter id on the roll (DPT-... or DPB-...)"),
) -> None:
    """Print a voter's whole history: every change, month, category, agency, file, row and evidence.

    Give the voter by --id, or by NIK typed at a hidden prompt or on standard input (`--nik - < nik.txt`).

    The full NIK is never printed.
    """
    from .explain import NotFound, clean_nik, history, voter_ids

    if nik is not None and id is not None:
        raise typer.BadParameter("give either a NIK (standard input, --nik -) or --id, not both")
    warehouse = _resources()["warehouse"]  # and the deployment's mask rule, before a NIK is named
    if id is None:
        if nik is None or nik == "-":
            nik = _nik_from_stdin()
        else:
            typer.echo(NIK_IN_HISTORY, err=True)
        try:
            nik = clean_nik(nik)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
    try:
        ids = voter_ids(warehouse, _regency(regency), nik=nik, voter_id=id)
    except NotFound as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo("\n\n".join(history(warehouse, _regency(regency), voter) for voter in ids))


@app.command(**_HANDED_OVER)
def bench(ctx: typer.Context) -> None:
    """Measure a stage: `pdpb bench synth|feeds|link|cycle|fleet --voters N` (the lab; `pdpb bench --help`)."""
    _lab_command("bench", ctx.args)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="pdpb")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
