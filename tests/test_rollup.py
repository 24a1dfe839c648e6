"""Roll-ups on two synthetic regencies of one province (32.01 and 32.02): a regency's quarter, a
half-year with months missing, the province and the nation, each reconciled; a regency whose
month is not published is listed as missing, never summed as 0."""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, build_schedule_context
from typer.testing import CliRunner

from pdpb_pipeline.cli.app import app
from pdpb_pipeline.cli.runner import RunError, run_regency, run_rollup
from pdpb_pipeline.partitions import Partition, Period
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import rollup
from pdpb_pipeline.roll.recap import COLUMNS, KEYS
from pdpb_lab.synth import SynthConfig, generate
from tests.deployment import Deployment
from tests import leakscan

FULL, SHORT = "32.01", "32.02"  # FULL publishes 2026-01..03, SHORT only 2026-01..02
Q1, H1 = Period.parse("2026-Q1"), Period.parse("2026-H1")
pytestmark = pytest.mark.xdist_group("rollup")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("rollup")
    zone = root / "zone"
    for seed, code in enumerate((FULL, SHORT), start=11):
        generate(SynthConfig(regency=code, voters=800, months=3, start="2026-01", seed=seed), out_dir=zone)
    settings = Deployment(warehouse_url=f"sqlite:///{root / 'warehouse.sqlite'}", landing_dir=zone,
                          output_dir=root / "published", regencies=(FULL, SHORT), start_month="2026-01",
                          snapshot_dir=root / "snapshot")
    defs = settings.definitions()
    instance = DagsterInstance.ephemeral()
    assert all(o.success for o in run_regency(defs, instance, FULL, "2026-01", "2026-03"))
    assert all(o.success for o in run_regency(defs, instance, SHORT, "2026-01", "2026-02"))
    yield settings, defs, instance
    instance.dispose()


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(KEYS)[COLUMNS].sort_index()


def _monthly(warehouse: Warehouse, regency: str, months: list[str]) -> list[pd.DataFrame]:
    return [_cells(m) for m in warehouse.monthly_recaps(regency, months)]


def _xlsx_rows(path: Path, sheet: str) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    start = frame.index[frame.iloc[:, 0].astype(str).isin(["kode_kecamatan", "kode_kabupaten", "kode_provinsi",
                                                           "sebelumnya", "jenis_kelamin"])][0]
    out = frame.iloc[start + 1:].reset_index(drop=True)
    out.columns = frame.iloc[start].tolist()
    return out


def test_a_quarter_is_its_first_months_start_plus_its_movements_per_desa_and_sex(published):
    settings, defs, instance = published
    outcome = run_rollup(defs, instance, "kabupaten", FULL, Q1)
    assert outcome.success, outcome.failed_steps + outcome.failed_checks
    assert outcome.metadata["rekap_triwulan"]["sekarang"] > 0
    warehouse = Warehouse(url=settings.warehouse_url)
    quarter = _cells(warehouse.rekap_gabungan("kabupaten", FULL, "2026-Q1"))
    jan, feb, mar = _monthly(warehouse, FULL, Q1.months)
    # the start is the DPT's count per desa and sex, the end is March's roll, cell by cell
    def count(roll):
        return roll.groupby(KEYS).size()
    start = count(warehouse.roll_of(FULL, "0000-00")).reindex(quarter.index, fill_value=0)
    end = count(warehouse.roll_of(FULL, "2026-03")).reindex(quarter.index, fill_value=0)
    assert (quarter["sebelumnya"] == start).all() and (quarter["sekarang"] == end).all()
    # every movement (Pemilih Baru and TMS sub-categories, ubah data, masuk/keluar perbaikan) is the months' sum
    moves = [c for c in COLUMNS if c not in ("sebelumnya", "sekarang", "selisih")]
    summed = sum(m[moves].reindex(quarter.index, fill_value=0) for m in (jan, feb, mar))
    pd.testing.assert_frame_equal(quarter[moves], summed, check_names=False)
    assert (quarter["selisih"] == 0).all()
    assert quarter[moves].to_numpy().sum() > 0 and quarter["tms"].sum() > 0 and quarter["pemilih_baru"].sum() > 0
    changes = warehouse.read("SELECT kategori, COUNT(*) AS n FROM perubahan WHERE regency = :r GROUP BY kategori",
                             {"r": FULL}).set_index("kategori")["n"]
    assert quarter["tms"].sum() == changes["tms"] + quarter["keluar_perbaikan"].sum()
    assert quarter["pemilih_baru"].sum() == changes["pemilih_baru"] + quarter["masuk_perbaikan"].sum()

    folder = settings.output_dir / FULL / "2026-Q1"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest) == [f"rekap_{FULL}_2026-Q1.xlsx", f"rekap_desa_{FULL}_2026-Q1.csv"]
    book = folder / f"rekap_{FULL}_2026-Q1.xlsx"
    with zipfile.ZipFile(book) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/worksheets/")]) == 3  # Kabupaten, Kecamatan, Desa
    top = pd.read_excel(book, sheet_name="Kabupaten", header=None, dtype=object)
    assert "PERIODE TRIWULAN I 2026 (JANUARI - MARET 2026)" in top.iloc[:, 0].tolist()
    total = _xlsx_rows(book, "Kabupaten").set_index("jenis_kelamin").loc["L+P"]
    assert int(total["sebelumnya"]) == len(warehouse.roll_of(FULL, "0000-00"))
    assert int(total["sekarang"]) == len(warehouse.roll_of(FULL, "2026-03"))
    assert not leakscan.Identifiers.from_landing(settings.landing_dir).scan_folder(folder)


