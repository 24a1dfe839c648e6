"""One partition = one regency office (KPU Kabupaten/Kota) closing one month.

Keys: ``month`` is the first day of the month (``2026-01-01``), ``regency`` the dotted
Kemendagri code (``32.01``). The enabled regencies come from ``PDPB_REGENCIES`` (comma list)
and default to all 514 of the 2025 Kemendagri list; they and the first month are known when the
code loads (``resources.settings.LoadSettings``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dagster import (
    MonthlyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
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
