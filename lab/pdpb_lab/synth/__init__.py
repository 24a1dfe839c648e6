"""Synthetic regency generator: a baseline DPT, monthly agency files and the truth to score by.

    from pdpb_lab.synth import SynthConfig, generate
    summary = generate(SynthConfig(regency="32.01", voters=50_000, months=3, start="2026-01", seed=7),
                       out_dir=Path("demo"))

Modules: ``config`` (every rate and noise share), ``names`` (name pools by ethnic style),
``places`` (desa, addresses, places of birth), ``population`` (households, NIK, NKK),
``baseline`` (the DPT with ganda, stale and NIK faults), ``events`` (the monthly simulation and
who reports what), ``agencies`` (each agency's file conventions, as data), ``noise`` (the typical
profile's faults applied to values), ``profiles`` (the named noise profiles clean / typical /
hard, as data), ``faults`` (the clean / hard fault model), ``writer`` (one writer for every agency, reproducible CSV/XLSX),
``generate`` (the orchestration), ``truth`` (reading the truth back: the true roll at a month).
"""

from .config import SynthConfig
from .generate import SynthSummary, generate

__all__ = ["SynthConfig", "SynthSummary", "generate"]
