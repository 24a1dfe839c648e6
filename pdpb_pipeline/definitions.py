"""Assembles the Dagster definitions (assets, checks, jobs, schedule, sensor, resources), and is
the one module that reads the deployment's environment variables.

Loaded by ``workspace.yaml`` (``dagster dev`` in the project root), ``pdpb`` and the tests.
There are two kinds of settings (README, "Configuration"):

- What the code needs when it loads, ``LoadSettings``: the partitions are built from the enabled
  regencies (``PDPB_REGENCIES``) and the first months (``PDPB_START_MONTH``,
  ``PDPB_REGENCY_START_MONTHS``), and each expectation of the GX suites
  (``PDPB_EXPECTATIONS_DIR``) is an asset check. They are read here, once; changing one means
  reloading the code location.
- Everything else is a field of a resource: ``warehouse``, ``landing``, ``publication`` and
  ``feed_limits`` (``RESOURCE_VARIABLES``). A variable that is set becomes ``EnvVar(name)``:
  Dagster reads it when a run starts, and its UI shows the variable's name, never the value (the
  warehouse URL holds a password). A variable that is not set gives the default, which works with
  nothing running: SQLite and folders under ``var/`` (``PDPB_VAR_DIR``). Two kinds of field are
  given as values read here instead: decimal numbers (shares, megabytes, seconds), because
  Dagster's ``EnvVar`` carries only text and whole numbers, and the mask rule
  (``PDPB_MASK_KEEP``), because the sensor and the command line mask outside any run: it is the
  process's rule from the moment this module loads (``domain.nik.use_mask_rule``), and the
  ``publication`` resource installs the same rule again when a run starts.

Every variable's value is checked when this module loads, so a wrong one (``PDPB_MASK_KEEP=12,3``,
``PDPB_MAX_FILE_MB=banyak``) stops the process at start with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dagster import (
    AssetSelection,
    ConfigurableResource,
    Definitions,
    DagsterInstance,
    EnvVar,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from pydantic import ValidationError

from . import partitions
from .assets import baseline, daftar, feeds, landing, linkage, roll, rollup
from .domain import nik
from .resources.bulan_awal import BulanAwal
from .resources.landing import LandingZone
from .resources.settings import FeedLimits, LoadSettings, Publication, positive
from .resources.warehouse import Warehouse
from .sensors import build_landing_sensor

MONTHLY_JOB = "pdpb_bulanan"
#: The regency jobs' default run config (what the schedule, the sensor and the launchpad submit;
#: editable there): every step in the run's own process, as ``pdpb run`` runs them. A month is a
#: chain of some twenty steps, mostly one after the other; with Dagster's default of a process per
#: step each step starts an interpreter importing Dagster, pandas, pyarrow and the pipeline, and
#: the roll is read again in each: a 600-voter month took 248-415 s that way on a loaded 2-core
#: machine against 58 s in one process (docs/cluster.md). Scale-out is across runs (one run per
#: worker or pod), not across a run's steps. ``{"multiprocess": {}}`` in the launchpad still works.
RUN_STEPS_IN_ONE_PROCESS = {"execution": {"config": {"in_process": {}}}}
BASELINE_JOB = "pdpb_dpt_awal"

#: The variables the code needs when it loads (``LoadSettings``).
LOAD_VARIABLES = ("PDPB_REGENCIES", "PDPB_START_MONTH", "PDPB_REGENCY_START_MONTHS", "PDPB_EXPECTATIONS_DIR")
#: Every other variable: the resource and the field it sets.
RESOURCE_VARIABLES: dict[str, tuple[str, str]] = {
    "PDPB_WAREHOUSE_URL": ("warehouse", "url"),
    "PDPB_SNAPSHOT_DIR": ("warehouse", "snapshot_dir"),
    "PDPB_LOCK_WAIT": ("warehouse", "lock_wait_seconds"),
    "PDPB_LANDING_DIR": ("landing", "root"),
    "PDPB_OUTPUT_DIR": ("publication", "output_dir"),
    "PDPB_POLLING_DAY": ("publication", "polling_day"),
    "PDPB_MASK_KEEP": ("publication", "mask_keep"),
    "PDPB_POPULATION_PROJECTION": ("publication", "population_projection"),
    "PDPB_MAX_PEMILIH_TPS": ("publication", "max_pemilih_tps"),
    "PDPB_MAX_QUARANTINE_SHARE": ("feed_limits", "max_quarantine_share"),
    "PDPB_MAX_FILE_MB": ("feed_limits", "max_file_mb"),
    "PDPB_MAX_FIELD_CHARS": ("feed_limits", "max_field_chars"),
    "PDPB_MAX_DPT_UNREADABLE_SHARE": ("feed_limits", "max_dpt_unreadable_share"),
}
RESOURCE_TYPES: dict[str, type[ConfigurableResource]] = {
    "warehouse": Warehouse, "landing": LandingZone, "publication": Publication, "feed_limits": FeedLimits}
#: Fields given as values read at load (see the module's docstring), never as ``EnvVar``.
_READ_AT_LOAD = {"PDPB_MASK_KEEP"}
#: Fields where 0 is a meaningful value (refuse at once).
_ZERO_ALLOWED = {"PDPB_LOCK_WAIT"}


def default_fields(var: Path) -> dict[str, dict[str, object]]:
    """What every resource holds with no environment: SQLite and folders under ``var``."""
    return {"warehouse": {"url": f"sqlite:///{var / 'warehouse.sqlite'}", "snapshot_dir": str(var / "snapshot")},
            "landing": {"root": str(var / "landing")},
            "publication": {"output_dir": str(var / "published")},
            "feed_limits": {}}


def default_resources(var: Path | str = "var") -> dict[str, ConfigurableResource]:
    """The resources with nothing set: SQLite and folders under ``var``."""
    var = Path(var).resolve()
    return {key: RESOURCE_TYPES[key](**fields) for key, fields in default_fields(var).items()}


def _number(name: str, text: str, kind: type):
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a {'whole ' if kind is int else ''}number") from None
    try:
        return positive(name, value, allow_zero=name in _ZERO_ALLOWED)
    except ValueError:
        raise ValueError(f"{name}={text!r} must be {'0 or more' if name in _ZERO_ALLOWED else 'greater than 0'}"
                         ) from None


def from_environment(environ: Mapping[str, str] = os.environ
                     ) -> tuple[LoadSettings, dict[str, ConfigurableResource]]:
    """The load settings and the resources as the environment configures them, every value
    checked now (ValueError naming the variable). With ``environ`` other than ``os.environ`` (a
    test) the resources hold the values themselves instead of ``EnvVar``."""
    load = LoadSettings.from_text(*(environ.get(name, "") for name in LOAD_VARIABLES))
    deferred = environ is os.environ
    configured = default_fields(Path(environ.get("PDPB_VAR_DIR") or "var").resolve())
    values = {key: dict(fields) for key, fields in configured.items()}
    for name, (key, field) in RESOURCE_VARIABLES.items():
        text = environ.get(name, "")
        if not text.strip():
            continue
        kind = RESOURCE_TYPES[key].model_fields[field].annotation
        if kind in (int, float):
            text = text.strip()
            values[key][field] = _number(name, text, kind)
        else:
            values[key][field] = text
        if not deferred or kind is float or name in _READ_AT_LOAD:
            configured[key][field] = values[key][field]
        else:
            configured[key][field] = EnvVar.int(name) if kind is int else EnvVar(name)
    for key, fields in values.items():
        try:  # the fields' own checks, on the values the environment holds now
            RESOURCE_TYPES[key](**fields)
        except ValidationError as error:
            raise ValueError("; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())) from None
    return load, {key: RESOURCE_TYPES[key](**fields) for key, fields in configured.items()}


_usable: dict[tuple, tuple[ConfigurableResource, ConfigurableResource]] = {}


def usable(resource: ConfigurableResource) -> ConfigurableResource:
    """``resource`` with its ``EnvVar`` fields replaced by the values the environment holds now:
    for the command line, which uses the warehouse and landing zone outside any run. The same
    object for the same resource and values (a warehouse keeps its reflected tables)."""
    raw = {name: resource.__dict__[name] for name in type(resource).model_fields if name in resource.__dict__}
    deferred = {name: value.get_value() for name, value in raw.items() if hasattr(value, "get_value")}
    if not deferred:
        return resource
    key = (id(resource), tuple(sorted(deferred.items())))
    if key not in _usable or _usable[key][0] is not resource:  # the resource is kept: its id stays its own
        _usable[key] = (resource, type(resource)(**(raw | deferred)))
    return _usable[key][1]


def environment_resources() -> dict[str, ConfigurableResource]:
    """The resources as the environment configures them now, values in place of ``EnvVar``, and
    its mask rule installed: for the command line, which reads the warehouse outside any run."""
    _, resources = from_environment()
    out = {key: usable(resource) for key, resource in resources.items()}
    nik.use_mask_rule(out["publication"].mask_keep)
    return out


def dagster_instance(environ: Mapping[str, str] = os.environ) -> DagsterInstance:
    """The Dagster instance ``pdpb run`` records its runs in: ``DAGSTER_HOME``'s when it is set
    (production: ``deploy/production``), else the local one in ``var/dagster_home`` (under
    ``PDPB_VAR_DIR``), the storage the top-level ``dagster.yaml`` gives plain ``dagster dev``, so
    the UI shows the command's runs. A newcomer's ``pdpb run`` needs nothing set."""
    if environ.get("DAGSTER_HOME", "").strip():
        return DagsterInstance.get()
    home = Path(environ.get("PDPB_VAR_DIR") or "var").resolve() / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    return DagsterInstance.from_config(str(home))


def usable_resources(defs: Definitions) -> dict[str, object]:
    """``defs``'s resources as ``usable`` makes them, by key."""
    return {key: usable(resource) if isinstance(resource, ConfigurableResource) else resource
            for key, resource in defs.resources.items()}


