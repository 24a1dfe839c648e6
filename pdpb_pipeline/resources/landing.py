"""The landing zone: where agencies' files arrive, laid out as ``pdpb synth`` writes them.

``baseline/<regency>/dpt.csv`` is the last election's list (DPT), the starting roll;
``landing/<regency>/<YYYY-MM>/<agency>.<csv|xlsx>`` is one agency's file for one month.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dagster import ConfigurableResource

FILE_SUFFIXES = (".csv", ".xlsx", ".xls", ".txt")


class LandingZone(ConfigurableResource):
    """Dagster resource over ``PDPB_LANDING_DIR``."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)

    def baseline_file(self, regency: str) -> Path:
        return self.path / "baseline" / regency / "dpt.csv"

    def month_dir(self, regency: str, month: str) -> Path:
        return self.path / "landing" / regency / month

    def files(self, regency: str, month: str) -> list[Path]:
        """The agency files of one partition, sorted by name; hidden and temp files skipped."""
        folder = self.month_dir(regency, month)
        if not folder.is_dir():
            return []
        return sorted(
            p for p in folder.iterdir()
            if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in FILE_SUFFIXES
        )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
