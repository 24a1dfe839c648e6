"""The two commands of the ``pdpb`` command line that live in the lab: ``pdpb synth`` (``synth``)
and ``pdpb bench`` (``bench``, the benchmark entry point ``pdpb_lab.bench.app``)."""

from __future__ import annotations

from pathlib import Path

import typer

from .bench import app as bench  # noqa: F401  (`pdpb bench`)

synth = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


@synth.command()
def generate(
    regency: str = typer.Option(..., help="Kemendagri regency code, e.g. 32.01"),
    voters: int = typer.Option(50_000, min=100, help="Voters on the baseline DPT"),
    months: int = typer.Option(3, min=1, max=60, help="Months of agency files"),
    start: str = typer.Option(..., help="First month, YYYY-MM"),
    seed: int = typer.Option(1, help="Random seed: same seed, same bytes"),
    out: Path = typer.Option(Path("var/landing"), help="Landing-zone folder to write"),
    dpt_blank_dates: float = typer.Option(0.0, min=0, max=1, help="Share of DPT birth dates written blank"),
    dpt_dmy_dates: float = typer.Option(0.0, min=0, max=1, help="Share of DPT birth dates written DD-MM-YYYY"),
    profile: str = typer.Option("typical", help="Noise profile: clean, typical or hard (see README)"),
) -> None:
    """Generate a realistic synthetic regency: baseline DPT, agency files and the truth."""
    from pdpb_pipeline.domain import regions

    from .synth import SynthConfig, generate

    try:
        cfg = SynthConfig(regency=regions.normalize_regency(regency), voters=voters, months=months, start=start,
                          seed=seed, baseline_birthdate_blank=dpt_blank_dates, baseline_birthdate_dmy=dpt_dmy_dates,
                          profile=profile)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    summary = generate(cfg, out_dir=out)
    typer.echo(str(summary))