def test_a_period_with_a_month_missing_is_incomplete_and_not_published(published):
    settings, defs, instance = published
    for regency, period, lacking in ((SHORT, Q1, "2026-03"), (FULL, H1, "2026-04, 2026-05, 2026-06")):
        outcome = run_rollup(defs, instance, "kabupaten", regency, period)
        assert outcome.success  # nothing failed: the period is not due yet
        assert outcome.metadata == {}  # nothing materialised, nothing published
        assert not (settings.output_dir / regency / period.label).exists()
        warehouse = Warehouse(url=settings.warehouse_url)
        assert warehouse.rekap_gabungan_cells("kabupaten", regency, period.label).empty
        members = rollup.members({regency: period.months}, warehouse.published_months([regency], period.months))
        assert members.to_dict("records") == [{"regency": regency, "lengkap": False, "bulan_kurang": lacking}]
    with pytest.raises(RunError, match="not a partition"):
        run_rollup(defs, instance, "kabupaten", FULL, Period.parse("2099-Q1"))


def test_a_province_is_the_sum_of_its_regencies_and_lists_a_missing_one(published):
    settings, defs, instance = published
    warehouse = Warehouse(url=settings.warehouse_url)
    both = run_rollup(defs, instance, "provinsi", "32", Period.parse("2026-02"))
    assert both.success and both.metadata["rekap_provinsi/bulan"]["kabupaten_belum_lengkap"] == 0
    province = warehouse.rekap_gabungan("provinsi", "32", "2026-02")
    for regency in (FULL, SHORT):
        own = _cells(warehouse.rekap(Partition(regency=regency, month="2026-02")))
        mine = _cells(province[province["kode_desa"].str.startswith(regency + ".")])
        pd.testing.assert_frame_equal(mine, own.reindex(mine.index), check_names=False)
        assert len(mine) == len(own)
    book = settings.output_dir / "provinsi" / "32" / "2026-02" / "rekap_provinsi_32_2026-02.xlsx"
    per_regency = _xlsx_rows(book, "Kabupaten")
    assert sorted(set(per_regency["kode_kabupaten"])) == [FULL, SHORT]
    total = _xlsx_rows(book, "Provinsi").set_index("jenis_kelamin").loc["L+P"]
    lp = per_regency[per_regency["jenis_kelamin"] == "L+P"]
    assert int(total["sekarang"]) == lp["sekarang"].astype(int).sum() == (
        len(warehouse.roll_of(FULL, "2026-02")) + len(warehouse.roll_of(SHORT, "2026-02")))

    # March: SHORT has not published it: listed, never summed (not as 0, not at all)
    march = run_rollup(defs, instance, "provinsi", "32", Period.parse("2026-03"))
    assert march.success and march.metadata["rekap_provinsi/bulan"]["kabupaten_belum_lengkap"] == 1
    cells = warehouse.rekap_gabungan("provinsi", "32", "2026-03")
    assert set(cells["kode_desa"].str.slice(0, 5)) == {FULL}
    assert int(cells["sekarang"].sum()) == len(warehouse.roll_of(FULL, "2026-03"))
    folder = settings.output_dir / "provinsi" / "32" / "2026-03"
    listed = pd.read_csv(folder / "kelengkapan_provinsi_32_2026-03.csv", dtype=str)
    assert listed[["kode_kabupaten", "bulan_belum_terbit"]].fillna("").values.tolist() == [[FULL, ""], [SHORT, "2026-03"]]
    assert listed["status"].tolist() == ["dijumlahkan", "belum lengkap: tidak dijumlahkan"]
    assert SHORT not in set(_xlsx_rows(folder / "rekap_provinsi_32_2026-03.xlsx", "Kabupaten")["kode_kabupaten"])
    title = pd.read_excel(folder / "rekap_provinsi_32_2026-03.xlsx", sheet_name="Provinsi", header=None).iloc[:, 0]
    assert "KPU PROVINSI JAWA BARAT (32)" in title.tolist() and any("BELUM LENGKAP: 1" in str(t) for t in title)


def test_the_nation_over_a_quarter_sums_the_complete_regencies_only(published):
    settings, defs, instance = published
    outcome = run_rollup(defs, instance, "nasional", "ID", Q1)
    assert outcome.success, outcome.failed_checks
    warehouse = Warehouse(url=settings.warehouse_url)
    members = warehouse.rekap_gabungan_anggota("nasional", "ID", "2026-Q1")
    assert members.to_dict("records") == [{"regency": FULL, "lengkap": True, "bulan_kurang": ""},
                                          {"regency": SHORT, "lengkap": False, "bulan_kurang": "2026-03"}]
    nation = rollup.totals(warehouse.rekap_gabungan("nasional", "ID", "2026-Q1"))
    expected = rollup.expected_totals(warehouse.monthly_totals(FULL, Q1.months), Q1.months)
    assert nation == {c: int(expected[c]) for c in COLUMNS}
    assert (settings.output_dir / "nasional" / "2026-Q1" / "rekap_nasional_2026-Q1.xlsx").is_file()


