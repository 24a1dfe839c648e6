"""One partition = one regency office (KPU Kabupaten/Kota) closing one month.

Keys: ``month`` is the first day of the month (``2026-01-01``), ``regency`` the dotted
Kemendagri code (``32.01``). The enabled regencies come from ``PDPB_REGENCIES`` (comma list)
and default to all 514 of the 2025 Kemendagri list; they and the first month are known when the
code loads (``resources.settings.LoadSettings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dagster import (
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from .domain import regions
from .resources.settings import LoadSettings


def enabled_regencies(settings: LoadSettings) -> list[str]:
    if not settings.regencies:
        return list(regions.all_regencies())
    return sorted({regions.normalize_regency(code) for code in settings.regencies})


def build(settings: LoadSettings) -> tuple[MultiPartitionsDefinition, StaticPartitionsDefinition]:
    """The month x regency partitions, and the regency partitions of the baseline DPT."""
    regency = StaticPartitionsDefinition(enabled_regencies(settings))
    month = MonthlyPartitionsDefinition(
        start_date=f"{settings.start_month}-01", fmt="%Y-%m-%d", timezone="Asia/Jakarta"
    )
    return MultiPartitionsDefinition({"month": month, "regency": regency}), regency


@dataclass(frozen=True)
class Partition:
    """A partition key as the code reads it: ``month`` is ``YYYY-MM``."""

    regency: str
    month: str

    @classmethod
    def from_key(cls, key: MultiPartitionKey | str) -> "Partition":
        if not isinstance(key, MultiPartitionKey):
            dims = dict(zip(("month", "regency"), str(key).split("|")))
        else:
            dims = key.keys_by_dimension
        return cls(regency=dims["regency"], month=dims["month"][:7])

    @property
    def key(self) -> MultiPartitionKey:
        return MultiPartitionKey({"month": f"{self.month}-01", "regency": self.regency})

    @property
    def previous_month(self) -> str:
        return previous_month(self.month)


def previous_month(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def next_month(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


# --- Periods above the month and levels above the regency (roll-ups) ------------------------------
#: A period's grain: its partitions' cron (a window starts on the 1st of these months), its months,
#: the letter of its label (``2026-Q1``, ``2026-H1``) and its name in a Berita Acara.
GRAINS = {
    "bulan": ("0 0 1 * *", 1, "", "BULAN"),
    "triwulan": ("0 0 1 1,4,7,10 *", 3, "Q", "TRIWULAN"),
    "semester": ("0 0 1 1,7 *", 6, "H", "SEMESTER"),
}
_PERIOD = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>0[1-9]|1[0-2])|(?P<letter>[QH])(?P<number>\d))$")


def period_start(grain: str, month: str) -> str:
    """The first month (``YYYY-MM``) of the ``grain`` period holding ``month``."""
    size = GRAINS[grain][1]
    year, mon = map(int, month.split("-"))
    return f"{year:04d}-{(mon - 1) // size * size + 1:02d}"


def build_period(grain: str, start_month: str) -> TimeWindowPartitionsDefinition:
    """The time partitions of ``grain`` from the period holding ``start_month``: keys are the
    period's first day (``2026-01-01`` is 2026-Q1 and 2026-H1), like the months' keys, so that
    Dagster maps a period onto its months itself (``TimeWindowPartitionMapping``)."""
    if grain == "bulan":
        return MonthlyPartitionsDefinition(start_date=f"{start_month}-01", fmt="%Y-%m-%d", timezone="Asia/Jakarta")
    return TimeWindowPartitionsDefinition(cron_schedule=GRAINS[grain][0], start=f"{period_start(grain, start_month)}-01",
                                          fmt="%Y-%m-%d", timezone="Asia/Jakarta")


@dataclass(frozen=True)
class Period:
    """A month, quarter or half-year, as the code reads it: ``grain`` and its first month."""

    grain: str
    start: str

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``2026-02`` (a month), ``2026-Q1`` .. ``2026-Q4``, ``2026-H1`` / ``2026-H2``."""
        match = _PERIOD.match(text.strip().upper())
        if match is None:
            raise ValueError(f"period {text!r} is not YYYY-MM, YYYY-Qn (quarter) or YYYY-Hn (half-year)")
        if match["month"]:
            return cls("bulan", text.strip())
        grain = "triwulan" if match["letter"] == "Q" else "semester"
        number, size = int(match["number"]), GRAINS[grain][1]
        if not 1 <= number <= 12 // size:
            raise ValueError(f"period {text!r}: a year has {12 // size} {'quarters' if size == 3 else 'halves'}")
        return cls(grain, f"{match['year']}-{(number - 1) * size + 1:02d}")

    @classmethod
    def from_key(cls, grain: str, key: str) -> "Period":
        return cls(grain, key[:7])

    @property
    def key(self) -> str:
        return f"{self.start}-01"

    @property
    def months(self) -> list[str]:
        out = [self.start]
        for _ in range(GRAINS[self.grain][1] - 1):
            out.append(next_month(out[-1]))
        return out

    @property
    def label(self) -> str:
        if self.grain == "bulan":
            return self.start
        year, mon = map(int, self.start.split("-"))
        return f"{year}-{GRAINS[self.grain][2]}{(mon - 1) // GRAINS[self.grain][1] + 1}"


def provinces_of(regencies: list[str]) -> list[str]:
    """The province codes (``32``) of the enabled regencies."""
    return sorted({code[:2] for code in regencies})
