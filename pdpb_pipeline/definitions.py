"""Assembles the Dagster definitions: assets, checks, jobs, schedules, sensors, resources.

Loaded by ``workspace.yaml`` (and by ``dagster dev -m pdpb_pipeline.definitions``). Everything
that depends on the deployment (which regencies, which databases, which folders) comes from
``Settings.from_env()``.
"""

from __future__ import annotations

from dagster import AssetSelection, Definitions, build_schedule_from_partitioned_job, define_asset_job

from . import partitions
from .assets import baseline, feeds, landing, linkage, roll
from .resources.bulan_awal import BulanAwal
from .resources.landing import LandingZone
from .resources.warehouse import Warehouse
from .sensors import build_landing_sensor
from .resources.settings import Settings

MONTHLY_JOB = "pdpb_bulanan"
BASELINE_JOB = "pdpb_dpt_awal"


def build_definitions(settings: Settings) -> Definitions:
    monthly, by_regency = partitions.build(settings)
    dpt_baseline = baseline.build(by_regency, settings.max_dpt_unreadable_share)
    berkas_masuk = landing.build(monthly)
    feed_assets = feeds.build_all(monthly, berkas_masuk, settings.max_quarantine_share, settings.read_limits())
    monthly_assets = [
        berkas_masuk,
        *feed_assets,
        linkage.build(monthly, feed_assets, dpt_baseline),
        *roll.build(monthly, feed_assets, dpt_baseline, settings),
    ]

    monthly_job = define_asset_job(
        MONTHLY_JOB,
        selection=AssetSelection.assets(*monthly_assets),
        description="Closes one regency's month: feeds, linkage, roll, recap, publication.",
    )
    baseline_job = define_asset_job(
        BASELINE_JOB,
        selection=AssetSelection.assets(dpt_baseline),
        description="Loads a regency's baseline DPT (once, before its first month).",
    )
    # Agencies send their files in the first days of the next month; the month is closed on the
    # 5th, one run per enabled regency.
    schedule = build_schedule_from_partitioned_job(
        monthly_job, name="pdpb_bulanan_schedule", day_of_month=5, hour_of_day=2
    )
    landing_zone = LandingZone(root=str(settings.landing_dir))
    return Definitions(
        assets=[dpt_baseline, *monthly_assets],
        jobs=[monthly_job, baseline_job],
        schedules=[schedule],
        sensors=[build_landing_sensor(monthly_job, monthly, landing_zone)],
        resources={"warehouse": Warehouse(url=settings.warehouse_url, snapshot_dir=str(settings.snapshot_dir or ""),
                                            lock_wait_seconds=settings.lock_wait_seconds),
                   "landing": landing_zone,
                "bulan_awal": BulanAwal(default=settings.start_month, per_regency=dict(settings.regency_start_months))},
    )


defs = build_definitions(Settings.from_env())
