"""Partitions (month x regency), the monthly schedule and the jobs, as a Dagster user sees them."""

from __future__ import annotations

import datetime as dt

from dagster import DagsterInstance, MultiPartitionKey, build_schedule_context, validate_run_config

from pdpb_pipeline.domain import regions
from pdpb_pipeline.definitions import BASELINE_JOB, MONTHLY_JOB
from pdpb_pipeline.partitions import Partition
from tests.deployment import Deployment


def _settings(tmp_path, regencies=()) -> Deployment:
    return Deployment(
        warehouse_url=f"sqlite:///{tmp_path / 'w.sqlite'}",
        landing_dir=tmp_path / "landing",
        output_dir=tmp_path / "out",
        regencies=tuple(regencies),
        start_month="2025-01",
        polling_day="",
    )


def test_regencies_default_to_all_514_kemendagri_codes(tmp_path):
    defs = _settings(tmp_path).definitions()
    job = defs.resolve_job_def(MONTHLY_JOB)
    regency = job.partitions_def.get_partitions_def_for_dimension("regency").get_partition_keys()
    assert len(regency) == 514
    assert "32.01" in regency and "36.73" in regency and "31.71" in regency
    assert all(regions.REGENCY_CODE.match(code) for code in regency)


def test_enabled_regencies_come_from_configuration(tmp_path):
    defs = _settings(tmp_path, ["3673", "32.01"]).definitions()
    job = defs.resolve_job_def(MONTHLY_JOB)
    assert job.partitions_def.get_partitions_def_for_dimension("regency").get_partition_keys() == ["32.01", "36.73"]
    baseline = defs.resolve_job_def(BASELINE_JOB)
    assert baseline.partitions_def.get_partition_keys() == ["32.01", "36.73"]


def test_month_keys_are_first_days_of_complete_months(tmp_path):
    defs = _settings(tmp_path, ["32.01"]).definitions()
    month = defs.resolve_job_def(MONTHLY_JOB).partitions_def.get_partitions_def_for_dimension("month")
    keys = month.get_partition_keys(current_time=dt.datetime(2026, 3, 10))
    assert keys[0] == "2025-01-01"
    assert keys[-1] == "2026-02-01"  # March is not over yet
    assert len(keys) == 14


def test_partition_key_round_trip():
    part = Partition.from_key(MultiPartitionKey({"month": "2026-01-01", "regency": "32.01"}))
    assert part == Partition(regency="32.01", month="2026-01")
    assert part.previous_month == "2025-12"
    assert Partition.from_key(part.key) == part
    assert Partition.from_key("2026-03-01|36.73") == Partition("36.73", "2026-03")


def test_schedule_requests_one_run_per_regency_for_the_month_just_closed(tmp_path):
    defs = _settings(tmp_path, ["32.01", "36.73", "73.18"]).definitions()
    schedule = defs.resolve_schedule_def("pdpb_bulanan_schedule")
    assert schedule.job_name == MONTHLY_JOB
    assert schedule.cron_schedule == "0 2 5 * *"
    assert schedule.execution_timezone == "Asia/Jakarta"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 3, 5, 2, 0), repository_def=defs.get_repository_def()
        )
        requests = schedule.evaluate_tick(context).run_requests
    keys = sorted(r.partition_key for r in requests)
    assert keys == ["2026-02-01|32.01", "2026-02-01|36.73", "2026-02-01|73.18"]


def test_asset_graph_and_jobs_resolve(tmp_path):
    defs = _settings(tmp_path, ["32.01"]).definitions()
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"dpt_baseline", "berkas_masuk"} <= keys
    validate_run_config(defs.resolve_job_def(MONTHLY_JOB), {})  # raises when invalid


def test_runs_the_schedule_and_the_sensor_submit_run_their_steps_in_one_process(tmp_path):
    """A run of a regency's month that the daemon launches has the steps of ``pdpb run``'s one
    process (a process per step starts twenty interpreters a month); the launchpad may still ask
    for a process per step."""
    defs = _settings(tmp_path, ["32.01"]).definitions()
    for name in (MONTHLY_JOB, BASELINE_JOB):
        job = defs.resolve_job_def(name)
        key = job.partitions_def.get_partition_keys()[0]
        config = job.partitioned_config.get_run_config_for_partition_key(key)
        assert config["execution"] == {"config": {"in_process": {}}}
        validate_run_config(job, {"execution": {"config": {"multiprocess": {}}}})
