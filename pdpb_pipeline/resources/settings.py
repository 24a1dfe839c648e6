"""Deployment settings, read from environment variables once per process.

Every setting has a default that works on a laptop with nothing running: the warehouse is a
SQLite file and the landing zone and published files live under ``./var``. Production points
``PDPB_WAREHOUSE_URL`` at PostgreSQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..domain import regions
from ..feeds.reader import ReadLimits

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _var_dir() -> Path:
    return Path(os.environ.get("PDPB_VAR_DIR", "var")).resolve()


@dataclass(frozen=True)
class Settings:
    warehouse_url: str
    landing_dir: Path
    output_dir: Path
    #: Enabled regencies (dotted Kemendagri codes); empty means all 514.
    regencies: tuple[str, ...]
    #: First month a partition exists for, ``YYYY-MM``.
    start_month: str
    #: Reference polling day for the age rule (17 or older on that day), ISO date; empty: the
    #: last day of the month being closed (who has turned 17 by the end of the period).
    polling_day: str
    #: A feed file with a larger share of unusable rows stops its partition (blocking check).
    max_quarantine_share: float = 0.2
    #: A DPT with a larger share of unreadable values in one field is not loaded (blocking check).
    max_dpt_unreadable_share: float = 0.01
    #: Columnar copies of the latest rolls (``roll.snapshot``); None: always read the warehouse.
    snapshot_dir: Path | None = None
    #: A regency's own first month where it differs from ``start_month`` (``PDPB_REGENCY_START_MONTHS``):
    #: the month its roll starts from the baseline DPT; months before it are never run.
    regency_start_months: Mapping[str, str] = field(default_factory=dict)
    #: An agency file larger than this is refused from its size, unread (``PDPB_MAX_FILE_MB``).
    max_file_mb: float = 200.0
    #: A field longer than this quarantines its row (``PDPB_MAX_FIELD_CHARS``; Excel's cell limit).
    max_field_chars: int = 32_767
    #: Seconds a run waits for a regency that another run is updating before it refuses
    #: (``PDPB_LOCK_WAIT``; 0: refuse at once). See ``resources.regency_lock``.
    lock_wait_seconds: float = 60.0

    def read_limits(self) -> ReadLimits:
        """The limits the feed reader applies."""
        return ReadLimits(max_file_bytes=int(self.max_file_mb * 1024 * 1024), max_field_chars=self.max_field_chars)

    @classmethod
    def from_env(cls) -> "Settings":
        var = _var_dir()
        url = os.environ.get("PDPB_WAREHOUSE_URL") or f"sqlite:///{var / 'warehouse.sqlite'}"
        regencies = tuple(
            code.strip() for code in os.environ.get("PDPB_REGENCIES", "").split(",") if code.strip()
        )
        start_month = os.environ.get("PDPB_START_MONTH", "2025-01")
        if not MONTH.match(start_month):
            raise ValueError(f"PDPB_START_MONTH={start_month!r} is not a month YYYY-MM")
        from ..domain.nik import mask_rule

        mask_rule()  # PDPB_MASK_KEEP is read where masking happens; a wrong value stops us here, at start-up
        return cls(
            warehouse_url=url,
            landing_dir=Path(os.environ.get("PDPB_LANDING_DIR") or var / "landing").resolve(),
            output_dir=Path(os.environ.get("PDPB_OUTPUT_DIR") or var / "published").resolve(),
            regencies=regencies,
            start_month=start_month,
            polling_day=os.environ.get("PDPB_POLLING_DAY", ""),
            max_quarantine_share=float(os.environ.get("PDPB_MAX_QUARANTINE_SHARE", "0.2")),
            max_dpt_unreadable_share=float(os.environ.get("PDPB_MAX_DPT_UNREADABLE_SHARE", "0.01")),
            snapshot_dir=Path(os.environ.get("PDPB_SNAPSHOT_DIR") or var / "snapshot").resolve(),
            regency_start_months=parse_start_months(os.environ.get("PDPB_REGENCY_START_MONTHS", ""), start_month),
            max_file_mb=_number("PDPB_MAX_FILE_MB", "200", float),
            max_field_chars=_number("PDPB_MAX_FIELD_CHARS", "32767", int),
            lock_wait_seconds=_number("PDPB_LOCK_WAIT", "60", float, allow_zero=True),
        )


def _number(name: str, default: str, kind, allow_zero: bool = False):
    """A positive number (or 0 where ``allow_zero``) from the environment, refused with its name."""
    text = os.environ.get(name, default).strip() or default
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a {'whole ' if kind is int else ''}number") from None
    if not (value >= 0 if allow_zero else value > 0) or value == float("inf"):
        raise ValueError(f"{name}={text!r} must be {'0 or more' if allow_zero else 'greater than 0'}")
    return value


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
