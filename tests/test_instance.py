"""The production Dagster instance (deploy/production/dagster.yaml): storage, queue, run monitoring, run retries."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance


@pytest.mark.postgres
def test_production_instance_monitors_runs_and_retries_crashed_workers(production_home):
    home = production_home
    with DagsterInstance.from_config(str(home)) as instance:  # validates every key against Dagster's schema
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 300
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
        # the default launcher cannot resume a run: a non-zero value would refuse to start
        assert not instance.run_launcher.supports_resume_run
        assert instance.run_monitoring_max_resume_run_attempts == 0
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert not instance.run_retries_retry_on_asset_or_op_failure  # only crashed workers are retried
