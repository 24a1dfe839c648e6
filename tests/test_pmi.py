"""Migrant workers (BP2MI) on a synthetic regency, three months through Dagster, scored against
its truth: who is abroad (and where), where a returned worker votes, identities used at home."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_lab.synth import SynthConfig, generate, truth
from pdpb_pipeline.cli.runner import run_regency
from pdpb_pipeline.daftar import pmi
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll.events import ABROAD_REASON
from tests.deployment import Deployment

REGENCY = "32.01"
MONTHS = ("2026-01", "2026-02", "2026-03")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pmi")
    zone = tmp / "zone"
    # Many departures, returns of those who left (half to another desa), identities used at home.
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=3, start="2026-01", seed=21, pmi_leave_monthly=0.015,
                         pmi_departed_return_monthly=0.3, pmi_return_moved_share=0.5, pmi_misuse_monthly=0.2),
             out_dir=zone)
    settings = Deployment(warehouse_url=f"sqlite:///{tmp / 'wh.sqlite'}", landing_dir=zone,
                          output_dir=tmp / "published", regencies=(REGENCY,), start_month="2026-01", polling_day="",
                          snapshot_dir=tmp / "snapshot")
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, MONTHS[0], MONTHS[-1])
    assert all(o.success for o in outcomes), [o.failed_steps for o in outcomes]
    warehouse = Warehouse(url=settings.warehouse_url)
    persons = truth.read_csv(truth.truth_dir(zone, REGENCY) / "persons.csv")
    return zone, settings, warehouse, persons.set_index("nik")["person_id"]


def _list(warehouse, month):
    return warehouse.daftar(Partition(REGENCY, month), pmi.SPEC)


def test_abroad_status_and_country_per_voter_match_the_truth(run):
    zone, _, warehouse, person_of = run
    for month in MONTHS:
        abroad = _list(warehouse, month)["luar_negeri"]
        got = dict(zip(abroad["nik"].map(person_of), abroad["negara"]))
        true = truth.abroad(zone, REGENCY, month)
        reported = true[true["dilaporkan"] == 1].set_index("person_id")["negara"]
        returned_unreported = set(got) - set(true["person_id"])
        back = truth.returned(zone, REGENCY, month)
        assert returned_unreported <= set(back["person_id"]), month  # marked wrongly only if the return went unreported
        assert set(reported.index) <= set(got), month  # every reported departure is marked...
        assert all(got[p] == reported[p] for p in reported.index), month  # ...with its country
        counts = _list(warehouse, month)["per_negara"].set_index("negara")["jumlah"].astype(int)
        assert counts["JUMLAH"] == len(abroad) == counts.drop("JUMLAH").sum()
    assert len(reported) >= 15


def test_returned_workers_vote_at_the_desa_of_their_ktp(run):
    zone, _, warehouse, person_of = run
    moved = 0
    for month in MONTHS:
        back = _list(warehouse, month)["pulang"]
        true = truth.returned(zone, REGENCY, month)
        true = true[true["bulan"] == month].set_index("person_id")
        placed = back[back["hasil"].isin(["pindah_desa", "desa_sama", "pemilih_baru"])]
        assert len(placed) == len(back)  # the synthetic rows all name the desa
        assert (placed["kode_desa"].to_numpy() == true.loc[placed["nik"].map(person_of), "kode_desa"].to_numpy()).all()
        moved += int((placed["hasil"] == "pindah_desa").sum())
        roll = warehouse.roll_of(REGENCY, month).set_index("id")
        voters = placed[placed["voter_id"] != ""]
        assert (roll.loc[voters["voter_id"], "kode_desa"].to_numpy() == voters["kode_desa"].to_numpy()).all()
    assert moved >= 3  # KTPs naming another desa than the roll did: the KPU Sumbawa case


def test_identity_used_at_home_while_abroad_is_queued_never_applied(run):
    zone, _, warehouse, person_of = run
    held_total = 0
    for month in MONTHS:
        proposals = warehouse.usulan_perubahan(Partition(REGENCY, month))
        true = truth.abroad(zone, REGENCY, month)
        abroad_now = set(true.loc[true["dilaporkan"] == 1, "person_id"])  # (an unreported departure is unknown)
        rows = truth.read_csv(truth.truth_dir(zone, REGENCY) / f"{month}.csv")
        misuse = rows[(rows["agency"] == "disdukcapil") & (rows["event_id"] == "") & rows["person_id"].isin(abroad_now)]
        theirs = proposals[(proposals["agency"] == "disdukcapil") & proposals["nik"].map(person_of).isin(abroad_now)]
        assert (theirs["status"] != "diterapkan").all(), month
        held = theirs[theirs["alasan"].str.startswith(ABROAD_REASON)]
        held_total += len(held)
        warned = _list(warehouse, month)["peringatan"]
        assert set(held["proposal_id"]) <= set(warned["id_usulan"])
        assert len(misuse) >= len(held) > 0 or misuse.empty
    assert held_total >= 3


def test_every_bp2mi_row_is_in_one_list_and_the_files_are_published(run):
    _, settings, warehouse, _ = run
    for month in MONTHS:
        part = Partition(REGENCY, month)
        lists = _list(warehouse, month)
        rows = warehouse.feed_rows(part, ("bp2mi",))
        listed = pd.concat([lists["berangkat"]["feed_id"], lists["pulang"]["feed_id"]])
        assert sorted(listed) == sorted(rows["id"])
        folder = Path(settings.output_dir) / REGENCY / month
        assert (folder / f"pmi_{REGENCY}_{month}.xlsx").exists() and (folder / f"pmi_{REGENCY}_{month}.csv").exists()
        published = pd.read_csv(folder / f"pmi_{REGENCY}_{month}.csv", dtype=str, keep_default_na=False)
        niks = published.loc[published["nik"] != "", "nik"]
        assert niks.str.contains(r"\*{10}").all()  # masked: 320101**********
        recap = pd.read_csv(folder / f"rekap_desa_{REGENCY}_{month}.csv", dtype={"kode_desa": str})
        cells = recap[recap["jenis_kelamin"].isin(["L", "P"])]
        assert (cells["sebelumnya"] + cells["pemilih_baru"] - cells["tms"] == cells["sekarang"]).all()
