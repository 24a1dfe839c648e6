"""A thin bridge from GX Core 1.x expectation suites to Dagster asset checks.

Each feed has ``pdpb_pipeline/expectations/<agency>.json`` (shipped inside the package; the
top-level ``expectations`` folder of the checkout is a link to it): a GX suite whose expectations carry
``meta.check_name`` (the Dagster check's name), ``meta.description`` and optionally
``meta.blocking``. ``check_specs`` declares one Dagster check per expectation; ``validate``
runs the suite on the accepted rows with GX and returns one result per check. GX is imported
only when a suite is validated (its import takes seconds), once per process, with one ephemeral
context, one pandas datasource and one batch definition per suite reused by every partition.
``pdpb run`` starts a validation worker first (``gx_worker``), so that the import happens
beside its own start-up. ``dagster-ge`` is not used: it supports GX < 1 only.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from ..domain.nik import mask_text
from . import gx_worker

#: The suites shipped inside the package (package data), found wherever it is installed.
DEFAULT_DIR = Path(str(resources.files("pdpb_pipeline") / "expectations"))


@lru_cache(maxsize=64)
def load_suite(name: str, folder: str | None = None) -> dict:
    """The suite of feed ``name`` from ``folder`` (``PDPB_EXPECTATIONS_DIR``, given by the
    definitions), or from the package's own suites when ``folder`` is empty."""
    path = Path(folder or DEFAULT_DIR) / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no expectation suite for feed {name!r}")
    suite = json.loads(path.read_text(encoding="utf-8"))
    for index, expectation in enumerate(suite.get("expectations", [])):
        if not expectation.get("meta", {}).get("check_name"):
            raise ValueError(f"{path}: expectation {index} has no meta.check_name")
    return suite


def check_specs(asset_key: AssetKey, suite: dict) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            name=e["meta"]["check_name"],
            asset=asset_key,
            description=e["meta"].get("description", e["type"]),
            blocking=bool(e["meta"].get("blocking", False)),
        )
        for e in suite["expectations"]
    ]


@lru_cache(maxsize=1)
def _context():
    """One ephemeral GX context per process: creating one costs about a second."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas(name="pdpb")


@lru_cache(maxsize=64)
def _prepared(name: str, suite_json: str):
    """The batch definition and GX suite of one feed, built once per process."""
    import great_expectations as gx

    context, source = _context()
    suite = json.loads(suite_json)
    batch_definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("partition")
    expectations = [{k: v for k, v in e.items() if k != "meta"} | {"meta": e["meta"]} for e in suite["expectations"]]
    return batch_definition, context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))


#: What of an expectation's GX result goes into its check's metadata (numbers only).
RESULT_KEYS = ("element_count", "unexpected_count", "unexpected_percent", "observed_value")


def run_suite(name: str, suite_json: str, frame: pd.DataFrame) -> list[dict]:
    """Runs one suite with GX on ``frame``: per expectation, in the suite's order, its type,
    ``meta``, success, the numbers of ``RESULT_KEYS`` it reported, and the message of an
    exception GX caught. Plain values, so that the validation worker can send them back."""
    batch_definition, gx_suite = _prepared(name, suite_json)
    data = frame.replace({"": None})
    result = batch_definition.get_batch(batch_parameters={"dataframe": data}).validate(gx_suite)
    out = []
    for item in result.results:
        detail = item.result or {}
        numbers = {key: detail[key] for key in RESULT_KEYS
                   if isinstance(detail.get(key), (int, float)) and not isinstance(detail.get(key), bool)}
        raised = item.exception_info and item.exception_info.get("raised_exception")
        out.append({
            "type": item.expectation_config.type,
            "meta": dict(item.expectation_config.meta or {}),
            "success": bool(item.success),
            "numbers": numbers,
            "error": str(item.exception_info.get("exception_message")) if raised else None,
        })
    return out


def validate(asset_key: AssetKey, suite: dict, frame: pd.DataFrame) -> list[AssetCheckResult]:
    """Runs the suite with GX on ``frame`` (empty strings are treated as missing values): in
    the validation worker when one was started (``gx_worker.start``), otherwise, or if the
    worker fails, in this process.

    An empty frame (no file this month) passes every expectation without starting GX.
    """
    if frame.empty:
        return [
            AssetCheckResult(
                asset_key=asset_key, check_name=e["meta"]["check_name"], passed=True,
                severity=AssetCheckSeverity.ERROR if e["meta"].get("blocking") else AssetCheckSeverity.WARN,
                description=e["meta"].get("description"), metadata={"element_count": MetadataValue.int(0)},
            )
            for e in suite["expectations"]
        ]
    suite_json = json.dumps(suite, sort_keys=True)
    outcomes = gx_worker.run(suite["name"], suite_json, frame)
    if outcomes is None:
        outcomes = run_suite(suite["name"], suite_json, frame)
    out = []
    for outcome in outcomes:
        meta = outcome["meta"]
        metadata = {"gx_expectation": MetadataValue.text(outcome["type"])}
        for key, value in outcome["numbers"].items():
            metadata[key] = MetadataValue.float(float(value)) if isinstance(value, float) else MetadataValue.int(value)
        if outcome["error"] is not None:
            metadata["error"] = MetadataValue.text(mask_text(outcome["error"])[:500])
        out.append(
            AssetCheckResult(
                asset_key=asset_key,
                check_name=meta["check_name"],
                passed=outcome["success"],
                severity=AssetCheckSeverity.ERROR if meta.get("blocking") else AssetCheckSeverity.WARN,
                description=meta.get("description"),
                metadata=metadata,
            )
        )
    return out
