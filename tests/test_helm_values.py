"""The Kubernetes deployment (deploy/helm/values.yaml for Dagster's Helm chart), checked without a
cluster and without Helm: the values against the chart's values.schema.json, and the instance
the chart renders from them loaded by Dagster with dagster-k8s's K8sRunLauncher."""

from __future__ import annotations

import copy
import tomllib

import pytest
import yaml

from tests import helm_chart
from tests.helm_chart import ROOT

MONTHLY_REGENCY_TAG = "dagster/partition/regency"


def test_the_values_satisfy_the_charts_schema():
    assert helm_chart.validate_values(helm_chart.values()) == []


@pytest.mark.parametrize("path, value, complaint", [
    (("runLauncher", "config", "k8sRunLauncher", "jobNamspace"), "pdpb", "Additional properties"),
    (("runLauncher", "type"), "K8sLauncher", "is not one of"),
    (("dagsterDaemon", "runCoordinator", "config", "queuedRunCoordinator", "tagConcurrencyLimits", 0, "limit"),
     "1", "is not of type 'integer'"),
    (("dagster-user-deployments", "deployments", 0, "image", "pullPolicy"), "Sometimes", "is not one of"),
    (("dagsterDaemon", "runMonitoringg"), {"enabled": True}, "Additional properties"),
])
def test_the_schema_check_catches_a_wrong_value(path, value, complaint):
    broken = copy.deepcopy(helm_chart.values())
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    errors = helm_chart.validate_values(broken)
    assert any(complaint in e for e in errors), errors


def test_a_k8s_launcher_without_its_config_block_is_refused():
    broken = copy.deepcopy(helm_chart.values())
    del broken["runLauncher"]["config"]["k8sRunLauncher"]
    assert any("'k8sRunLauncher' is a required property" in e for e in helm_chart.validate_values(broken))


def test_the_code_server_loads_the_module_the_workspace_names():
    [deployment] = helm_chart.values()["dagster-user-deployments"]["deployments"]
    args = deployment["codeServerArgs"]
    module = args[args.index("-m") + 1]
    [location] = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"]
    assert module == location["python_module"]["module_name"]
    assert module == tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["dagster"]["module_name"]


def test_the_run_queue_is_the_production_one():
    """One run per regency, on the tag Dagster gives every run of a month x regency partition,
    the same limit as deploy/production/dagster.yaml."""
    from dagster._core.storage.tags import get_multidimensional_partition_tag

    rendered = helm_chart.instance(helm_chart.values())["run_coordinator"]["config"]
    production = yaml.safe_load((ROOT / "deploy" / "production" / "dagster.yaml").read_text())
    assert get_multidimensional_partition_tag("regency") == MONTHLY_REGENCY_TAG
    assert rendered["tag_concurrency_limits"] == production["run_coordinator"]["config"]["tag_concurrency_limits"]
    assert rendered["tag_concurrency_limits"] == [
        {"key": MONTHLY_REGENCY_TAG, "limit": 1, "value": {"applyLimitPerUniqueValue": True}}]
    assert rendered["max_concurrent_runs"] > 1


def test_the_launcher_config_is_valid_for_k8s_run_launcher():
    from dagster._config import validate_config
    from dagster_k8s import K8sRunLauncher

    config = helm_chart.instance(helm_chart.values())["run_launcher"]["config"]
    result = validate_config(K8sRunLauncher.config_type(), config)
    assert result.success, [e.message for e in result.errors]
    assert config["job_namespace"] == helm_chart.NAMESPACE
    assert config["resources"]["limits"]["memory"] == "8Gi"
    assert config["run_k8s_config"]["job_spec_config"]["backoffLimit"] == 0
    # and a misspelt key is refused by the same check
    result = validate_config(K8sRunLauncher.config_type(), {**config, "job_namspace": "x"})
    assert not result.success


FAKE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: test, user: {token: not-a-token}}]
contexts: [{name: test, context: {cluster: test, user: test, namespace: pdpb}}]
current-context: test
"""


@pytest.mark.postgres
def test_the_rendered_instance_loads_with_one_kubernetes_job_per_run(tmp_path, pg_database, monkeypatch):
    """The dagster.yaml the chart renders, with its storage pointed at the test's PostgreSQL and
    the cluster's credentials replaced by a kubeconfig file (nothing is contacted), loads as a
    DagsterInstance: K8sRunLauncher, the run queue, run monitoring that resumes a lost run once,
    retries of crashed runs only."""
    from dagster import DagsterInstance
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_k8s import K8sRunLauncher

    rendered = helm_chart.instance(helm_chart.values())
    for key in ("run_storage", "event_log_storage", "schedule_storage"):
        rendered[key]["config"]["postgres_db"].update(
            hostname=pg_database.host or "127.0.0.1", port=pg_database.port or 5432,
            username=pg_database.username or "postgres", db_name=pg_database.database)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(FAKE_KUBECONFIG)
    rendered["run_launcher"]["config"].update(load_incluster_config=False, kubeconfig_file=str(kubeconfig))
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(rendered))
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", pg_database.password or "")

    with DagsterInstance.from_config(str(home)) as instance:
        launcher = instance.run_launcher
        assert isinstance(launcher, K8sRunLauncher)
        assert launcher.job_namespace == helm_chart.NAMESPACE
        assert launcher.instance_config_map == f"{helm_chart.FULLNAME}-instance"
        assert launcher.postgres_password_secret == "pdpb-dagster-postgresql"
        assert launcher.supports_resume_run
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        assert coordinator.get_run_queue_config().max_concurrent_runs == 40
        [limit] = coordinator.get_run_queue_config().tag_concurrency_limits
        assert limit["key"] == MONTHLY_REGENCY_TAG and limit["limit"] == 1
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_max_runtime_seconds == 6 * 3600
        assert instance.run_monitoring_max_resume_run_attempts == 1
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert not instance.run_retries_retry_on_asset_or_op_failure


def test_the_code_servers_environment_is_one_the_definitions_accept():
    """Every PDPB_* variable the values set is one the definitions read, and its value passes
    their checks (a misspelt name would be silently ignored, a wrong value would stop the code
    server at start)."""
    from pdpb_pipeline import definitions

    [deployment] = helm_chart.values()["dagster-user-deployments"]["deployments"]
    env = deployment["env"]
    known = set(definitions.LOAD_VARIABLES) | set(definitions.RESOURCE_VARIABLES) | {"PDPB_VAR_DIR"}
    assert set(env) <= known, set(env) - known
    # the warehouse URL comes from the Secret: a PostgreSQL URL of that shape
    load, resources = definitions.from_environment({**env, "PDPB_WAREHOUSE_URL": "postgresql://pdpb:x@db/pdpb"})
    assert load.regencies == tuple(env["PDPB_REGENCIES"].split(","))
    assert resources["landing"].root == env["PDPB_LANDING_DIR"]
    assert [s["name"] for s in deployment["envSecrets"]] == ["pdpb-warehouse"]
