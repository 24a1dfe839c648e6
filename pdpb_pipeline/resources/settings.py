"""The deployment's settings: the two Dagster resources that are only settings, and the few
settings the code needs when it loads.

Nothing here reads the environment: ``pdpb_pipeline/definitions.py`` is the one module that
does, and maps each ``PDPB_*`` variable to a field of a resource (README, "Configuration"):

- ``Warehouse`` (``resources/warehouse.py``): the warehouse URL, the columnar copies, the lock wait;
- ``LandingZone`` (``resources/landing.py``): where the agencies' files arrive;
- ``Publication`` (here): where published files go, the polling day of the age rule, the
  mask rule of every NIK and NKK anybody but the data officer sees, the population
  projection the coverage figure is computed from, and the most voters per TPS;
- ``FeedLimits`` (here): how big a file or a field may be, how much of a feed may be quarantined,
  how much of a DPT may be unreadable.

``LoadSettings`` is what must be known when the code loads, because the partitions and the asset
checks are built from it: the enabled regencies, the first month (and each regency's own), and
the folder of the GX suites. Changing one of these means reloading the code location.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dagster import ConfigurableResource
from dagster._config.field_utils import EnvVar, IntEnvVar
from pydantic import field_validator

from ..domain import nik, regions
from ..feeds.reader import ReadLimits

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _deferred(value) -> bool:
    """An ``EnvVar`` field: Dagster reads and checks it when a run starts (the definitions check
    the environment's value when they load)."""
    return isinstance(value, (EnvVar, IntEnvVar))


@dataclass(frozen=True)
class LoadSettings:
    """Settings the definitions are built from (partitions, asset checks): known when the code
    loads, read once by ``definitions.py`` from ``PDPB_REGENCIES``, ``PDPB_START_MONTH``,
    ``PDPB_REGENCY_START_MONTHS`` and ``PDPB_EXPECTATIONS_DIR``; a change needs a reload."""

    #: Enabled regencies (dotted Kemendagri codes); empty means all 514.
    regencies: tuple[str, ...] = ()
    #: First month a partition exists for, ``YYYY-MM``: every regency's first month (its roll
    #: starts from the baseline DPT) unless ``regency_start_months`` names another.
    start_month: str = "2025-01"
    #: A regency's own first month where it differs from ``start_month``.
    regency_start_months: Mapping[str, str] = field(default_factory=dict)
    #: Folder of the GX suites, one ``<agency>.json`` per feed; empty: the suites shipped in the package.
    expectations_dir: str = ""

    def __post_init__(self) -> None:
        if not MONTH.match(self.start_month):
            raise ValueError(f"PDPB_START_MONTH={self.start_month!r} is not a month YYYY-MM")
        for code, month in self.regency_start_months.items():
            if not MONTH.match(month) or month < self.start_month:
                raise ValueError(f"PDPB_REGENCY_START_MONTHS: {code}={month} is not a month YYYY-MM from "
                                 f"PDPB_START_MONTH={self.start_month} on")

    @classmethod
    def from_text(cls, regencies: str = "", start_month: str = "2025-01", regency_start_months: str = "",
                  expectations_dir: str = "") -> "LoadSettings":
        """The settings as the variables spell them (``"32.01,36.73"``, ``"32.01=2026-01"``)."""
        start_month = start_month.strip() or "2025-01"
        if not MONTH.match(start_month):
            raise ValueError(f"PDPB_START_MONTH={start_month!r} is not a month YYYY-MM")
        return cls(regencies=tuple(code.strip() for code in regencies.split(",") if code.strip()),
                   start_month=start_month,
                   regency_start_months=parse_start_months(regency_start_months, start_month),
                   expectations_dir=expectations_dir.strip())


def parse_start_months(text: str, start_month: str) -> dict[str, str]:
    """``"32.01=2026-01,36.73=2026-03"`` as {regency: first month}; refuses a malformed entry, an
    unknown regency, a regency named twice, or a month before ``PDPB_START_MONTH`` (no partition)."""
    out: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        code, sep, month = (x.strip() for x in item.partition("="))
        where = f"PDPB_REGENCY_START_MONTHS entry {item!r}"
        if not sep or not MONTH.match(month):
            raise ValueError(f"{where} is not REGENCY=YYYY-MM (e.g. 32.01=2026-01)")
        try:
            code = regions.normalize_regency(code)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if code in out:
            raise ValueError(f"{where}: regency {code} is named twice")
        if month < start_month:
            raise ValueError(f"{where}: {month} is before PDPB_START_MONTH={start_month}, where the partitions begin")
        out[code] = month
    return out


def positive(name: str, value, allow_zero: bool = False):
    """``value`` if it is a positive number (or 0 where ``allow_zero``), else ValueError naming ``name``."""
    if not (value >= 0 if allow_zero else value > 0) or value == float("inf"):
        raise ValueError(f"{name}={value!r} must be {'0 or more' if allow_zero else 'greater than 0'}")
    return value


class FeedLimits(ConfigurableResource):
    """How much a feed file may hold and how much of it may be unusable."""

    #: ``PDPB_MAX_QUARANTINE_SHARE``: a feed with a larger share of unusable rows stops its partition.
    max_quarantine_share: float = 0.2
    #: ``PDPB_MAX_FILE_MB``: an agency file larger than this is refused from its size, unread.
    max_file_mb: float = 200.0
    #: ``PDPB_MAX_FIELD_CHARS``: a field longer than this quarantines its row (Excel's cell limit).
    max_field_chars: int = 32_767
    #: ``PDPB_MAX_DPT_UNREADABLE_SHARE``: a DPT with a larger share of unreadable values in one
    #: field is not loaded (blocking check ``dpt_terbaca``).
    max_dpt_unreadable_share: float = 0.01

    @field_validator("max_quarantine_share", "max_file_mb", "max_field_chars", "max_dpt_unreadable_share",
                     mode="wrap")
    @classmethod
    def _positive(cls, value, handler, info):
        return value if _deferred(value) else positive(info.field_name, handler(value))

    def read_limits(self) -> ReadLimits:
        """The limits the feed reader applies."""
        return ReadLimits(max_file_bytes=int(self.max_file_mb * 1024 * 1024), max_field_chars=self.max_field_chars)


class Publication(ConfigurableResource):
    """What the month's publication needs: where its files go, the day the age rule is judged on,
    how identifiers are masked, and the population projection of the coverage figure.

    ``mask_keep`` is the one mask rule of the process: the definitions install it when they load
    (sensors, the command line) and this resource again when a run starts, so published files,
    metadata, logs and command output all mask alike (``domain.nik``)."""

    #: ``PDPB_OUTPUT_DIR``: published rolls, ``<output_dir>/<regency>/<YYYY-MM>/``.
    output_dir: str = "var/published"
    #: ``PDPB_POLLING_DAY``: the reference polling day of the age rule (17 or older that day, or
    #: married), ISO date; empty: the last day of the month being closed.
    polling_day: str = ""
    #: ``PDPB_MASK_KEEP``: ``HEAD,TAIL`` digits of a NIK or NKK left visible (at most 6 in all).
    mask_keep: str = "6,0"
    #: ``PDPB_POPULATION_PROJECTION``: a CSV ``kode_wilayah,tahun,penduduk_17_plus`` of the
    #: eligible population (``roll.mutu.projection``); empty: no coverage figure.
    population_projection: str = ""
    #: ``PDPB_MAX_PEMILIH_TPS``: the most voters one polling station takes (300 in Pemilu 2024):
    #: the TPS khusus a rutan/lapas needs are ceil(voters / this).
    max_pemilih_tps: int = 300

    @field_validator("max_pemilih_tps", mode="wrap")
    @classmethod
    def _per_tps(cls, value, handler, info):
        return value if _deferred(value) else positive("PDPB_MAX_PEMILIH_TPS", handler(value))

    @field_validator("polling_day", mode="wrap")
    @classmethod
    def _day(cls, value, handler):
        if _deferred(value):
            return value
        value = handler(value)
        if value.strip():
            try:
                dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"PDPB_POLLING_DAY={value!r} is not a date YYYY-MM-DD") from None
        return value

    @field_validator("mask_keep", mode="wrap")
    @classmethod
    def _mask(cls, value, handler):
        if _deferred(value):
            return value
        value = handler(value)
        nik.parse_mask_keep(value)  # ValueError naming PDPB_MASK_KEEP and the rule
        return value

    def setup_for_execution(self, context) -> None:
        nik.use_mask_rule(self.mask_keep)

    @property
    def path(self) -> Path:
        return Path(self.output_dir).resolve()

    @property
    def day(self) -> str:
        """The polling day as the age rule takes it (``""``: the month's last day)."""
        return self.polling_day.strip()
