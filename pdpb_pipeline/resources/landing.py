"""The landing zone: where agencies' files arrive, laid out as ``pdpb synth`` writes them.

``baseline/<regency>/dpt.csv`` is the last election's list (DPT), the starting roll;
``landing/<regency>/<YYYY-MM>/<agency>.<csv|xlsx>`` is one agency's file for one month.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dagster import ConfigurableResource

from ..feeds.spec import agency_of

FILE_SUFFIXES = (".csv", ".xlsx", ".xls", ".txt")


@dataclass(frozen=True)
class UnknownFile:
    """A file in a month folder that no feed reads, and why."""

    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.name} ({self.why})"


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
        return sorted(p for p in self._entries(folder) if p.suffix.lower() in FILE_SUFFIXES)

    def unknown_files(self, regency: str, month: str) -> list[UnknownFile]:
        """Files of the month folder that no feed reads: a name that matches no agency, a kind
        of file that is not read (``.pdf``, ``.docx``, ``.zip`` ...), or a sub-folder."""
        folder = self.month_dir(regency, month)
        if not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.iterdir()):
            if path.name.startswith((".", "~$")):
                continue  # hidden files and Excel's lock files are nobody's data
            if path.is_dir():
                out.append(UnknownFile(path.name + "/", "sub-folder tidak dibaca: letakkan berkasnya langsung di folder bulan"))
            elif path.suffix.lower() not in FILE_SUFFIXES:
                out.append(UnknownFile(path.name, f"jenis berkas {path.suffix.lower() or '(tanpa akhiran)'} tidak dibaca; "
                                                  f"yang dibaca: {', '.join(FILE_SUFFIXES)}"))
            elif agency_of(path.stem) is None:
                out.append(UnknownFile(path.name, "nama tidak cocok dengan instansi mana pun"))
        return out

    @staticmethod
    def _entries(folder: Path) -> list[Path]:
        return [p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
