"""A deployment for a test: its folders, warehouse and partitions in one value, and the Dagster
definitions built from them the way ``definitions.py`` builds them from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dagster import Definitions

from pdpb_pipeline.definitions import build_definitions
from pdpb_pipeline.resources.landing import LandingZone
from pdpb_pipeline.resources.settings import FeedLimits, LoadSettings, Publication
from pdpb_pipeline.resources.warehouse import Warehouse


@dataclass(frozen=True)
class Deployment:
    warehouse_url: str
    landing_dir: Path
    output_dir: Path
    regencies: tuple[str, ...]
    start_month: str
    polling_day: str = ""
    snapshot_dir: Path | None = None
    regency_start_months: Mapping[str, str] = field(default_factory=dict)
    max_quarantine_share: float = 0.2
    max_dpt_unreadable_share: float = 0.01
    max_file_mb: float = 200.0
    max_field_chars: int = 32_767
    lock_wait_seconds: float = 60.0
    mask_keep: str = "6,0"
    population_projection: str = ""

    @property
    def load(self) -> LoadSettings:
        return LoadSettings(regencies=self.regencies, start_month=self.start_month,
                            regency_start_months=dict(self.regency_start_months))

    def resources(self) -> dict:
        return {
            "warehouse": Warehouse(url=self.warehouse_url, snapshot_dir=str(self.snapshot_dir or ""),
                                   lock_wait_seconds=self.lock_wait_seconds),
            "landing": LandingZone(root=str(self.landing_dir)),
            "publication": Publication(output_dir=str(self.output_dir), polling_day=self.polling_day,
                                       mask_keep=self.mask_keep, population_projection=self.population_projection),
            "feed_limits": FeedLimits(max_quarantine_share=self.max_quarantine_share, max_file_mb=self.max_file_mb,
                                      max_field_chars=self.max_field_chars,
                                      max_dpt_unreadable_share=self.max_dpt_unreadable_share),
        }

    def definitions(self) -> Definitions:
        return build_definitions(self.load, self.resources())
