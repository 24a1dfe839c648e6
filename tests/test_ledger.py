"""The months of a regency in order, from its first month; a published month never undone in silence."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from dagster import DagsterInstance, MultiPartitionKey
from typer.testing import CliRunner

from pdpb_pipeline.cli.app import app
from pdpb_pipeline.definitions import MONTHLY_JOB
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import penarikan
from pdpb_pipeline.cli.runner import RunError, run_regency
from pdpb_pipeline.resources.settings import parse_start_months
from tests.deployment import Deployment
from pdpb_pipeline.cli.status import month_lines
from pdpb_lab.synth import SynthConfig, generate

REGENCY = "36.73"
SIXTEEN = re.compile(rb"(?<![0-9a-fA-F])\d{16}(?![0-9a-fA-F])")  # a full NIK or NKK


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=2_000, months=3, start="2026-01", seed=5), out_dir=out)
    return out


def _settings(tmp: Path, zone: Path, **extra) -> Deployment:
    return Deployment(warehouse_url=f"sqlite:///{tmp / 'warehouse.sqlite'}", landing_dir=zone,
                    output_dir=tmp / "published", regencies=(REGENCY,), start_month="2026-01", polling_day="",
                    snapshot_dir=tmp / "snapshot", **extra)


def _closed(settings: Deployment) -> list[str]:
    frame = Warehouse(url=settings.warehouse_url).read("SELECT month FROM dpb_bulan ORDER BY month")
    return frame["month"].tolist()


def _job_alone(defs, instance, month: str, config: dict | None = None):
    """The monthly job as the schedule or the UI launches it: no runner in front of it."""
    return defs.resolve_job_def(MONTHLY_JOB).execute_in_process(
        instance=instance, raise_on_error=False, run_config=config or {},
        partition_key=MultiPartitionKey(Partition(REGENCY, month).key.keys_by_dimension))


def _step_errors(result) -> list[str]:
    out = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.event_specific_data.error
            while error.cause is not None:
                error = error.cause
            out.append(f"{event.step_key}: {error.message}")
    return out


def test_a_month_waits_for_the_month_before_it(tmp_path, zone):
    settings = _settings(tmp_path, zone)
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        with pytest.raises(RunError, match=r"month 2026-01 has not been published yet \(nothing published since 2026-01\); run 2026-01 next"):
            run_regency(defs, instance, REGENCY, "2026-02")
        # launched without the runner (schedule, UI), the linkage step refuses before writing
        result = _job_alone(defs, instance, "2026-02")
        assert not result.success
        assert any(e.startswith("tautan_dpb: ") and "run 2026-01 next" in e for e in _step_errors(result))
        assert _closed(settings) == []
        assert all(o.success for o in run_regency(defs, instance, REGENCY, "2026-01"))
        with pytest.raises(RunError, match=r"published up to 2026-01\); run 2026-02 next"):
            run_regency(defs, instance, REGENCY, "2026-03")
    assert _closed(settings) == ["2026-01"]


def test_a_regency_with_its_own_first_month(tmp_path, zone):
    settings = _settings(tmp_path, zone, regency_start_months={REGENCY: "2026-02"})
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        with pytest.raises(RunError, match=r"its first month is 2026-02 .* 2026-01 comes before it .*run 2026-02"):
            run_regency(defs, instance, REGENCY, "2026-01")
        outcomes = run_regency(defs, instance, REGENCY, "2026-02")
    assert all(o.success for o in outcomes)
    assert outcomes[-1].metadata["dpb"]["pemilih"] > 0
    assert _closed(settings) == ["2026-02"]  # started from the DPT, January never run


def test_regency_start_months_are_validated():
    assert parse_start_months("3201=2026-01, 36.73=2026-03", "2025-01") == {"32.01": "2026-01", "36.73": "2026-03"}
    for text, message in [("32.01", "not REGENCY=YYYY-MM"), ("32.01=2026-13", "not REGENCY=YYYY-MM"),
                          ("99.99=2026-01", "unknown regency"), ("32.01=2024-12", "before PDPB_START_MONTH"),
                          ("32.01=2026-01,3201=2026-02", "named twice")]:
        with pytest.raises(ValueError, match=message):
            parse_start_months(text, "2025-01")


@pytest.fixture(scope="module")
def published(tmp_path_factory, zone):
    """January to March of the regency closed and published."""
    tmp = tmp_path_factory.mktemp("ledger")
    settings = _settings(tmp, zone)
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        assert all(o.success for o in run_regency(defs, instance, REGENCY, "2026-01", "2026-03"))
    return settings, defs


def _rows(settings: Deployment) -> dict[str, list[str]]:
    warehouse = Warehouse(url=settings.warehouse_url)
    out = {name: sorted(set(warehouse.read(f"SELECT month FROM {name} WHERE regency = :r", {"r": REGENCY})["month"]))
           for name in penarikan.DERIVED}
    out["dpb"] = sorted(set(warehouse.read("SELECT valid_from FROM dpb WHERE regency = :r", {"r": REGENCY})["valid_from"]))
    return out


def _inputs(settings: Deployment, month: str) -> dict[str, list]:
    """Month ``month``'s input as the warehouse holds it, run ids included."""
    warehouse = Warehouse(url=settings.warehouse_url)
    return {name: warehouse.read(f"SELECT * FROM {name} WHERE regency = :r AND month = :m ORDER BY 1, 2, 3, 4",
                                 {"r": REGENCY, "m": month}).astype(str).values.tolist()
            for name in ("landing_file", "feed_row", "link_decision")}


