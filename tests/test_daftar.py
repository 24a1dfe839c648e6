"""The agency lists (issue 13) on the synthetic regency, scored against its truth: the housing
occupants per estate and the village list compared with the roll, each feed row in exactly one
part, published masked beside the month's other files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_pipeline.cli.runner import run_regency
from pdpb_pipeline.daftar.spec import BY_NAME, reconcile
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_lab.synth import SynthConfig, generate
from tests.deployment import Deployment

REGENCY = "36.73"
MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")
pytestmark = pytest.mark.xdist_group("daftar")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    zone = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=len(MONTHS), start=MONTHS[0], seed=11), out_dir=zone)
    tmp = tmp_path_factory.mktemp("daftar")
    settings = Deployment(warehouse_url=f"sqlite:///{tmp / 'w.sqlite'}", landing_dir=zone, output_dir=tmp / "out",
                          regencies=(REGENCY,), start_month=MONTHS[0], polling_day="", snapshot_dir=tmp / "snap")
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, MONTHS[0], MONTHS[-1])
    assert all(o.success for o in outcomes)
    return Warehouse(url=settings.warehouse_url), zone, tmp / "out" / REGENCY


def _truth(zone: Path, month: str, agency: str) -> pd.DataFrame:
    t = pd.read_csv(zone / "truth" / REGENCY / f"{month}.csv", dtype=str, keep_default_na=False)
    return t[t["agency"] == agency]


def _with_truth(frame: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    rows = frame.assign(baris=(frame["row_number"].astype(int) - 1).astype(str))  # (header = row 1)
    return rows.merge(truth, left_on=["file_name", "baris"], right_on=["berkas", "baris"], how="left",
                      validate="one_to_one", suffixes=("", "_truth"))


def _lists(warehouse: Warehouse, name: str, month: str) -> dict[str, pd.DataFrame]:
    return warehouse.daftar(Partition(regency=REGENCY, month=month), BY_NAME[name])


@pytest.mark.parametrize("name", ["penghuni", "desa_pembanding"])
def test_every_accepted_feed_row_is_in_exactly_one_part(run, name):
    warehouse, _, _ = run
    spec = BY_NAME[name]
    seen = 0
    for month in MONTHS:
        part = Partition(regency=REGENCY, month=month)
        feed = warehouse.feed_rows(part, spec.feeds)
        frames = _lists(warehouse, name, month)
        result = reconcile(spec, feed, frames)
        assert result.passed, result.description(spec)
        seen += len(feed)
    assert seen > 0  # the regency's files had rows of the feed


def test_reconciliation_fails_on_a_broken_list(run):
    warehouse, _, _ = run
    spec = BY_NAME["desa_pembanding"]
    part = Partition(regency=REGENCY, month="2026-02")
    feed = warehouse.feed_rows(part, spec.feeds)
    frames = _lists(warehouse, spec.name, part.month)
    lost = dict(frames, cocok=frames["cocok"].iloc[1:])
    result = reconcile(spec, feed, lost)
    assert not result.passed and len(result.missing) == 1
    first = frames["cocok"].iloc[0]
    assert f"{first['file_name']} baris {first['row_number']}" in result.description(spec)
    doubled = dict(frames, berbeda=pd.concat([frames["berbeda"], frames["cocok"].iloc[:2]]))
    assert len(reconcile(spec, feed, doubled).twice) == 2


def test_housing_occupants_per_estate_scored_against_truth(run):
    warehouse, zone, _ = run
    scored = []
    for month in MONTHS:
        for bagian, frame in _lists(warehouse, "penghuni", month).items():
            if len(frame):
                scored.append(_with_truth(frame, _truth(zone, month, "perumahan")).assign(bagian=bagian))
    rows = pd.concat(scored, ignore_index=True)
    # The estate is the one the file names, the one the occupant truly lives in.
    assert (rows["nama_perumahan"] == rows["nama_perumahan_truth"].str.upper()).all()
    # Nobody on the visit list had a move proposed; voters at the address are people the roll had.
    visit = rows[rows["bagian"] == "kunjungan"]
    assert len(visit) and not visit["usulan"].isin(["ubah_alamat", "pindah_masuk"]).any()
    at_address = rows[rows["bagian"] == "di_alamat"]
    assert len(at_address) and (at_address["voter_id"] != "").all() and (at_address["di_roll"] == "1").mean() >= 0.95
    # Moved in: a voter of the roll with a new address, or a newcomer from another regency
    # (a Pemilih Baru pindah masuk), mostly the truth's newcomers at housing.
    moved = rows[rows["bagian"] == "pindahan"]
    assert ((moved["voter_id"] != "") == (moved["usulan"] == "ubah_alamat")).all()
    newcomers = moved[moved["usulan"] == "pindah_masuk"]
    assert len(newcomers) and (newcomers["di_roll"] == "0").mean() >= 0.7
    assert (newcomers["dpb_kode_desa"] == "").all() and newcomers["keterangan"].str.startswith("belum di DPB").all()


def test_village_list_per_desa_reconciles_with_feed_and_roll(run):
    warehouse, zone, _ = run
    month = "2026-02"
    part = Partition(regency=REGENCY, month=month)
    frames = _lists(warehouse, "desa_pembanding", month)
    feed = warehouse.feed_rows(part, ("dpmd",))
    roll = warehouse.roll_of(REGENCY, month)
    listed = feed.groupby("kode_desa").size()
    from_file = pd.concat([frames[b]["kode_desa"] for b in ("cocok", "berbeda", "hanya_desa")]).value_counts()
    assert from_file.sort_index().to_dict() == listed.sort_index().to_dict()
    covered = roll[roll["kode_desa"].isin(set(listed.index) - {""})]
    named = set(frames["cocok"]["voter_id"]) | set(frames["berbeda"]["voter_id"])
    assert set(frames["hanya_dpb"]["voter_id"]) == set(covered["id"]) - named
    assert not set(frames["hanya_dpb"]["voter_id"]) & set(frames["cocok"]["voter_id"])
    # Against the truth: the village rows of voters on the roll are matched or differing.
    truth = _truth(zone, month, "dpmd")
    rows = pd.concat([_with_truth(frames[b], truth).assign(bagian=b) for b in ("cocok", "berbeda", "hanya_desa")])
    voters = rows[rows["di_roll"] == "1"]
    assert len(voters) > 50 and voters["bagian"].isin(["cocok", "berbeda"]).mean() >= 0.95
    # A differing row names what differs; matched rows agree on the name and address.
    sure = frames["berbeda"][frames["berbeda"]["tautan"] == "pasti"]
    assert (sure["kolom_berbeda"] != "").all()
    name_differs = sure[sure["kolom_berbeda"].str.contains("nama")]
    assert (name_differs["nama"] != name_differs["dpb_nama"]).all()


def test_lists_are_published_masked_in_the_manifest(run):
    _, _, out = run
    month = out / "2026-02"
    manifest = json.loads((month / "manifest.json").read_text())
    for stem in ("penghuni", "desa_pembanding"):
        for ext in ("csv", "xlsx"):
            assert f"{stem}_{REGENCY}_2026-02.{ext}" in manifest
    text = (month / f"desa_pembanding_{REGENCY}_2026-02.csv").read_text()
    assert not re.search(r"\d{12}", text)
    header = text.splitlines()[0].split(",")
    assert header[0] == "bagian" and "dpb_nik" in header and "tanggal_lahir" not in header
    assert re.search(r"^cocok,", text, re.M) and re.search(r"^hanya_dpb,", text, re.M)
    assert not re.search(r",\d+\.0,", text)  # row numbers and ages as whole numbers
