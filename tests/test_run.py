"""`pdpb run`: partitions materialised through Dagster, on SQLite and on a PostgreSQL instance."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from typer.testing import CliRunner

from pdpb_pipeline.domain import schema
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.cli.runner import RunError, month_range, run_regency
from tests.deployment import Deployment

from .feedfiles import write_xlsx



def _landing(root: Path, regency: str = "36.73", voters: int = 30) -> Path:
    rows = pd.DataFrame(
        {
            "id": [f"DPT-{regency}-{i:07d}" for i in range(voters)],
            "nik": [f"{regency.replace('.', '')}01{(i % 28) + 1:02d}0590{i + 1:04d}" for i in range(voters)],
            "nkk": f"{regency.replace('.', '')}010101100001",
            "nama": "SITI AMINAH",
            "tempat_lahir": "SERANG",
            "tanggal_lahir": "1990-05-01",
            "jenis_kelamin": ["L", "P"] * (voters // 2),
            "status_kawin": "S",
            "alamat": "JL. MAWAR NO. 3",
            "rt": "001",
            "rw": "002",
            "kode_desa": f"{regency}.01.1001",
        }
    )
    (root / "baseline" / regency).mkdir(parents=True)
    schema.write_person_csv(rows, root / "baseline" / regency / "dpt.csv")
    month = root / "landing" / regency / "2026-01"
    month.mkdir(parents=True)
    (month / "disdukcapil.csv").write_text("NIK,NAMA\n")
    # header-only files: agencies with nothing to report this month send their template
    # (b"PK" alone, as this used to write, is a truncated download: a blocking failure now)
    write_xlsx(month / "lapas.xlsx", ["NIK", "Nama WBP", "Keterangan"], [])
    return root


def _settings(tmp_path: Path, url: str) -> Deployment:
    return Deployment(
        warehouse_url=url,
        landing_dir=_landing(tmp_path / "landing"),
        output_dir=tmp_path / "out",
        regencies=("36.73", "32.01"),
        start_month="2026-01",
        polling_day="",
    )


def test_month_range():
    assert month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    with pytest.raises(RunError):
        month_range("2026-02", "2026-01")
    with pytest.raises(RunError):
        month_range("2026-13", "2026-13")


def test_run_loads_baseline_once_then_months_in_order(tmp_path, sqlite_url):
    defs = _settings(tmp_path, sqlite_url).definitions()
    with DagsterInstance.ephemeral() as instance:
        first = run_regency(defs, instance, "36.73", "2026-01", "2026-02")
        assert [o.job for o in first] == ["pdpb_dpt_awal", "pdpb_bulanan", "pdpb_bulanan"]
        assert all(o.success for o in first)
        assert first[0].metadata["dpt_baseline"]["pemilih"] == 30
        assert first[1].metadata["berkas_masuk"]["berkas"] == 2
        assert first[2].metadata["berkas_masuk"]["berkas"] == 0  # a month without files is empty, not a failure
        again = run_regency(defs, instance, "36.73", "2026-02")  # the latest: no rewind needed
        assert [o.job for o in again] == ["pdpb_bulanan"]  # baseline unchanged: not reloaded
    wh = Warehouse(url=sqlite_url)
    files = wh.read("SELECT month, agency FROM landing_file ORDER BY agency")
    assert files.to_dict("records") == [
        {"month": "2026-01", "agency": "disdukcapil"},
        {"month": "2026-01", "agency": "lapas"},
    ]


def test_run_refuses_what_is_not_a_partition(tmp_path, sqlite_url):
    defs = _settings(tmp_path, sqlite_url).definitions()
    with DagsterInstance.ephemeral() as instance:
        with pytest.raises(RunError, match="not enabled"):
            run_regency(defs, instance, "73.18", "2026-01")
        with pytest.raises(RunError, match="not a partition"):
            run_regency(defs, instance, "36.73", "2099-01")


def test_broken_baseline_fails_the_run_with_file_and_field(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    path = settings.landing_dir / "baseline" / "36.73" / "dpt.csv"
    frame = pd.read_csv(path, dtype=str).drop(columns=["kode_desa"])
    frame.to_csv(path, index=False)
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, "36.73", "2026-01")
    assert len(outcomes) == 1 and not outcomes[0].success
    assert "missing column(s) kode_desa" in outcomes[0].failed_steps[0]
    assert "dpt.csv" in outcomes[0].failed_steps[0]


@pytest.mark.postgres
def test_materialise_on_a_postgres_dagster_instance(tmp_path, pg_database, production_home):
    """The production dagster.yaml, pointed at PostgreSQL, stores the runs; so does the warehouse."""
    from pdpb_pipeline.resources import warehouse as wh_module

    home = production_home
    url = pg_database.render_as_string(hide_password=False)
    defs = _settings(tmp_path, url).definitions()
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        outcomes = run_regency(defs, instance, "36.73", "2026-01")
        assert [o.success for o in outcomes] == [True, True]
        runs = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.SUCCESS]))
        assert {r.run_id for r in runs} == {o.run_id for o in outcomes}
        tags = next(r for r in runs if r.job_name == "pdpb_bulanan").tags
        assert tags["dagster/partition/regency"] == "36.73"
        assert tags["dagster/partition/month"] == "2026-01-01"
    wh = Warehouse(url=url)
    assert wh.dialect == "postgresql"
    assert wh.read("SELECT COUNT(*) AS n FROM dpb")["n"].iloc[0] == 30
    wh_module._engines.pop(url).dispose()


def test_cli_exit_codes(tmp_path, sqlite_url, monkeypatch):
    settings = _settings(tmp_path, sqlite_url)
    monkeypatch.setenv("PDPB_WAREHOUSE_URL", sqlite_url)
    monkeypatch.setenv("PDPB_LANDING_DIR", str(settings.landing_dir))
    monkeypatch.setenv("PDPB_REGENCIES", "36.73,32.01")
    monkeypatch.setenv("PDPB_START_MONTH", "2026-01")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    import importlib

    import pdpb_pipeline.definitions as definitions

    importlib.reload(definitions)
    from pdpb_pipeline.cli.app import app

    runner = CliRunner()
    ok = runner.invoke(app, ["run", "--regency", "3673", "--month", "2026-01"])
    assert ok.exit_code == 0, ok.output
    assert "pdpb_bulanan 36.73 2026-01: ok" in ok.output
    assert "berkas=2" in ok.output
    assert runner.invoke(app, ["run", "--regency", "99.99", "--month", "2026-01"]).exit_code == 2
    assert runner.invoke(app, ["run", "--regency", "36.73", "--month", "2099-01"]).exit_code == 2
    os.remove(settings.landing_dir / "baseline" / "36.73" / "dpt.csv")
    (settings.landing_dir / "baseline" / "36.73" / "dpt.csv").write_text("id,nama\n1,X\n")
    failed = runner.invoke(app, ["run", "--regency", "36.73", "--month", "2026-01"])
    assert failed.exit_code == 1
    assert "FAILED" in failed.output
    importlib.reload(definitions)