def test_a_published_month_is_withdrawn_only_when_asked(published):
    settings, defs = published
    folder = settings.output_dir / REGENCY
    before = _rows(settings)
    assert before["dpb_bulan"] == ["2026-01", "2026-02", "2026-03"]
    march_manifest = (folder / "2026-03" / "manifest.json").read_bytes()
    with DagsterInstance.ephemeral() as instance:
        with pytest.raises(RunError, match=r"2026-02, 2026-03 are published after 2026-01; .*--rewind"):
            run_regency(defs, instance, REGENCY, "2026-01")
        # launched without the runner (UI, schedule): the first step refuses, so nothing of February
        # is rewritten (its inventory, feed rows, links), let alone the roll
        inputs = _inputs(settings, "2026-02")
        result = _job_alone(defs, instance, "2026-02")
        assert not result.success
        assert [e.split(": ")[0] for e in _step_errors(result)] == ["berkas_masuk"]
        assert "2026-03 is published after 2026-02" in _step_errors(result)[0]
        assert not any(event.is_step_success for event in result.all_events)
        assert _inputs(settings, "2026-02") == inputs
        assert _rows(settings) == before
        assert (folder / "2026-03" / "manifest.json").read_bytes() == march_manifest

        # the latest published month may be run again as it is
        assert all(o.success for o in run_regency(defs, instance, REGENCY, "2026-03"))

        # asked explicitly (run config, as the UI's launchpad sets it): March is withdrawn as one act
        result = _job_alone(defs, instance, "2026-02", {"ops": {"pemutakhiran_dpb": {"config": {
            "tarik_bulan_berikutnya": True}}}})
        assert result.success
        rows = _rows(settings)
        for name, months in rows.items():
            assert "2026-03" not in months, name
        assert rows["dpb_bulan"] == ["2026-01", "2026-02"]
        assert not (folder / "2026-03").exists()
        warehouse = Warehouse(url=settings.warehouse_url)
        act = warehouse.read("SELECT * FROM penarikan")
        assert act[["regency", "triggered_by", "run_id"]].values.tolist() == [[REGENCY, "2026-02", result.run_id]]
        act_id = act["act_id"].iloc[0]
        months = warehouse.read("SELECT month, act_id, folder FROM penarikan_bulan")
        withdrawn = folder / "ditarik" / f"2026-03__{act_id}"
        assert months.values.tolist() == [["2026-03", act_id, str(withdrawn)]]
        assert (withdrawn / "manifest.json").read_bytes() == march_manifest
        note = json.loads((withdrawn / "PENARIKAN.json").read_text())
        assert note | {"withdrawn_at": ""} == {
            "act_id": act_id, "regency": REGENCY, "month": "2026-03", "months": ["2026-03"], "triggered_by": "2026-02",
            "run_id": result.run_id, "withdrawn_at": "", "reason": note["reason"]}
        assert "2026-02" in (withdrawn / "PENARIKAN.txt").read_text()
        status = month_lines(warehouse, REGENCY, "2026-01", "2026-04")
        assert status[2] == f"2026-03  withdrawn  {act['withdrawn_at'].iloc[0]}  act {act_id}  (re-run of 2026-02); run it again"
        assert status[3] == "2026-04  pending"

        # with --rewind from January, February goes in a second act; then both run again and publish
        outcomes = run_regency(defs, instance, REGENCY, "2026-01", "2026-03", rewind=True)
        assert [o.success for o in outcomes] == [True, True, True]
    assert sorted(p.name for p in (folder / "ditarik").iterdir()) == sorted(
        [f"2026-03__{act_id}", f"2026-02__{warehouse.read('SELECT act_id FROM penarikan_bulan WHERE month = :m', {'m': '2026-02'})['act_id'].iloc[0]}"])
    assert _rows(settings)["dpb_bulan"] == ["2026-01", "2026-02", "2026-03"]
    assert (folder / "2026-03" / "manifest.json").is_file()
    status = month_lines(warehouse, REGENCY, "2026-01", "2026-03")
    assert all("  published  pemilih=" in line for line in status)
    assert status[2].endswith(f"(withdrawn once, act {act_id})")


