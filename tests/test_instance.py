"""The production Dagster instance (deploy/production/dagster.yaml): storage, queue, Celery launcher,
run monitoring, run retries."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance


@pytest.mark.postgres
def test_production_instance_monitors_runs_and_retries_crashed_workers(production_home):
    home = production_home
    with DagsterInstance.from_config(str(home)) as instance:  # validates every key against Dagster's schema
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.run_monitoring_enabled
        # a launched run waits in Redis until a worker is free: longer than the longest run
        assert instance.run_monitoring_start_timeout_seconds == 3600
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
        # runs are Celery tasks on this deployment's queue; a dead worker is noticed at each poll
        assert type(instance.run_launcher).__name__ == "PdpbCeleryRunLauncher"
        assert instance.run_launcher.supports_check_run_worker_health
        assert instance.run_launcher.default_queue == "pdpb-test"
        assert instance.run_monitoring_poll_interval_seconds <= 30
        # dagster-celery 0.29's resume task cannot start (wrong argument name): retries instead
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert not instance.run_retries_retry_on_asset_or_op_failure  # only crashed workers are retried
