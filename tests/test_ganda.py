"""Duplicates (ganda) after the first month: found for the new and changed records against the
whole roll, classed as at the DPT load, and resolved on evidence."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_pipeline.domain import schema
from pdpb_pipeline.linkage import deduplicate
from pdpb_pipeline.linkage.api import duplicates_of
from pdpb_pipeline.linkage.prepare import prepare
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.roll import ganda, proposal, store
from pdpb_pipeline.cli.runner import run_regency
from tests.deployment import Deployment
from pdpb_lab.synth import SynthConfig, generate

from pdpb_lab import fake

D1, D2 = "32.01.15.2003", "32.01.22.2005"
MONTH, REFERENCE = "2026-02", dt.date(2026, 2, 28)


def test_new_voters_that_duplicate_the_roll_are_found_in_their_sidalih_class():
    rng = np.random.default_rng(21)
    roll = fake.make_roll(3000, rng, [D1, D2])
    base = roll.iloc[[10, 20, 30, 40]].copy()
    # added last month: the same person at a new address, a NIK given to somebody else, a copy
    # with a title and no NIK
    moved = base.iloc[[0]].assign(id="DPB-32.01-2026-01-000001", alamat="JL. LAIN NO. 99", kode_desa=D2, rt="009")
    other = base.iloc[[1]].assign(id="DPB-32.01-2026-01-000002", nama="ROSITA DEWI", tanggal_lahir="1999-09-09")
    similar = base.iloc[[2]].assign(id="DPB-32.01-2026-01-000003", nik="", nama="H. " + base.iloc[2]["nama"])
    # a voter the DPT already held twice (another address), added a third time
    twice = base.iloc[[3]].assign(id="DPT-X-0000001", alamat="KP. SAWAH NO. 3", rt="004")
    third = base.iloc[[3]].assign(id="DPB-32.01-2026-01-000004")
    roll = pd.concat([roll, twice, moved, other, similar, third], ignore_index=True)
    roll = roll.sort_values("id", kind="stable").reset_index(drop=True)
    fresh_ids = {"DPB-32.01-2026-01-00000" + str(i) for i in range(1, 5)}
    rec = prepare([roll])
    rows = np.arange(len(roll))
    found = duplicates_of(rec, rows[roll["id"].isin(fresh_ids).to_numpy()], rows)
    got = {frozenset((a, b)): k for a, b, k in zip(found["id_a"], found["id_b"], found["kelas"])}
    assert got[frozenset((base.iloc[0]["id"], "DPB-32.01-2026-01-000001"))] == "identik_kecuali_alamat"
    assert got[frozenset((base.iloc[1]["id"], "DPB-32.01-2026-01-000002"))] == "nik_sama_nama_beda"
    assert got[frozenset((base.iloc[2]["id"], "DPB-32.01-2026-01-000003"))] == "mirip"
    # both records already on the roll, not one best candidate
    assert got[frozenset((base.iloc[3]["id"], "DPB-32.01-2026-01-000004"))] == "identik_kecuali_alamat"
    assert got[frozenset(("DPT-X-0000001", "DPB-32.01-2026-01-000004"))] == "identik_kecuali_alamat"
    # every pair names a new record (the DPT's own pair was found at the DPT load) ...
    assert all(pair & fresh_ids for pair in got)
    assert frozenset((base.iloc[3]["id"], "DPT-X-0000001")) not in got
    # ... and is classed and decided as deduplicating the whole roll classes and decides it
    whole = deduplicate(roll)
    whole = {frozenset((a, b)): (k, d) for a, b, k, d in zip(whole["id_a"], whole["id_b"], whole["kelas"], whole["decision"])}
    assert {p: (k, d) for p, k, d in zip(got, found["kelas"], found["decision"])} == {p: whole[p] for p in got}


def _asep(voter_id: str, **values) -> dict:
    return {"id": voter_id, "nik": "3201010101800001", "nkk": "3201010101100001", "nama": "ASEP SAEPUDIN",
            "tempat_lahir": "BOGOR", "tanggal_lahir": "1980-01-01", "jenis_kelamin": "L", "status_kawin": "S",
            "alamat": "KP. A", "rt": "001", "rw": "001", "kode_desa": "32.01.01.2001", **values}


# The DPT's record has an id that sorts after the one this pipeline gave the copy last month:
# text order is the opposite of registration order.
DPT_ID, NEW_ID = "P-9000001", "A-0000001"
REGISTERED = {DPT_ID: "0000-00", NEW_ID: "2026-01"}


def _pair(new_address: dict | None = None, kelas="identik_kecuali_alamat", decision="match"):
    roll = schema.to_canonical(pd.DataFrame([_asep(NEW_ID, **(new_address or {})), _asep(DPT_ID)]))
    pairs = pd.DataFrame([{"id_a": NEW_ID, "id_b": DPT_ID, "probability": 0.99999, "decision": decision,
                           "kelas": kelas}])
    return roll, pairs


def _no_feed():
    return schema.empty_frame(schema.PERSON_COLUMNS + schema.EVENT_COLUMNS).assign(
        agency="", file_name="", row_number=0, nik_status="", peringatan="", extra="")


def _ganda(roll, pairs, evidence, open_queue=None):
    links = pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"])
    proposals = proposal.propose("32.01", MONTH, REFERENCE, _no_feed(), links, roll, pairs,
                              pd.DataFrame() if open_queue is None else open_queue, evidence)
    return proposals[proposals["sub_kategori"] == "ganda"]


def test_a_fully_identical_pair_is_applied_and_the_earlier_registration_stays_whatever_the_id_text():
    roll, pairs = _pair()
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED))
    assert got[["voter_id", "status"]].values.tolist() == [[NEW_ID, proposal.APPLIED]]
    assert got["alasan"].iloc[0] == f"ganda dengan {DPT_ID} (identik_kecuali_alamat); terdaftar_lebih_dulu; identik"


def test_rt_written_another_way_is_the_same_address():
    roll, pairs = _pair({"alamat": "KAMPUNG A", "rt": "1", "rw": "01"})
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED))
    assert got[["voter_id", "status"]].values.tolist() == [[NEW_ID, proposal.APPLIED]]


def test_a_pair_at_two_addresses_goes_to_coktas():
    # He may have moved: without an agency row saying where he lives, the field officer checks.
    roll, pairs = _pair({"alamat": "PERUM GRIYA BLOK C2", "kode_desa": "32.01.01.2002"})
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED))
    assert got[["voter_id", "status"]].values.tolist() == [[NEW_ID, proposal.QUEUED]]
    assert got["alasan"].iloc[0].endswith("; terdaftar_lebih_dulu; alamat_berbeda_dicek")


def test_the_agencies_latest_row_decides_which_record_stays_over_the_earlier_registration():
    # The registry reported his move to the new address last month (the copy was added from it):
    # the DPT record at the old address goes, and the new address is the one the agency carries.
    new_address = {"alamat": "PERUM GRIYA BLOK C2", "kode_desa": "32.01.01.2002"}
    roll, pairs = _pair(new_address)
    reports = pd.DataFrame([{"voter_id": NEW_ID, "month": "2026-01", "alamat": "PERUM GRIYA BLOK C2", "rt": "001",
                             "rw": "001", "kode_desa": "32.01.01.2002"}])
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED, reports))
    assert got[["voter_id", "status"]].values.tolist() == [[DPT_ID, proposal.APPLIED]]
    assert got["alasan"].iloc[0].endswith("; bukti_instansi; alamat_dikonfirmasi_instansi")
    # The same agency row, had it carried a third address: the record it named stays, but which
    # address is right is for the field check.
    reports = reports.assign(alamat="JL. MAWAR 7")
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED, reports))
    assert got[["voter_id", "status"]].values.tolist() == [[DPT_ID, proposal.QUEUED]]
    assert got["alasan"].iloc[0].endswith("; bukti_instansi; alamat_berbeda_dicek")


def test_a_pair_other_than_identical_is_checked_whatever_the_evidence():
    for kelas in ("nik_sama_nama_beda", "mirip"):
        roll, pairs = _pair(kelas=kelas)
        got = _ganda(roll, pairs, ganda.Evidence(REGISTERED))
        assert got[["voter_id", "status"]].values.tolist() == [[NEW_ID, proposal.QUEUED]]
        assert got["alasan"].iloc[0].endswith(f"kelas_{kelas}_dicek")


def test_a_pair_waiting_for_coktas_is_not_queued_again():
    roll, pairs = _pair({"alamat": "PERUM GRIYA BLOK C2"})
    first = _ganda(roll, pairs, ganda.Evidence(REGISTERED))
    waiting = first.assign(month="2026-01")
    assert _ganda(roll, pairs, ganda.Evidence(REGISTERED), waiting).empty


def test_a_person_three_times_is_checked_in_the_field():
    third = "B-0000002"
    roll = schema.to_canonical(pd.DataFrame([_asep(NEW_ID), _asep(third), _asep(DPT_ID)]))
    pairs = pd.DataFrame([{"id_a": a, "id_b": b, "probability": 0.99999, "decision": "match",
                           "kelas": "identik_kecuali_alamat"} for a, b in ((NEW_ID, DPT_ID), (third, DPT_ID))])
    got = _ganda(roll, pairs, ganda.Evidence(REGISTERED | {third: "2026-01"}))
    assert sorted(got["voter_id"]) == [NEW_ID, third]
    assert (got["status"] == proposal.QUEUED).all()
    assert got["alasan"].str.endswith("ganda_lebih_dari_satu_pasangan_dicek").all()


REGENCY = "36.73"
KAWIN = {"B": "BELUM KAWIN", "S": "KAWIN", "P": "CERAI MATI"}


@pytest.fixture(scope="module")
def corrected(tmp_path_factory):
    """Two months of a small regency whose DPT holds one NIK twice under two names; in January
    the civil registry corrects the place of birth of one of the two records."""
    zone = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=6_000, months=2, start="2026-01", seed=5), out_dir=zone)
    truth = pd.read_csv(zone / "truth" / REGENCY / "baseline.csv", dtype=str, keep_default_na=False)
    dpt = pd.read_csv(zone / "baseline" / REGENCY / "dpt.csv", dtype=str, keep_default_na=False).set_index("id")
    copy = truth[truth["ganda_class"] == "nik_sama_nama_beda"].iloc[0]
    x = dpt.loc[copy["ganda_of"]]  # the original record (the copy carries another name)
    born = dt.date.fromisoformat(x["tanggal_lahir"]).strftime("%d-%m-%Y")
    with open(zone / "landing" / REGENCY / "2026-01" / "disdukcapil.csv", "a", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerow([x["nik"], x["nkk"], x["nama"], "KOTA " + x["tempat_lahir"], born,
                                 "LAKI-LAKI" if x["jenis_kelamin"] == "L" else "PEREMPUAN", KAWIN[x["status_kawin"]],
                                 x["alamat"], x["rt"], x["rw"], x["kode_desa"].replace(".", ""),
                                 "PERUBAHAN ELEMEN DATA", "05-01-2026"])
    tmp = tmp_path_factory.mktemp("run")
    settings = Deployment(warehouse_url=f"sqlite:///{tmp / 'warehouse.sqlite'}", landing_dir=zone,
                        output_dir=tmp / "published", regencies=(REGENCY,), start_month="2026-01", polling_day="",
                        snapshot_dir=tmp / "snapshot")
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, "2026-01", "2026-02")
    return Warehouse(url=settings.warehouse_url), copy["ganda_of"], copy["roll_id"], outcomes


def test_a_changed_record_is_deduplicated_again_next_month_and_its_open_pair_not_queued_twice(corrected):
    warehouse, original, copy, outcomes = corrected
    assert all(o.success for o in outcomes), [o.failed_steps for o in outcomes]
    pair = {original, copy}
    # the correction was applied to one of the two records (the linkage's choice), whose new
    # version is valid from January
    changes = warehouse.read("SELECT voter_id FROM perubahan WHERE regency = :r AND month = '2026-01' "
                             "AND rule = 'perbaikan_data'", {"r": REGENCY})
    changed = pair & set(changes["voter_id"])
    assert len(changed) == 1 and changed <= store.versions_from(warehouse, REGENCY, "2026-01")
    pairs = warehouse.read("SELECT month, id_a, id_b, kelas FROM roll_duplicate WHERE regency = :r", {"r": REGENCY})
    february = pairs[pairs["month"] == "2026-02"]
    found = february[[{a, b} == pair for a, b in zip(february["id_a"], february["id_b"])]]
    assert len(found) == 1 and found["kelas"].iloc[0] in ("identik_kecuali_alamat", "nik_sama_nama_beda")
    # January queued the pair for coktas, keeping the record the registry's row named; it is
    # still waiting in February and is not proposed again, by the pair rule or the NIK rule
    proposals = warehouse.read("SELECT month, voter_id, feed_id, status, alasan FROM change_proposal "
                               "WHERE regency = :r AND sub_kategori = 'ganda'", {"r": REGENCY})
    named = proposals[proposals["voter_id"].isin(pair)]
    assert named[["month", "voter_id", "feed_id", "status"]].values.tolist() == [
        ["2026-01", *(pair - changed), *changed, proposal.QUEUED]]
    assert "; bukti_instansi; kelas_nik_sama_nama_beda_dicek" in named["alasan"].iloc[0]
