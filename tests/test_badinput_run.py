"""The whole bad-input corpus in one month folder, run as `pdpb run` runs it: no crash, every
bad file named in a failed check, the files no feed reads reported, and no full NIK in the
Dagster event log or the CLI output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_pipeline.domain import schema
from pdpb_pipeline.feeds.spec import agency_of
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.cli.runner import run_regency
from tests.deployment import Deployment

from .badinput.cases import CASES, MONTH, NIKS, REGENCY, nik

SIXTEEN = re.compile(r"(?<![0-9a-fA-F])\d{16}(?![0-9a-fA-F])")


def _landing(root: Path) -> dict[str, str]:
    """Baseline DPT plus every corpus case in one month folder; {case name: file name}."""
    baseline = pd.DataFrame({
        "id": [f"DPT-{i}" for i in range(30)], "nik": [nik(i) for i in range(30)], "nkk": "",
        "nama": [f"WARGA {i}" for i in range(30)], "tempat_lahir": "BOGOR",
        "tanggal_lahir": [(dt.date(1980, 1, 1) + dt.timedelta(days=37 * i)).isoformat() for i in range(30)],
        "jenis_kelamin": "L", "status_kawin": "S", "alamat": "KP. A", "rt": "001", "rw": "001",
        "kode_desa": "32.01.01.1001",
    })
    (root / "baseline" / REGENCY).mkdir(parents=True)
    schema.write_person_csv(baseline, root / "baseline" / REGENCY / "dpt.csv")
    folder = root / "landing" / REGENCY / MONTH
    folder.mkdir(parents=True)
    names = {}
    for case in CASES:
        stem, suffix = case.file_name.rsplit(".", 1)
        spec = agency_of(stem)
        # one file per case: the agency's name, then the case (``lapas_html_als_xlsx.xlsx``)
        name = f"{spec.key}_{case.name}.{suffix}" if spec and case.outcome != "unrecognised" else case.file_name
        case.build(folder / name)
        names[case.name] = name
    return names


@pytest.mark.slow
def test_the_whole_corpus_in_one_month(tmp_path, sqlite_url, monkeypatch):
    names = _landing(tmp_path / "landing")
    settings = Deployment(warehouse_url=sqlite_url, landing_dir=tmp_path / "landing", output_dir=tmp_path / "out",
                        regencies=(REGENCY,), start_month=MONTH, polling_day="", max_file_mb=1.0)
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, MONTH)
        events = []
        for run in instance.get_runs():
            for entry in instance.all_logs(run.run_id):
                events.append(entry.user_message or "")
                if entry.dagster_event is not None:
                    events.append(repr(entry.dagster_event.event_specific_data))
    month = outcomes[-1]
    assert not month.success  # the blocking cases stop the month before the roll changes
    # no crash: every failed step failed on a blocking check, not on an exception
    assert month.failed_steps and all("blocking asset check" in s for s in month.failed_steps), month.failed_steps

    said = "\n".join(f"{c}: {month.check_messages.get(c, '')}" for c in month.failed_checks)
    for case in CASES:
        name = names[case.name]
        if case.outcome == "blocking" and case.check in ("berkas_terbaca", "kolom_wajib_ada"):
            agency = agency_of(name.rsplit(".", 1)[0]).key
            assert f"feed/{agency}:{case.check} (ERROR)" in month.failed_checks
            assert f"{name}: " in said and case.says in said, case.name
        elif case.outcome == "warning":
            assert f"{name}: berkas kosong" in said, case.name
        elif case.outcome == "unrecognised":
            assert "berkas_masuk:berkas_dikenali (WARN)" in month.failed_checks
            assert name in month.check_messages["berkas_masuk:berkas_dikenali (WARN)"], case.name

    # every row of every readable file is accounted for in the warehouse
    wh = Warehouse(url=sqlite_url)
    for figures in (v for k, v in month.metadata.items() if k.startswith("feed/")):
        assert figures["baris_masuk"] == figures["diterima"] + figures["dikarantina"]
    stored = wh.read("SELECT isi_baris, detail FROM quarantine")
    kept = re.sub(r"[\s.\-]", "", " ".join(stored["isi_baris"].fillna("").tolist() + stored["detail"].tolist()))
    assert not any(n in kept for n in NIKS), "a full NIK is stored in the quarantine"

    text = "\n".join(events) + "\n" + said
    assert not SIXTEEN.findall(text), "a full NIK reached Dagster's event log or the check messages"
    assert not any(n in re.sub(r"[\s.\-]", "", text) for n in NIKS), "a NIK in another spelling reached the log"
