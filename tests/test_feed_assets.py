"""Feed assets in Dagster: checks, blocking, re-runs, metadata without personal data, the sensor."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from dagster import DagsterInstance, build_sensor_context

from pdpb_pipeline.domain import nik as nikmod
from pdpb_pipeline.domain import schema
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.cli.runner import run_regency
from tests.deployment import Deployment

from .feedfiles import write_csv, write_xlsx

REGENCY = "32.01"
# 16 digits standing alone (inside a hex hash such as a data version or SHA-256 they are chance)
SIXTEEN = re.compile(r"(?<![0-9a-fA-F])\d{16}(?![0-9a-fA-F])")


def _nik(i: int, sex: str = "L") -> str:
    return nikmod.build_nik("32.01.01", dt.date(1980, 1, 1) + dt.timedelta(days=i), sex, i + 1)


def _zone(root: Path) -> Path:
    import pandas as pd

    baseline = pd.DataFrame({
        "id": [f"DPT-{i}" for i in range(20)], "nik": [_nik(i) for i in range(20)], "nkk": "",
        "nama": "ASEP", "tempat_lahir": "BOGOR", "tanggal_lahir": "1980-01-01", "jenis_kelamin": "L",
        "status_kawin": "S", "alamat": "KP. A", "rt": "001", "rw": "001", "kode_desa": "32.01.01.1001",
    })
    (root / "baseline" / REGENCY).mkdir(parents=True)
    schema.write_person_csv(baseline, root / "baseline" / REGENCY / "dpt.csv")
    month = root / "landing" / REGENCY / "2026-01"
    header = ["NIK", "NAMA_LENGKAP", "TGL_LHR", "JK", "JENIS_PERISTIWA", "TGL_PERISTIWA", "KODE_DESA"]
    rows = [[_nik(i), f"WARGA {i}", (dt.date(1980, 1, 1) + dt.timedelta(days=i)).strftime("%d-%m-%Y"), "L",
             "MENINGGAL DUNIA", "03-01-2026", "3201011001"] for i in range(10)]
    rows.append(["3333333333333333", "TANPA TANGGAL", "", "L", "MENINGGAL DUNIA", "", ""])
    write_csv(month / "disdukcapil.csv", header, rows)
    write_xlsx(month / "lapas.xlsx", ["NIK", "Nama WBP", "Tgl. Lahir", "Keterangan"],
               [[_nik(11), "WARGA 11", "1980-01-12", "MASUK"]])
    return root


def _settings(tmp_path: Path, url: str, share: float = 0.2) -> Deployment:
    return Deployment(
        warehouse_url=url, landing_dir=_zone(tmp_path / "landing"), output_dir=tmp_path / "out",
        regencies=(REGENCY,), start_month="2026-01", polling_day="", max_quarantine_share=share,
    )


def _all_text(instance: DagsterInstance) -> str:
    texts = []
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            texts.append(entry.user_message or "")
            if entry.dagster_event is not None:
                texts.append(repr(entry.dagster_event.event_specific_data))
    return "\n".join(texts)


def test_feeds_materialise_with_checks_and_no_personal_data_in_metadata(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, "2026-01")
        assert [o.success for o in outcomes] == [True, True], outcomes[-1].failed_steps
        month = outcomes[-1]
        assert month.metadata["feed/disdukcapil"]["baris_masuk"] == 11
        assert month.metadata["feed/disdukcapil"]["diterima"] == 10
        assert month.metadata["feed/disdukcapil"]["dikarantina"] == 1
        assert month.metadata["feed/lapas"]["diterima"] == 1
        assert month.metadata["feed/kua"]["baris_masuk"] == 0  # no file: an empty partition
        assert month.failed_checks == ["feed/lapas:gx_tanggal_peristiwa_terisi (WARN)"]  # warns, does not block
        text = _all_text(instance)
        assert "baris_lengkap" in text and "gx_porsi_nik_sah" in text  # checks were evaluated
        assert not SIXTEEN.findall(text), "a full NIK reached Dagster's event log"
    wh = Warehouse(url=sqlite_url)
    counts = wh.read("SELECT agency, COUNT(*) AS n FROM feed_row GROUP BY agency ORDER BY agency")
    assert counts.values.tolist() == [["disdukcapil", 10], ["lapas", 1]]


def test_rerun_replaces_rows_and_quarantine(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        run_regency(defs, instance, REGENCY, "2026-01")
        run_regency(defs, instance, REGENCY, "2026-01")
    wh = Warehouse(url=sqlite_url)
    assert wh.read("SELECT COUNT(*) AS n FROM feed_row")["n"].iloc[0] == 11
    assert wh.read("SELECT COUNT(*) AS n FROM quarantine")["n"].iloc[0] == 1


def test_broken_file_stops_the_partition_and_quarantine_explains(tmp_path, sqlite_url, monkeypatch):
    settings = _settings(tmp_path, sqlite_url)
    broken = settings.landing_dir / "landing" / REGENCY / "2026-01" / "tni_polri.csv"
    write_csv(broken, ["NRP", "PANGKAT", "KESATUAN"], [["123", "SERDA", "KODIM 0621"], ["456", "BRIPDA", "POLRES"]])
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, "2026-01")
    month = outcomes[-1]
    assert not month.success
    assert "feed/tni_polri:kolom_wajib_ada (ERROR)" in month.failed_checks
    assert "feed/tni_polri:porsi_karantina (ERROR)" in month.failed_checks
    monkeypatch.setenv("PDPB_WAREHOUSE_URL", sqlite_url)
    from typer.testing import CliRunner

    from pdpb_pipeline.cli.app import app

    printed = CliRunner().invoke(app, ["quarantine", "--regency", REGENCY, "--month", "2026-01"])
    assert printed.exit_code == 0
    lines = printed.output.splitlines()
    assert lines[0] == "agency,file_name,row_number,field,reason,keterangan,detail,isi_baris"
    assert sum(",tni_polri.csv,2,nama,kolom_wajib_tidak_ada," in line for line in lines) == 1
    assert any("3333333333333333" not in line and "333333**********" in line for line in lines)
    assert not SIXTEEN.findall(printed.output)


def test_sensor_requests_runs_for_new_and_changed_files(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    defs = settings.definitions()
    sensor = defs.resolve_sensor_def("berkas_baru_sensor")
    with DagsterInstance.ephemeral() as instance:
        first = sensor.evaluate_tick(build_sensor_context(instance=instance, repository_def=defs.get_repository_def(), resources=defs.resources))
        assert [r.partition_key for r in first.run_requests] == ["2026-01-01|32.01"]
        quiet = sensor.evaluate_tick(build_sensor_context(
            instance=instance, cursor=first.cursor, repository_def=defs.get_repository_def(), resources=defs.resources))
        assert quiet.run_requests == []
        month = settings.landing_dir / "landing" / REGENCY / "2026-02"
        write_csv(month / "kua.csv", ["NIK", "NAMA", "TGL LAHIR"], [[_nik(3, "P"), "SITI", "2010-01-04"]])
        future = settings.landing_dir / "landing" / REGENCY / "2099-01"
        write_csv(future / "kua.csv", ["NIK", "NAMA"], [["1", "X"]])
        new = sensor.evaluate_tick(build_sensor_context(
            instance=instance, cursor=quiet.cursor or first.cursor, repository_def=defs.get_repository_def(), resources=defs.resources))
        assert [r.partition_key for r in new.run_requests] == ["2026-02-01|32.01"]


@pytest.mark.postgres
def test_feeds_on_postgres(tmp_path, pg_url):
    settings = _settings(tmp_path, pg_url)
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, "2026-01")
    assert outcomes[-1].success
    wh = Warehouse(url=pg_url)
    assert wh.read("SELECT COUNT(*) AS n FROM feed_row")["n"].iloc[0] == 11
    assert wh.read("SELECT reason FROM quarantine")["reason"].tolist() == ["identitas_tidak_cukup"]
