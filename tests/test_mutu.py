"""The quality figures (mutu) of a published month, scored against the synthetic regency's truth.

Two months of a small synthetic regency: the first without a population projection (no coverage
figure at all), the second with one built from the truth's eligible residents per desa.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import DagsterInstance

from pdpb_lab.synth import SynthConfig, generate
from pdpb_lab.synth import truth as T
from pdpb_pipeline.cli.runner import run_regency
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import mutu, store
from pdpb_pipeline.roll.eligibility import usable_nik, valid_nik
from tests.deployment import Deployment

REGENCY = "36.73"
MONTHS = ("2026-01", "2026-02")
#: The generator's marks of a NIK written so that it names nobody.
UNUSABLE = {"nik_placeholder", "nik_missing", "nik_excel_truncated", "nik_excel_scientific"}


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=3, start="2026-01", seed=5), out_dir=out)
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory, zone):
    """January closed with no projection set, February with one: the truth's eligible residents
    at the end of February per desa (the file's desa level)."""
    tmp = tmp_path_factory.mktemp("mutu")
    eligible = T.true_roll(zone, REGENCY, MONTHS[1]).groupby("kode_desa").size()
    projection = tmp / "proyeksi.csv"
    pd.DataFrame({"kode_wilayah": eligible.index, "tahun": 2026, "penduduk_17_plus": eligible.to_numpy()}).to_csv(
        projection, index=False)
    base = dict(warehouse_url=f"sqlite:///{tmp / 'warehouse.sqlite'}", landing_dir=zone, output_dir=tmp / "published",
                regencies=(REGENCY,), start_month=MONTHS[0], snapshot_dir=tmp / "snapshot")
    outcomes = []
    for month, setting in zip(MONTHS, ("", str(projection))):
        with DagsterInstance.ephemeral() as instance:
            outcomes += run_regency(Deployment(**base, population_projection=setting).definitions(), instance,
                                    REGENCY, month)
    assert all(o.success for o in outcomes), [o.failed_steps for o in outcomes]
    warehouse = Warehouse(url=base["warehouse_url"])
    figures = {m: json.loads((tmp / "published" / REGENCY / m / "manifest.json").read_text())["mutu"] for m in MONTHS}
    metadata = {m: o.metadata["publikasi"] for m, o in zip(MONTHS, [o for o in outcomes if "publikasi" in o.metadata])}
    return warehouse, figures, metadata, tmp / "published", int(eligible.sum())


def _truth_rows(zone: Path, month: str) -> pd.DataFrame:
    rows = T.read_csv(T.truth_dir(zone, REGENCY) / f"{month}.csv")
    # the file's line (the header is line 1), and its name without the extension (a feed row's id)
    return rows.assign(row_number=rows["baris"].astype(int) + 1, stem=rows["berkas"].str.rsplit(".", n=1).str[0])


def test_death_to_removal_lag_is_the_generated_one(published, zone):
    warehouse, figures, _, _, _ = published
    for month in MONTHS:
        removed = warehouse.read("SELECT file_name, row_number FROM perubahan WHERE regency = :r AND month = :m "
                                 "AND kategori = 'tms' AND sub_kategori = 'meninggal'", {"r": REGENCY, "m": month})
        truth = removed.merge(_truth_rows(zone, month), left_on=["file_name", "row_number"],
                              right_on=["berkas", "row_number"], validate="one_to_one")
        assert len(truth) == len(removed) > 0 and (truth["jenis_peristiwa"] == "meninggal").all()
        # the generated date of death to the last day of the month the voter left the roll
        last_day = pd.Timestamp(dt.date(2026, int(month[5:]), 31 if month.endswith("01") else 28))
        lags = (last_day - pd.to_datetime(truth["tanggal_peristiwa"])).dt.days.to_numpy()
        got = figures[month]
        assert got["meninggal_jeda_jumlah"] == len(lags) and got["meninggal_tanpa_tanggal"] == 0
        assert got["meninggal_jeda_hari_median"] == np.median(lags)
        assert got["meninggal_jeda_hari_p90"] == round(float(np.percentile(lags, 90)), 3)
        deaths = _truth_rows(zone, month).query("jenis_peristiwa == 'meninggal' and kategori == 'tms'")
        assert len(removed) <= len(deaths)


def test_valid_nik_share_is_the_share_the_generator_wrote_usable(published, zone):
    warehouse, figures, _, _, _ = published
    baseline = T.read_csv(T.truth_dir(zone, REGENCY) / "baseline.csv").set_index("roll_id")
    dpt = pd.read_csv(zone / "baseline" / REGENCY / "dpt.csv", dtype=str, keep_default_na=False).set_index("id")
    # a DPT row: its NIK faulted by the generator, or a duplicate copy whose NIK it left blank
    faulty = set(baseline.index[baseline["nik_noise"].isin(UNUSABLE)]) | set(
        baseline.index[(baseline["status"] == "ganda") & (dpt["nik"].reindex(baseline.index) == "")])
    for month in MONTHS:
        roll = store.as_of(warehouse, REGENCY, month)
        added = warehouse.read("SELECT voter_id, month, file_name, row_number FROM perubahan WHERE regency = :r "
                               "AND kategori = 'pemilih_baru'", {"r": REGENCY})
        added = added[added["month"] <= month]
        marks = pd.concat([_truth_rows(zone, m).assign(month=m) for m in MONTHS if m <= month])
        sources = added.merge(marks, left_on=["month", "file_name", "row_number"],
                              right_on=["month", "berkas", "row_number"])
        faulty_added = set(sources.loc[sources["noise"].str.split(";").map(lambda t: bool(UNUSABLE & set(t))),
                                       "voter_id"])
        unusable = int(roll["id"].isin(faulty | faulty_added).sum())
        assert unusable > 0
        assert figures[month]["nik_tidak_valid"] == unusable
        assert figures[month]["nik_valid_porsi"] == round(1 - unusable / len(roll), 6)
        assert figures[month]["pemilih"] == len(roll)


def test_linked_share_of_each_agency_is_the_share_of_its_rows_naming_a_voter(published, zone):
    warehouse, figures, _, _, _ = published
    for month in MONTHS:
        decided = warehouse.read("SELECT feed_id, agency FROM link_decision WHERE regency = :r AND month = :m",
                                 {"r": REGENCY, "m": month})
        decided["stem"] = decided["feed_id"].str.split("#").str[0]  # an agency may send two files a month
        decided["row_number"] = decided["feed_id"].str.split("#").str[1].astype(int)
        truth = decided.merge(_truth_rows(zone, month), on=["agency", "stem", "row_number"], validate="one_to_one")
        on_roll = (truth["roll_id"] != "").groupby(truth["agency"]).agg(["size", "mean"])
        assert len(on_roll) >= 2
        for agency, row in on_roll.iterrows():
            assert figures[month][f"tautan_baris_{agency}"] == row["size"]
            assert figures[month][f"tautan_porsi_{agency}"] == round(row["mean"], 6), agency
        assert not [k for k in figures[month] if k.startswith("tautan_porsi_") and k[13:] not in on_roll.index]


def test_queue_and_duplicate_figures_are_those_of_the_published_queue(published):
    warehouse, figures, _, folder, _ = published
    for month in MONTHS:
        queue = pd.read_csv(folder / REGENCY / month / f"antrean_coktas_{REGENCY}_{month}.csv", dtype=str,
                            keep_default_na=False)
        got = figures[month]
        assert got["antrean_ukuran"] == len(queue) > 0
        age = [int(month[5:]) - int(m[5:]) for m in queue["bulan_usulan"]]  # months of one year
        assert got["antrean_usia_median_bulan"] == np.median(age)
        assert got["ganda_di_antrean"] == int((queue["sub_kategori"] == "ganda").sum())
        pairs = warehouse.roll_duplicates(REGENCY, month)
        assert got["ganda_pasangan"] == len(pairs)
        assert got["ganda_per_1000"] == round(len(pairs) * 1000 / got["pemilih"], 3)
    assert figures[MONTHS[0]]["ganda_pasangan"] > 0  # the DPT's own duplicates, found in the first month
    assert figures[MONTHS[1]]["antrean_usia_median_bulan"] >= 0


def test_coverage_is_the_roll_over_the_projection_and_absent_without_one(published):
    _, figures, metadata, _, eligible = published
    february = figures[MONTHS[1]]
    assert february["penduduk_memenuhi_syarat"] == eligible
    assert february["cakupan"] == round(february["pemilih"] / eligible, 6)
    assert 0.95 < february["cakupan"] < 1.05
    for key in ("cakupan", "penduduk_memenuhi_syarat"):
        assert key not in figures[MONTHS[0]] and key not in metadata[MONTHS[0]]  # absent, not 0
    # every figure is in Dagster's metadata too, as a number it can plot
    for month in MONTHS:
        assert {k: metadata[month][k] for k in figures[month]} == pytest.approx(figures[month])


def test_projection_file_levels_years_and_errors(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("kode_wilayah,tahun,penduduk_17_plus\n36.73,2026,500000\n36.74,2026,10\n36.73,2025,490000\n")
    assert mutu.projection(path, "36.73", 2026) == 500000
    assert mutu.projection(path, "36.73", 2027) is None  # no row for the year: no coverage figure
    path.write_text("kode_wilayah,tahun,penduduk_17_plus\n36.73.01.1001,2026,70\n36.73.02.2001,2026,30\n")
    assert mutu.projection(path, "36.73", 2026) == 100
    path.write_text("kode_wilayah,tahun,penduduk_17_plus\n36.73,2026,100\n36.73.01.1001,2026,70\n")
    with pytest.raises(mutu.ProjectionError, match="both as a regency row and per desa"):
        mutu.projection(path, "36.73", 2026)
    path.write_text("kode_wilayah,tahun,penduduk_17_plus\n36.73,2026,100\n36.73,2026,1.5 juta\n")
    with pytest.raises(mutu.ProjectionError, match=r"p.csv row 3 field penduduk_17_plus: '1.5 juta'"):
        mutu.projection(path, "36.73", 2026)
    path.write_text("wilayah,tahun,jumlah\n36.73,2026,100\n")
    with pytest.raises(mutu.ProjectionError, match="header lacks kode_wilayah, penduduk_17_plus"):
        mutu.projection(path, "36.73", 2026)
    with pytest.raises(mutu.ProjectionError, match="not found"):
        mutu.projection(tmp_path / "none.csv", "36.73", 2026)


def test_valid_nik_is_the_usable_nik_rule(zone):
    dpt = pd.read_csv(zone / "baseline" / REGENCY / "dpt.csv", dtype=str, keep_default_na=False)["nik"]
    odd = pd.Series(["", None, np.nan, "3673014501900001", "3673014501900000", "3333333333333333",
                     "1234567890123456", "367301450190000", "36730145019000011", "3673014501９00001",
                     "ÄÄÄÄÄÄÄ367301450"], dtype=object)
    both = pd.concat([dpt, odd], ignore_index=True)
    digits = both.map(lambda v: isinstance(v, str) and v.isascii() and v.isdigit())
    assert (valid_nik(both) == (usable_nik(both) & digits).to_numpy()).all()
    assert valid_nik(odd).tolist() == [False] * 3 + [True] + [False] * 7
    assert (~valid_nik(dpt)).sum() > 0


def test_a_month_with_nothing_to_measure_has_no_figures_for_it():
    empty_queue = pd.DataFrame(columns=["sub_kategori", "bulan_usulan"])
    got = mutu.figures("2026-03", pd.Series([], dtype=object), pd.DataFrame(), empty_queue,
                       pd.Series([], dtype="datetime64[ns]"), pd.DataFrame(columns=["agency", "baris", "cocok"]), None)
    assert got == {"pemilih": 0, "ganda_pasangan": 0, "ganda_di_antrean": 0, "antrean_ukuran": 0,
                   "meninggal_jeda_jumlah": 0, "meninggal_tanpa_tanggal": 0}


def _rows(table: str, warehouse: Warehouse, **values) -> pd.DataFrame:
    """One row of ``table`` with ``values`` and every other NOT NULL column filled in."""
    columns = {c.name: c for c in warehouse.table(table).columns if c.name not in ("regency", "month")}
    row = {name: 0 if isinstance(c.type, sa.Integer) else "" for name, c in columns.items() if not c.nullable}
    return pd.DataFrame([{**row, **values}])


def test_a_death_applied_on_a_coktas_answer_is_dated_by_the_row_that_queued_it(tmp_path):
    warehouse = Warehouse(url=f"sqlite:///{tmp_path / 'w.sqlite'}")
    jan, feb = {"regency": REGENCY, "month": "2026-01"}, {"regency": REGENCY, "month": "2026-02"}
    warehouse.replace("feed_row", jan, _rows("feed_row", warehouse, agency="disdukcapil", id="disdukcapil#7",
                                             jenis_peristiwa="meninggal", tanggal_peristiwa=dt.date(2026, 1, 10)))
    warehouse.replace("antrean_coktas", jan, _rows("antrean_coktas", warehouse, id_antrean="U-1", bulan_usulan="2026-01",
                                                   agency="disdukcapil", feed_id="disdukcapil#7"))
    warehouse.replace("feed_row", feb, pd.concat([
        _rows("feed_row", warehouse, agency="disdukcapil", id="disdukcapil#7", jenis_peristiwa="meninggal",
              tanggal_peristiwa=dt.date(2026, 2, 3)),
        _rows("feed_row", warehouse, agency="coktas", id="coktas#2", jenis_peristiwa="hasil_coktas",
              tanggal_peristiwa=dt.date(2026, 2, 20))]))
    warehouse.replace("perubahan", feb, pd.concat([
        _rows("perubahan", warehouse, change_id="P-1", kategori="tms", sub_kategori="meninggal", agency="coktas",
              feed_id="coktas#2", id_antrean="U-1"),
        _rows("perubahan", warehouse, change_id="P-2", kategori="tms", sub_kategori="meninggal",
              agency="disdukcapil", feed_id="disdukcapil#7"),
        _rows("perubahan", warehouse, change_id="P-3", kategori="tms", sub_kategori="meninggal", agency="coktas",
              feed_id="coktas#3", id_antrean="U-9")]))  # answered on an item that was no death report
    dates = warehouse.death_dates(Partition(regency=REGENCY, month="2026-02"))
    assert dates.index.tolist() == ["P-1", "P-2", "P-3"]
    assert dates.iloc[:2].tolist() == [pd.Timestamp("2026-01-10"), pd.Timestamp("2026-02-03")] and pd.isna(dates.iloc[2])
    # 49 and 25 days to 28 February
    assert mutu.lag_figures(dates, "2026-02") == {"meninggal_jeda_jumlah": 2, "meninggal_tanpa_tanggal": 1,
                                                  "meninggal_jeda_hari_median": 37.0, "meninggal_jeda_hari_p90": 46.6}