def test_cli_refuses_with_exit_2_and_shows_the_status(tmp_path, zone, monkeypatch):
    settings = _settings(tmp_path, zone)
    for name, value in {"PDPB_WAREHOUSE_URL": settings.warehouse_url, "PDPB_LANDING_DIR": str(zone),
                        "PDPB_OUTPUT_DIR": str(settings.output_dir), "PDPB_SNAPSHOT_DIR": str(settings.snapshot_dir),
                        "PDPB_REGENCIES": REGENCY, "PDPB_START_MONTH": "2026-01",
                        "PDPB_REGENCY_START_MONTHS": "", "DAGSTER_HOME": str(tmp_path / "home")}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "home").mkdir()
    import pdpb_pipeline.definitions as definitions

    importlib.reload(definitions)
    try:
        cli = CliRunner()
        out_of_order = cli.invoke(app, ["run", "--regency", REGENCY, "--month", "2026-02"])
        assert out_of_order.exit_code == 2
        assert "run 2026-01 next" in out_of_order.output
        ok = cli.invoke(app, ["run", "--regency", REGENCY, "--month", "2026-01", "--to", "2026-02"])
        assert ok.exit_code == 0, ok.output
        again = cli.invoke(app, ["run", "--regency", REGENCY, "--month", "2026-01"])
        assert again.exit_code == 2
        assert "2026-02 is published after 2026-01" in again.output and "--rewind" in again.output

        # a withdrawal that fails before its transaction commits leaves files and rows as they were
        warehouse = Warehouse(url=settings.warehouse_url)
        with pytest.raises(RuntimeError, match="disk full"):
            with penarikan.rewinding(warehouse, settings.output_dir, REGENCY, "2026-01", "run-x"):
                assert not (settings.output_dir / REGENCY / "2026-02").exists()  # moved out first
                raise RuntimeError("disk full")
        assert (settings.output_dir / REGENCY / "2026-02" / "manifest.json").is_file()
        assert not any((settings.output_dir / REGENCY / "ditarik").rglob("*.*"))
        assert _rows(settings)["dpb_bulan"] == ["2026-01", "2026-02"]
        assert warehouse.read("SELECT COUNT(*) AS n FROM penarikan")["n"].iloc[0] == 0

        status = cli.invoke(app, ["status", "--regency", "3673"])
        assert status.exit_code == 0, status.output
        lines = status.output.splitlines()
        assert lines[0].startswith("2026-01  published  pemilih=") and lines[1].startswith("2026-02  published")
        assert all(line.endswith("  pending") for line in lines[2:])
        assert not SIXTEEN.search(status.output.encode())

        rewound = cli.invoke(app, ["run", "--regency", REGENCY, "--month", "2026-01", "--rewind"])
        assert rewound.exit_code == 0, rewound.output
        lines = cli.invoke(app, ["status", "--regency", REGENCY]).output.splitlines()
        assert lines[0].startswith("2026-01  published") and lines[1].startswith("2026-02  withdrawn  ")
    finally:
        monkeypatch.undo()
        importlib.reload(definitions)
