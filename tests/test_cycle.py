"""The monthly cycle end to end on a synthetic regency, scored against its truth."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance
from typer.testing import CliRunner

from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import snapshot, store
from pdpb_pipeline.cli.runner import RunError, run_regency
from pdpb_lab.scoring import score_month
from tests.deployment import Deployment
from pdpb_lab.synth import SynthConfig, generate

REGENCY = "36.73"
# 16 digits standing alone (inside a hex hash such as a SHA-256 they are chance)
SIXTEEN = re.compile(rb"(?<![0-9a-fA-F])\d{16}(?![0-9a-fA-F])")


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=12_000, months=3, start="2026-01", seed=11), out_dir=out)
    return out


def _settings(tmp: Path, zone: Path, url: str) -> Deployment:
    return Deployment(warehouse_url=url, landing_dir=zone, output_dir=tmp / "published", regencies=(REGENCY, "32.01"),
                    start_month="2026-01", polling_day="", snapshot_dir=tmp / "snapshot")


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, zone):
    """Two months closed on SQLite, as `pdpb run --month 2026-01 --to 2026-02` does."""
    tmp = tmp_path_factory.mktemp("cycle")
    settings = _settings(tmp, zone, f"sqlite:///{tmp / 'warehouse.sqlite'}")
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(defs, instance, REGENCY, "2026-01", "2026-02")
    return settings, defs, outcomes


def _published_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_published_roll_is_the_true_roll_except_changes_in_review(cycle, zone):
    settings, _, outcomes = cycle
    assert [o.success for o in outcomes] == [True, True, True], [o.failed_steps for o in outcomes]
    warehouse = Warehouse(url=settings.warehouse_url)
    for month in ("2026-01", "2026-02"):
        score = score_month(warehouse, zone, REGENCY, month)
        assert score["salah_hapus"] == 0, score  # nobody loses the vote by a wrong link
        assert score["salah_tambah"] == 0, score
        assert score["kurang"]["terlewat"] == 0 and score["lebih"]["terlewat"] == 0, score
        assert score["tanpa_orang"] == 0, score
        # What remains different was never reported by any agency, or waits for coktas.
        unexplained = score["pemilih_terbit"] - score["pemilih_benar"] - score["lebih"]["jumlah"] + score["kurang"]["jumlah"]
        assert unexplained == score["ganda_tersisa"], score


def test_recap_reconciles_for_every_desa_and_sex(cycle):
    settings, _, outcomes = cycle
    for month, outcome in zip(("2026-01", "2026-02"), outcomes[1:]):
        assert outcome.failed_checks == [] or all("(WARN)" in c for c in outcome.failed_checks), outcome.failed_checks
        recap = pd.read_csv(settings.output_dir / REGENCY / month / f"rekap_desa_{REGENCY}_{month}.csv",
                            dtype={"kode_desa": str})
        cells = recap[recap["jenis_kelamin"].isin(["L", "P"])]
        assert (cells["sebelumnya"] + cells["pemilih_baru"] - cells["tms"] == cells["sekarang"]).all()
        roll = store.as_of(Warehouse(url=settings.warehouse_url), REGENCY, month)
        assert cells["sekarang"].sum() == len(roll)
        counted = roll.groupby(["kode_desa", "jenis_kelamin"]).size()
        published = cells.set_index(["kode_desa", "jenis_kelamin"])["sekarang"]
        assert published[published > 0].sort_index().to_dict() == counted.sort_index().to_dict()
    jan = outcomes[1].metadata["rekap"]
    feb = outcomes[2].metadata["rekap"]
    assert feb["sebelumnya"] == jan["sekarang"]  # months chain


def test_the_columnar_copy_of_a_roll_is_the_roll_in_the_warehouse(cycle):
    settings, _, _ = cycle
    directory = str(settings.snapshot_dir)
    plain = Warehouse(url=settings.warehouse_url)  # no copies: assembled from the versions
    for month in ("2026-01", "2026-02"):
        token = store.stamp_of(plain, REGENCY, month)
        copy = snapshot.load(directory, plain.url, REGENCY, month, token)
        assert token and copy is not None
        pd.testing.assert_frame_equal(copy, store.as_of(plain, REGENCY, month))
    # a copy whose stamp is not the warehouse's (the month was re-run or rewound) is never read
    assert snapshot.load(directory, plain.url, REGENCY, "2026-02", "0" * 32) is None


def test_every_change_has_its_source_and_nothing_changes_without_one(cycle):
    settings, _, _ = cycle
    warehouse = Warehouse(url=settings.warehouse_url)
    changes = warehouse.read("SELECT * FROM perubahan WHERE regency = :r", {"r": REGENCY})
    assert len(changes) > 0
    from_agencies = changes[changes["agency"] != "dpb"]
    assert (from_agencies["file_name"] != "").all() and (from_agencies["row_number"] > 0).all()
    assert changes["run_id"].str.len().gt(0).all()
    versions = warehouse.read("SELECT id, valid_from, valid_to FROM dpb WHERE regency = :r AND valid_from <> '0000-00'",
                              {"r": REGENCY})
    closed = warehouse.read("SELECT id, valid_to FROM dpb WHERE regency = :r AND valid_to IS NOT NULL", {"r": REGENCY})
    changed_ids = set(changes["voter_id"])
    assert set(versions["id"]) <= changed_ids
    assert set(closed["id"]) <= changed_ids


def test_masking_in_every_published_file(cycle):
    settings, _, _ = cycle
    files = [p for p in (settings.output_dir / REGENCY).rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in files) and any(p.suffix == ".csv" for p in files)
    for path in files:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                content = b"".join(book.read(name) for name in book.namelist() if name.endswith(".xml"))
        else:
            content = path.read_bytes()
        assert not SIXTEEN.search(content), f"{path.name} carries a full NIK or NKK"
    roll = pd.read_csv(next((settings.output_dir / REGENCY / "2026-01" / "dpb").glob("*.csv")), dtype=str)
    assert roll["nik"].str.fullmatch(r"\d{6}\*{10}").all()
    assert "tanggal_lahir" not in roll.columns


def test_rerun_gives_byte_identical_files_and_month_order_is_enforced(cycle, zone):
    settings, defs, _ = cycle
    folder = settings.output_dir / REGENCY / "2026-02"
    before = _published_bytes(folder)
    with DagsterInstance.ephemeral() as instance:
        again = run_regency(defs, instance, REGENCY, "2026-02")
        assert [o.success for o in again] == [True]
        assert _published_bytes(folder) == before
        with pytest.raises(RunError, match="2026-03 has not been published"):
            run_regency(defs, instance, REGENCY, "2026-04")


def test_explain_follows_a_voter_back_to_the_agency_row(cycle, monkeypatch):
    settings, _, _ = cycle
    warehouse = Warehouse(url=settings.warehouse_url)
    change = warehouse.read("SELECT voter_id, file_name, row_number FROM perubahan WHERE regency = :r "
                            "AND agency = 'disdukcapil' AND kategori = 'tms' ORDER BY change_id LIMIT 1", {"r": REGENCY})
    voter = change["voter_id"].iloc[0]
    nik = warehouse.read("SELECT nik FROM dpb WHERE id = :v", {"v": voter})["nik"].iloc[0]
    monkeypatch.setenv("PDPB_WAREHOUSE_URL", settings.warehouse_url)
    from pdpb_pipeline.cli.app import app

    by_nik = CliRunner().invoke(app, ["explain", "--regency", REGENCY], input=nik + "\n")  # NIK on stdin
    by_id = CliRunner().invoke(app, ["explain", "--regency", REGENCY, "--id", voter])
    assert by_nik.exit_code == 0 and by_id.output == by_nik.output
    text = by_nik.output
    assert f"berkas {change['file_name'].iloc[0]} baris {change['row_number'].iloc[0]}" in text
    assert "bukti:" in text and "probabilitas" in text
    assert nik not in text and nik[:6] + "*" * 10 in text
    missing = CliRunner().invoke(app, ["explain", "--regency", REGENCY, "--nik", "-"], input="3673010101900001\n")
    assert missing.exit_code == 1 and "3673010101900001" not in missing.output


def test_coktas_answers_apply_queued_changes_next_month(cycle, zone):
    settings, defs, _ = cycle
    warehouse = Warehouse(url=settings.warehouse_url)
    queue = pd.read_csv(settings.output_dir / REGENCY / "2026-02" / f"antrean_coktas_{REGENCY}_2026-02.csv", dtype=str,
                        keep_default_na=False)
    removals = queue[(queue["kategori"] == "tms") & (queue["voter_id"] != "")].head(3)
    assert len(removals), "the synthetic months produce items for the field check"
    answers = pd.DataFrame({"ID Antrean": removals["id_antrean"], "Hasil Coktas": ["TERBUKTI", "TIDAK DIKENAL", "TIDAK TERBUKTI"][:len(removals)],
                            "Tanggal Coktas": "15-03-2026"})
    target = zone / "landing" / REGENCY / "2026-03" / "coktas.csv"
    answers.to_csv(target, index=False)
    try:
        with DagsterInstance.ephemeral() as instance:
            outcome = run_regency(defs, instance, REGENCY, "2026-03")
        assert outcome[-1].success, outcome[-1].failed_steps
        applied = warehouse.read("SELECT voter_id, sub_kategori, agency, id_antrean FROM perubahan "
                                 "WHERE regency = :r AND month = '2026-03' AND agency = 'coktas'", {"r": REGENCY})
        expected = {removals["id_antrean"].iloc[0]}
        if len(removals) > 1:
            expected.add(removals["id_antrean"].iloc[1])
            assert "tidak_dikenal" in set(applied["sub_kategori"])
        assert set(applied["id_antrean"]) == expected
        roll = store.as_of(warehouse, REGENCY, "2026-03")
        assert not set(applied["voter_id"]) & set(roll["id"])
    finally:
        target.unlink()


@pytest.mark.postgres
def test_cycle_on_postgres_with_regencies_in_parallel(tmp_path, pg_url):
    """Two regencies closed at once by two `pdpb run` processes on one PostgreSQL warehouse."""
    zone = tmp_path / "zone"
    generate(SynthConfig(regency="36.73", voters=4_000, months=1, start="2026-01", seed=3), out_dir=zone)
    generate(SynthConfig(regency="36.74", voters=4_000, months=1, start="2026-01", seed=4), out_dir=zone)
    processes = []
    for regency in ("36.73", "36.74"):
        home = tmp_path / f"home-{regency}"
        home.mkdir()
        (home / "dagster.yaml").write_text("")
        env = os.environ | {"PDPB_WAREHOUSE_URL": pg_url, "PDPB_LANDING_DIR": str(zone), "DAGSTER_HOME": str(home),
                            "PDPB_OUTPUT_DIR": str(tmp_path / "published"), "PDPB_REGENCIES": "36.73,36.74",
                            "PDPB_START_MONTH": "2026-01"}
        processes.append(subprocess.Popen([sys.executable, "-m", "pdpb_pipeline.cli", "run", "--regency", regency,
                                           "--month", "2026-01"], env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    warehouse = Warehouse(url=pg_url)
    assert warehouse.dialect == "postgresql"
    closed = warehouse.read("SELECT regency, month, pemilih FROM dpb_bulan ORDER BY regency")
    assert closed[["regency", "month"]].values.tolist() == [["36.73", "2026-01"], ["36.74", "2026-01"]]
    for regency in ("36.73", "36.74"):
        roll = store.as_of(warehouse, regency, "2026-01")
        assert len(roll) == closed.set_index("regency").loc[regency, "pemilih"]
        assert roll["kode_desa"].str.startswith(regency + ".").all()  # no regency sees the other's rows
        manifest = json.loads((tmp_path / "published" / regency / "2026-01" / "manifest.json").read_text())
        assert any(name.startswith("rekap_") for name in manifest)
    shutil.rmtree(tmp_path / "published")


def test_large_kecamatan_is_split_at_excel_row_limit(tmp_path, monkeypatch):
    """A kecamatan with more voters than an Excel sheet holds gets a second sheet, no row lost."""
    from openpyxl import load_workbook

    from pdpb_pipeline.output import xlsx

    frame = pd.DataFrame({"id": [f"V{i}" for i in range(25)], "nama": "SITI"})
    sheets = [xlsx.Sheet(f"DPB {i + 1}" if i else "DPB", list(frame.columns), part, ["JUDUL"])
              for i, part in enumerate(xlsx.chunks(frame, size=10))]
    xlsx.write_workbook(tmp_path / "dpb.xlsx", sheets)
    book = load_workbook(tmp_path / "dpb.xlsx", read_only=True)
    assert book.sheetnames == ["DPB", "DPB 2", "DPB 3"]
    ids = [row[0] for ws in book.worksheets for row in ws.iter_rows(min_row=4, values_only=True)]
    assert ids == list(frame["id"])


def test_duplicates_after_the_first_month_come_from_last_months_versions_and_say_why(cycle):
    settings, _, _ = cycle
    warehouse = Warehouse(url=settings.warehouse_url)
    pairs = warehouse.read("SELECT month, id_a, id_b, kelas, decision FROM roll_duplicate WHERE regency = :r",
                           {"r": REGENCY})
    ganda = warehouse.read("SELECT month, voter_id, feed_id, status, alasan FROM change_proposal "
                           "WHERE regency = :r AND rule LIKE 'ganda_%' AND agency = 'dpb'", {"r": REGENCY})
    # February's pairs each name a voter added or changed in January, the month it starts from
    fresh = store.versions_from(warehouse, REGENCY, "2026-01")
    later = pairs[pairs["month"] == "2026-02"]
    assert (later["id_a"].isin(fresh) | later["id_b"].isin(fresh)).all()
    # every proposal says which evidence chose the record kept and why it is applied or queued
    keep = ganda["alasan"].str.contains("; (?:bukti_instansi|terdaftar_lebih_dulu|nik_sah|tanpa_pembeda); ")
    assert keep[ganda["alasan"].str.startswith("ganda dengan")].all()
    applied = ganda[ganda["status"] == "diterapkan"]
    assert applied["alasan"].str.endswith(("; identik", "; alamat_dikonfirmasi_instansi")).all()
    # a pair queued in January and not answered is not queued again in February
    jan = ganda[(ganda["month"] == "2026-01") & (ganda["status"] == "antrean")]
    feb = ganda[ganda["month"] == "2026-02"]
    again = {frozenset(p) for p in zip(jan["voter_id"], jan["feed_id"])} & {
        frozenset(p) for p in zip(feb["voter_id"], feb["feed_id"])}
    assert not again
