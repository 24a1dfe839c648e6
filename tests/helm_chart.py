"""What Dagster's Helm chart makes of deploy/helm/values.yaml, without Helm: the values checked
against the chart's values.schema.json as Helm checks them, and the instance (dagster.yaml) its
configmap-instance.yaml renders from them, for the parts this project sets.

The translation follows the chart's templates (``templates/configmap-instance.yaml`` and
``templates/helpers/instance/_run-launcher.tpl``, ``_run-coordinator.tpl``, ``_postgresql.tpl`` of
dagster-io/dagster ``helm/dagster``): camelCase values to the snake_case config keys, the same
keys left out when empty, ``additionalInstanceConfig`` appended. It is written here from reading
them, not copied; a `helm template` run (docs/deploy.md) is the check against the chart itself.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELM = ROOT / "deploy" / "helm"
RELEASE = "pdpb"
NAMESPACE = "pdpb"
FULLNAME = f"{RELEASE}-dagster"  # the chart's "dagster.fullname" for release pdpb


def values() -> dict:
    return yaml.safe_load((HELM / "values.yaml").read_text())


def schema() -> dict:
    import json

    return json.loads((HELM / "values.schema.json").read_text())


def schema_for_overrides(full: dict) -> dict:
    """The schema as it applies to an override file: Helm validates the values *merged over the
    chart's defaults*, which supply every required key, so ``required`` lists beside
    ``properties`` are dropped (the if/then ``required`` of a chosen type stay: they name the
    block the chosen type needs). The Kubernetes objects' ``$ref`` to kubernetesjsonschema.dev
    cannot be fetched offline: they are dropped, the object keeps its own ``type``."""
    def strip(node):
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                    continue
                if key == "required" and "properties" in node:
                    continue
                out[key] = strip(value)
            return out
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    return strip(copy.deepcopy(full))


def validate_values(chart_values: dict) -> list[str]:
    """Every schema error of ``chart_values``, as ``path: message``; empty when valid."""
    import jsonschema

    def flat(errors):  # an anyOf's failure carries each branch's errors: the useful ones
        for error in errors:
            yield error
            yield from flat(error.context or [])

    validator = jsonschema.Draft7Validator(schema_for_overrides(schema()))
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in sorted(flat(validator.iter_errors(chart_values)), key=lambda e: list(map(str, e.absolute_path)))]


def _postgres(chart_values: dict) -> dict:
    pg = chart_values["postgresql"]
    config = {"username": pg["postgresqlUsername"], "password": {"env": "DAGSTER_PG_PASSWORD"},
              "hostname": pg["postgresqlHost"], "db_name": pg["postgresqlDatabase"], "port": pg["service"]["port"],
              "params": pg.get("postgresqlParams") or {}}
    if pg.get("postgresqlScheme"):
        config["scheme"] = pg["postgresqlScheme"]
    return {"postgres_db": config}


def _k8s_run_launcher(chart_values: dict) -> dict:
    k8s = chart_values["runLauncher"]["config"]["k8sRunLauncher"]
    config = {"load_incluster_config": k8s["loadInclusterConfig"],
              "job_namespace": k8s.get("jobNamespace") or NAMESPACE,
              "image_pull_policy": k8s["imagePullPolicy"],
              "service_account_name": chart_values.get("global", {}).get("serviceAccountName") or FULLNAME,
              "dagster_home": chart_values.get("global", {}).get("dagsterHome", "/opt/dagster/dagster_home"),
              "instance_config_map": f"{FULLNAME}-instance",
              "postgres_password_secret": chart_values["global"]["postgresqlSecretName"]}
    if k8s.get("kubeconfigFile"):
        config["kubeconfig_file"] = k8s["kubeconfigFile"]
    if chart_values.get("imagePullSecrets"):
        config["image_pull_secrets"] = chart_values["imagePullSecrets"]
    if k8s.get("image"):
        config["job_image"] = f"{k8s['image']['repository']}:{k8s['image']['tag']}"
    names = {"envConfigMaps": "env_config_maps", "envSecrets": "env_secrets"}
    for key, name in names.items():
        listed = [item["name"] for item in k8s.get(key) or [] if "name" in item]
        if listed:
            config[name] = listed
    plain = {"envVars": "env_vars", "volumeMounts": "volume_mounts", "volumes": "volumes", "labels": "labels",
             "resources": "resources", "securityContext": "security_context"}
    for key, name in plain.items():
        if k8s.get(key):
            config[name] = k8s[key]
    if k8s.get("failPodOnRunFailure"):
        config["fail_pod_on_run_failure"] = True
    if k8s.get("schedulerName"):
        config["scheduler_name"] = k8s["schedulerName"]
    run_k8s = k8s.get("runK8sConfig") or {}
    parts = {"containerConfig": "container_config", "podSpecConfig": "pod_spec_config",
             "podTemplateSpecMetadata": "pod_template_spec_metadata", "jobSpecConfig": "job_spec_config",
             "jobMetadata": "job_metadata"}
    if run_k8s:
        config["run_k8s_config"] = {name: run_k8s[key] for key, name in parts.items() if run_k8s.get(key)}
    return {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": config}


def _queued_run_coordinator(chart_values: dict) -> dict:
    queued = chart_values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    config = {"max_concurrent_runs": -1 if queued.get("maxConcurrentRuns") is None else queued["maxConcurrentRuns"]}
    keys = {"tagConcurrencyLimits": "tag_concurrency_limits", "dequeueIntervalSeconds": "dequeue_interval_seconds",
            "dequeueUseThreads": "dequeue_use_threads", "dequeueNumWorkers": "dequeue_num_workers"}
    for key, name in keys.items():
        if queued.get(key):
            config[name] = queued[key]
    return {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator", "config": config}


def instance(chart_values: dict) -> dict:
    """The dagster.yaml of the chart's instance ConfigMap, for the sections these values set."""
    daemon = chart_values["dagsterDaemon"]
    storage = _postgres(chart_values)
    out: dict = {
        "scheduler": {"module": "dagster.core.scheduler", "class": "DagsterDaemonScheduler", "config": {}},
        "schedule_storage": {"module": "dagster_postgres.schedule_storage", "class": "PostgresScheduleStorage",
                             "config": storage},
        "run_launcher": _k8s_run_launcher(chart_values),
        "run_storage": {"module": "dagster_postgres.run_storage", "class": "PostgresRunStorage", "config": storage},
        "event_log_storage": {"module": "dagster_postgres.event_log", "class": "PostgresEventLogStorage",
                              "config": storage},
    }
    assert chart_values["runLauncher"]["type"] == "K8sRunLauncher"
    if daemon["enabled"] and daemon["runCoordinator"]["enabled"]:
        assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
        out["run_coordinator"] = _queued_run_coordinator(chart_values)
    monitoring = daemon.get("runMonitoring") or {}
    if daemon["enabled"] and monitoring.get("enabled"):
        out["run_monitoring"] = {"enabled": True, "start_timeout_seconds": monitoring["startTimeoutSeconds"],
                                 "poll_interval_seconds": monitoring["pollIntervalSeconds"]}
        for key, name in (("cancelTimeoutSeconds", "cancel_timeout_seconds"),
                          ("maxResumeRunAttempts", "max_resume_run_attempts")):
            if monitoring.get(key) is not None:
                out["run_monitoring"][name] = monitoring[key]
    retries = daemon.get("runRetries") or {}
    if daemon["enabled"] and retries.get("enabled"):
        out["run_retries"] = {"enabled": True, **({"max_retries": retries["maxRetries"]}
                                                   if retries.get("maxRetries") else {})}
    out["telemetry"] = {"enabled": chart_values.get("telemetry", {}).get("enabled", True)}
    extra = chart_values.get("additionalInstanceConfig") or {}
    doubled = sorted(set(extra) & set(out))
    assert not doubled, f"additionalInstanceConfig repeats {doubled}: the chart would write the key twice"
    out.update(extra)
    return out