def test_a_recap_that_does_not_reconcile_blocks_its_publication(published):
    """A month's stored recap altered afterwards (one desa's TMS lost): the quarter no longer
    reconciles, ``rekap_seimbang`` and ``sesuai_rekap_bulanan`` fail, nothing is published."""
    settings, defs, instance = published
    warehouse = Warehouse(url=settings.warehouse_url)
    table = warehouse.table("rekap")
    saved = warehouse.read("SELECT * FROM rekap WHERE regency = :r AND month = '2026-02' AND kolom LIKE 'tms_%'",
                           {"r": SHORT})
    assert len(saved)
    row = saved.iloc[0]
    try:
        with warehouse.begin() as conn:
            conn.execute(table.delete().where(table.c.regency == SHORT, table.c.month == "2026-02",
                                              table.c.kode_desa == row["kode_desa"],
                                              table.c.jenis_kelamin == row["jenis_kelamin"],
                                              table.c.kolom == row["kolom"]))
        outcome = run_rollup(defs, instance, "provinsi", "32", Period.parse("2026-02"))
        assert not outcome.success
        assert "rekap_provinsi/bulan:rekap_seimbang (ERROR)" in outcome.failed_checks, outcome.failed_checks
        assert "publikasi_provinsi/bulan" not in outcome.metadata  # blocked: not published again
    finally:
        with warehouse.begin() as conn:
            conn.execute(table.insert(), [row.to_dict()])


def test_the_cli_prints_the_periods_and_the_province(published, monkeypatch, tmp_path):
    settings, defs, instance = published
    env = {"PDPB_WAREHOUSE_URL": settings.warehouse_url, "PDPB_LANDING_DIR": str(settings.landing_dir),
           "PDPB_OUTPUT_DIR": str(settings.output_dir), "PDPB_REGENCIES": f"{FULL},{SHORT}",
           "PDPB_START_MONTH": "2026-01", "PDPB_REGENCY_START_MONTHS": "", "DAGSTER_HOME": str(tmp_path)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import pdpb_pipeline.definitions as definitions

    importlib.reload(definitions)
    try:
        cli = CliRunner()
        run = cli.invoke(app, ["run", "--regency", FULL, "--period", "2026-Q1"])
        assert run.exit_code == 0, run.output
        printed = cli.invoke(app, ["rekap", "--regency", FULL, "--period", "2026-Q1"])
        assert printed.exit_code == 0, printed.output
        line, moves, files = printed.output.splitlines()[:3]
        values = rollup.totals(Warehouse(url=settings.warehouse_url).rekap_gabungan("kabupaten", FULL, "2026-Q1"))
        assert line == (f"{FULL} 2026-Q1: {values['sebelumnya']:,} + {values['pemilih_baru']:,} (Pemilih Baru) - "
                        f"{values['tms']:,} (TMS) = {values['sekarang']:,}")
        assert "tms_meninggal=" in moves and files.endswith(f"{FULL}/2026-Q1")

        half = cli.invoke(app, ["run", "--regency", FULL, "--period", "2026-H1"])
        assert half.exit_code == 1
        assert "2026-H1: incomplete, not published: months not published: 32.01: 2026-04, 2026-05, 2026-06" in half.output
        assert cli.invoke(app, ["rekap", "--regency", SHORT, "--period", "2026-Q1"]).exit_code == 1

        province = cli.invoke(app, ["run", "--province", "32", "--month", "2026-03"])
        assert province.exit_code == 0, province.output
        assert f"regencies summed: 1; missing (not summed): 1: {SHORT}" in province.output
        assert province.output.splitlines()[-4].startswith("32 2026-03: ")
        bad = cli.invoke(app, ["rekap", "--province", "99", "--month", "2026-03"])
        assert bad.exit_code == 2
    finally:
        monkeypatch.undo()
        importlib.reload(definitions)


def test_the_quarter_schedule_asks_for_the_quarter_just_ended_of_every_regency(published):
    _, defs, _ = published
    schedule = defs.resolve_schedule_def("pdpb_triwulan_schedule")
    assert schedule.cron_schedule == "0 2 6 1,4,7,10 *"
    import datetime as dt

    requests = schedule.evaluate_tick(build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 4, 6, 2, 0), repository_def=defs.get_repository_def())).run_requests
    assert [r.partition_key for r in requests] == ["2026-01-01|32.01", "2026-01-01|32.02"]
    provinces = defs.resolve_schedule_def("pdpb_provinsi_semester_schedule").evaluate_tick(build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 7, 7, 2, 30), repository_def=defs.get_repository_def())).run_requests
    assert [r.partition_key for r in provinces] == ["2026-01-01|32"]