def build_definitions(load: LoadSettings = LoadSettings(),
                      resources: Mapping[str, ConfigurableResource] | None = None) -> Definitions:
    """The definitions for ``load``'s partitions and suites, with ``resources`` (``warehouse``,
    ``landing``, ``publication``, ``feed_limits``; those not given: ``default_resources()``)."""
    resources = default_resources() | dict(resources or {})
    publication = usable(resources["publication"])
    nik.use_mask_rule(publication.mask_keep)  # the process's rule, before anything masks
    monthly, by_regency = partitions.build(load)
    dpt_baseline = baseline.build(by_regency)
    berkas_masuk = landing.build(monthly)
    feed_assets = feeds.build_all(monthly, berkas_masuk, load.expectations_dir)
    daftar_assets = daftar.build(monthly)
    monthly_assets = [
        berkas_masuk,
        *feed_assets,
        linkage.build(monthly, feed_assets, dpt_baseline),
        *roll.build(monthly, feed_assets, dpt_baseline, daftar_assets),
        *daftar_assets,
    ]

    monthly_job = define_asset_job(
        MONTHLY_JOB,
        selection=AssetSelection.assets(*monthly_assets),
        description="Closes one regency's month: feeds, linkage, roll, recap, agency lists, publication.",
        config=RUN_STEPS_IN_ONE_PROCESS,
    )
    baseline_job = define_asset_job(
        BASELINE_JOB,
        selection=AssetSelection.assets(dpt_baseline),
        description="Loads a regency's baseline DPT (once, before its first month).",
        config=RUN_STEPS_IN_ONE_PROCESS,
    )
    # Agencies send their files in the first days of the next month; the month is closed on the
    # 5th, one run per enabled regency.
    schedule = build_schedule_from_partitioned_job(
        monthly_job, name="pdpb_bulanan_schedule", day_of_month=5, hour_of_day=2
    )
    # Roll-ups (a regency's quarter and half-year, provinces, the nation): one job per roll-up,
    # its schedule after the period's months are due.
    rollup_assets, rollup_checks, rollup_parts = rollup.build_all(partitions.enabled_regencies(load), load.start_month)
    rollup_jobs, rollup_schedules = [], []
    for spec, parts in rollup_parts.items():
        job = define_asset_job(spec.job_name, selection=AssetSelection.assets(spec.recap_key, spec.publish_key),
                               description=f"Rolls up and publishes the {spec.tingkat} recap of a {spec.grain}.")
        rollup_jobs.append(job)
        rollup_schedules.append(rollup.build_schedule(
            spec, job, parts.get_partitions_def_for_dimension(spec.unit_dimension).get_partition_keys()))
    return Definitions(
        assets=[dpt_baseline, *monthly_assets, *rollup_assets],
        asset_checks=rollup_checks,
        jobs=[monthly_job, baseline_job, *rollup_jobs],
        schedules=[schedule, *rollup_schedules],
        sensors=[build_landing_sensor(monthly_job, monthly)],
        resources={**resources,
                   "bulan_awal": BulanAwal(default=load.start_month, per_regency=dict(load.regency_start_months))},
    )


defs = build_definitions(*from_environment())
