"""No applied removal without positive evidence: every removal rule x every piece of evidence
taken away, and random blanking that never raises the number of applied TMS."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.domain import schema
from pdpb_pipeline.domain.nik import build_nik
from pdpb_pipeline.roll import eligibility, events, proposal, status
from pdpb_pipeline.roll.apply import apply

REFERENCE = dt.date(2026, 1, 31)
REGENCY, MONTH = "32.01", "2026-01"
NO_PAIRS = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])
AGENCY_OF = {"meninggal": "disdukcapil", "pindah_keluar": "disdukcapil", "masuk_tni": "tni_polri",
             "masuk_polri": "tni_polri", "pensiun_tni": "tni_polri", "pensiun_polri": "tni_polri",
             "pencabutan_hak_pilih": "pengadilan"}
REMOVALS = [e for e, r in events.EVENT_RULES.items() if isinstance(r.on_match, tuple) and r.on_match[0] == "tms"]


def _voter(i: int, born=dt.date(1975, 6, 1), sex="P", name="SITI AMINAH") -> dict:
    return {"id": f"DPT-{i:07d}", "nik": build_nik("32.01.04", born, sex, i + 1), "nkk": "", "nama": name,
            "tempat_lahir": "BOGOR", "tanggal_lahir": pd.Timestamp(born), "jenis_kelamin": sex,
            "status_kawin": "S", "alamat": "KP. CIBEBER", "rt": "002", "rw": "005", "kode_desa": "32.01.04.2003"}


def _roll(*voters: dict) -> pd.DataFrame:
    return schema.to_canonical(pd.DataFrame(list(voters)))


def _row(voter: dict, event: str, n: int = 2, **values) -> dict:
    agency = AGENCY_OF.get(event, "disdukcapil")
    return voter | {"id": f"{agency}#{n}", "agency": agency, "file_name": f"{agency}.xlsx", "row_number": n,
                    "nik_status": "valid", "peringatan": "", "extra": "{}", "id_antrean": "", "hasil": "",
                    "jenis_peristiwa": event, "tanggal_peristiwa": pd.Timestamp("2026-01-12")} | values


def _feed(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(_row(_voter(0), "meninggal")))


def _links(feed: pd.DataFrame, roll_ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"feed_id": feed["id"], "roll_id": roll_ids, "probability": 0.9999, "decision": "match"})


def _propose(feed, links, roll, standing=None):
    return proposal.propose(REGENCY, MONTH, REFERENCE, feed, links, roll, NO_PAIRS, pd.DataFrame(), standing=standing)


def _only(proposals: pd.DataFrame, voter_id: str) -> pd.Series:
    mine = proposals[proposals["voter_id"] == voter_id]
    assert len(mine) == 1, mine
    return mine.iloc[0]


# Each way the evidence of a removal on a sure link can be missing, unreadable or contradicted.
GAPS = {
    "nik_kosong_dan_tanggal_lahir_kosong": lambda v: {"nik": "", "nik_status": "kosong", "tanggal_lahir": pd.NaT},
    "nik_placeholder_dan_tanggal_lahir_kosong": lambda v: {"nik": "3333333333333333", "nik_status": "nik_placeholder",
                                                           "tanggal_lahir": pd.NaT},
    "nik_kerabat": lambda v: {"nik": build_nik("32.01.04", dt.date(1950, 2, 2), "L", 9)},  # a relative's NIK
    "nama_orang_lain": lambda v: {"nama": "BAMBANG SUTRISNO"},
    "tanggal_lahir_beda": lambda v: {"tanggal_lahir": pd.Timestamp("1981-06-01")},
    "tanggal_peristiwa_kosong": lambda v: {"tanggal_peristiwa": pd.NaT},
    "tanpa_nik_nama_kosong": lambda v: {"nik": "", "nik_status": "kosong", "nama": ""},
}


@pytest.mark.parametrize("event", REMOVALS)
def test_a_removal_with_all_its_evidence_is_applied(event):
    voter = _voter(1)
    feed = _feed(_row(voter, event))
    row = _only(_propose(feed, _links(feed, [voter["id"]]), _roll(voter)), voter["id"])
    assert (row["kategori"], row["status"]) == ("tms", proposal.APPLIED)


@pytest.mark.parametrize("gap", sorted(GAPS))
@pytest.mark.parametrize("event", REMOVALS)
def test_a_removal_missing_any_evidence_is_queued_with_the_reason(event, gap):
    voter = _voter(1)
    feed = _feed(_row(voter, event, **GAPS[gap](voter)))
    proposals = _propose(feed, _links(feed, [voter["id"]]), _roll(voter))
    row = _only(proposals, voter["id"])
    assert (row["kategori"], row["status"]) == ("tms", proposal.QUEUED)
    assert row["alasan"]  # the field officer sees what is missing
    assert apply(REGENCY, MONTH, _roll(voter), proposals).roll["id"].tolist() == [voter["id"]]


def test_a_voter_without_a_birth_date_is_not_under_age():
    # A DPT row whose date was blank or unreadable, with a placeholder NIK: no evidence of age.
    voter = _voter(1) | {"tanggal_lahir": pd.NaT, "nik": "3333333333333333", "status_kawin": "B"}
    roll = _roll(voter)
    assert not eligibility.under_age(roll, REFERENCE).any()
    proposals = _propose(_feed(), pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"]), roll)
    assert proposals.empty
    assert not eligibility.eligible(roll.assign(status_kawin="B"), REFERENCE).any()  # nor added as a newcomer


@pytest.mark.parametrize(("case", "values", "status_expected", "reason"), [
    ("nik_carries_the_date", {}, proposal.APPLIED, "umur di bawah 17 dan belum kawin"),
    ("placeholder_nik", {"nik": "3333333333333333"}, proposal.QUEUED, "nik_tidak_menguatkan"),
    ("no_nik", {"nik": ""}, proposal.QUEUED, "nik_tidak_menguatkan"),
    ("nik_says_adult", {"nik": build_nik("32.01.04", dt.date(1990, 3, 12), "L", 4)}, proposal.QUEUED,
     "tanggal_lahir_beda_nik"),
    ("nik_says_another_child_date", {"nik": build_nik("32.01.04", dt.date(2011, 3, 12), "L", 4)}, proposal.QUEUED,
     "tanggal_lahir_beda_nik"),
])
def test_the_under_age_rule_applies_only_on_a_date_the_nik_carries(case, values, status_expected, reason):
    child = _voter(2, born=dt.date(2010, 3, 12), sex="L", name="RIZKY") | {"status_kawin": "B"}
    child = child | values
    proposals = _propose(_feed(), pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"]),
                         _roll(child))
    row = _only(proposals, child["id"])
    assert (row["sub_kategori"], row["status"], row["alasan"]) == ("di_bawah_umur", status_expected, reason)


def test_the_blocking_check_counts_only_voters_known_to_be_under_age():
    from pdpb_pipeline.assets.roll import recap_checks

    roll = _roll(_voter(1) | {"tanggal_lahir": pd.NaT, "status_kawin": "B"},
                 _voter(2, born=dt.date(2012, 1, 1)) | {"status_kawin": "B"})
    recap_desa = pd.DataFrame({"selisih": [0]})
    checks = {c.check_name: c for c in recap_checks(recap_desa, roll, set(), REFERENCE)}
    assert checks["semua_memenuhi_syarat"].metadata["tidak_memenuhi_syarat"].value == 1


def _month(rng: np.random.Generator, size: int = 60):
    """A realistic small month: adults, some children on the roll, and agency removals of a third
    of the voters on sure links (deaths, moves, enlistments)."""
    voters, rows, linked = [], [], []
    for i in range(size):
        child = i % 7 == 0
        born = dt.date(2010, 1 + i % 12, 1 + i % 27) if child else dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 27)
        voter = _voter(i, born=born, sex="LP"[i % 2], name=f"WARGA {chr(65 + i % 26)}{chr(65 + i // 26)} NUGRAHA")
        voters.append(voter | {"status_kawin": "B" if child else "S"})
        if not child and i % 3 == 0:
            rows.append(_row(voter, REMOVALS[i % len(REMOVALS)], n=len(rows) + 2))
            linked.append(voter["id"])
    feed = _feed(*rows)
    return _roll(*voters), feed, _links(feed, linked)


def _blank(frame: pd.DataFrame, rng: np.random.Generator, fields: list[str], share: float) -> pd.DataFrame:
    out = frame.copy()
    for name in fields:
        hit = rng.random(len(out)) < share
        if name in ("tanggal_lahir", "tanggal_peristiwa"):
            out.loc[hit, name] = pd.NaT
        elif name == "nik":
            out.loc[hit, name] = ""
            if "nik_status" in out.columns:
                out.loc[hit, "nik_status"] = "kosong"
        else:
            out.loc[hit, name] = ""
    return out


def _applied_tms(proposals: pd.DataFrame) -> set[str]:
    return set(proposals.loc[(proposals["kategori"] == "tms") & (proposals["status"] == proposal.APPLIED), "voter_id"])


@pytest.mark.parametrize("seed", range(25))
def test_taking_evidence_away_never_removes_more_voters(seed):
    rng = np.random.default_rng(seed)
    roll, feed, links = _month(rng)
    before = _applied_tms(_propose(feed, links, roll))
    assert before  # the month removes somebody on full evidence
    share = rng.uniform(0.1, 0.6)
    thin_roll = _blank(roll, rng, ["tanggal_lahir", "nik", "nama"], share)
    thin_feed = _blank(feed, rng, ["tanggal_lahir", "nik", "nama", "tanggal_peristiwa"], share)
    after = _applied_tms(_propose(thin_feed, links, thin_roll))
    assert after <= before
    # and nobody is removed whose evidence (events.EVIDENCE) was blanked: a child whose NIK or
    # birth date is gone, a voter whose agency row lost its event date, or whose NIK is gone on
    # either side while the name or the birth date is gone too
    records = thin_roll.set_index("id")
    children = (roll["status_kawin"] == "B").to_numpy()
    lost_age = set(thin_roll.loc[children & ((thin_roll["nik"] == "") | thin_roll["tanggal_lahir"].isna()).to_numpy(),
                                 "id"])
    lost_exit = set()
    for row, voter_id in zip(thin_feed.itertuples(index=False), links["roll_id"]):
        record = records.loc[voter_id]
        no_nik = row.nik == "" or record["nik"] == ""
        no_name_or_date = "" in (row.nama, record["nama"]) or pd.isna(row.tanggal_lahir) or pd.isna(record["tanggal_lahir"])
        if pd.isna(row.tanggal_peristiwa) or (no_nik and no_name_or_date):
            lost_exit.add(voter_id)
    assert not (after & (lost_age | lost_exit))
    assert after  # with evidence left, removals still happen (the test is not vacuous)


# --- standing: TNI/Polri membership and a court's removal of the right to vote ------------------

def _standing(feed: pd.DataFrame, earlier: pd.DataFrame | None = None, month: str = MONTH) -> pd.DataFrame:
    earlier = earlier if earlier is not None else pd.DataFrame(columns=["month", *status.COLUMNS])
    return status.standing(earlier, status.month_rows(feed), month)


def test_an_enlisted_member_not_on_the_roll_is_refused_as_a_new_voter_until_retirement():
    soldier = _voter(5, born=dt.date(2003, 4, 4), sex="L", name="DIMAS PRAKOSO")
    january = _feed(_row(soldier, "masuk_tni"))
    held = status.month_rows(january).assign(month="2026-01")
    assert held[["jenis", "aktif", "agency"]].values.tolist() == [["tni_polri", True, "tni_polri"]]
    # February: the village list names him; the addition is refused with the reason.
    village = _feed(_row(soldier, "daftar_pemilih_desa") | {"agency": "dpmd", "file_name": "dpmd.xlsx", "id": "dpmd#2"})
    proposals = proposal.propose(REGENCY, "2026-02", dt.date(2026, 2, 28), village,
                              pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"]),
                              _roll(_voter(1)), NO_PAIRS, pd.DataFrame(), standing=_standing(village, held, "2026-02"))
    row = proposals.iloc[0]
    assert (row["kategori"], row["status"], row["alasan"]) == ("pemilih_baru", proposal.NO_CHANGE, "anggota_tni_polri_aktif")
    # March: TNI reports his discharge; he is a voter again.
    retired = _feed(_row(soldier, "pensiun_tni", tanggal_peristiwa=pd.Timestamp("2026-03-02")))
    proposals = proposal.propose(REGENCY, "2026-03", dt.date(2026, 3, 31), retired,
                              pd.DataFrame(columns=["feed_id", "roll_id", "probability", "decision"]),
                              _roll(_voter(1)), NO_PAIRS, pd.DataFrame(), standing=_standing(retired, held, "2026-03"))
    row = proposals.iloc[0]
    assert (row["sub_kategori"], row["status"]) == ("tni_polri_ke_sipil", proposal.APPLIED)


def test_only_the_legal_source_and_a_usable_nik_set_a_bar():
    soldier = _voter(5, born=dt.date(2003, 4, 4), sex="L", name="DIMAS PRAKOSO")
    hearsay = _row(soldier, "masuk_tni") | {"agency": "perumahan", "file_name": "perumahan.csv", "id": "perumahan#2"}
    placeholder = _row(soldier, "masuk_tni", n=3, nik="3333333333333333")
    assert status.month_rows(_feed(hearsay, placeholder)).empty


def test_a_court_removal_removes_a_voter_and_bars_until_its_end_date():
    voter = _voter(3, name="HENDRA GUNAWAN", sex="L", born=dt.date(1979, 9, 9))
    court = _feed(_row(voter, "pencabutan_hak_pilih", extra='{"berlaku_sampai": "31-12-2027"}'))
    proposals = _propose(court, _links(court, [voter["id"]]), _roll(voter))
    row = _only(proposals, voter["id"])
    assert (row["sub_kategori"], row["status"]) == ("dicabut_hak_pilih", proposal.APPLIED)
    assert apply(REGENCY, MONTH, _roll(voter), proposals).roll.empty
    held = status.month_rows(court)
    assert held["berlaku_sampai"].iloc[0] == pd.Timestamp("2027-12-31")
    current = status.standing(pd.DataFrame(columns=["month", *status.COLUMNS]), held, MONTH)
    assert status.bars(current, dt.date(2027, 6, 30)) == {voter["nik"]: "hak_pilih_dicabut"}
    assert status.bars(current, dt.date(2028, 1, 31)) == {}  # the decision's term is over


def test_standing_is_kept_in_the_warehouse_month_by_month(sqlite_url):
    from pdpb_pipeline.partitions import Partition
    from pdpb_pipeline.resources.warehouse import Warehouse

    warehouse = Warehouse(url=sqlite_url)
    soldier = _voter(5, born=dt.date(2003, 4, 4), sex="L", name="DIMAS PRAKOSO")
    rows = status.month_rows(_feed(_row(soldier, "masuk_polri")))
    warehouse.replace(status.TABLE, {"regency": REGENCY, "month": "2026-01"}, rows)
    assert warehouse.standing_before(Partition(REGENCY, "2026-01")).empty  # a month never sees its own rows twice
    earlier = warehouse.standing_before(Partition(REGENCY, "2026-02"))
    assert earlier[["nik", "jenis", "aktif"]].values.tolist() == [[soldier["nik"], "tni_polri", True]]


# --- what a sure match of the other events does ---------------------------------------------------

def test_a_returning_migrant_worker_on_the_roll_gets_the_address_he_came_back_to():
    voter = _voter(7, name="SUPRIYADI", sex="L", born=dt.date(1988, 8, 8))
    home = _row(voter, "pmi_pulang", alamat="KP. SUKAMAJU", rt="004", rw="001", kode_desa="32.01.04.2005") | {
        "agency": "bp2mi", "file_name": "bp2mi.xlsx", "id": "bp2mi#2"}
    feed = _feed(home)
    row = _only(_propose(feed, _links(feed, [voter["id"]]), _roll(voter)), voter["id"])
    assert (row["sub_kategori"], row["status"], row["kode_desa"]) == ("ubah_alamat", proposal.APPLIED, "32.01.04.2005")


def test_a_first_time_voter_already_on_the_roll_changes_nothing():
    voter = _voter(8, name="NAYLA PUTRI", born=dt.date(2009, 1, 20)) | {"status_kawin": "B"}
    feed = _feed(_row(voter, "pemilih_pemula"))
    proposals = _propose(feed, _links(feed, [voter["id"]]), _roll(voter))
    assert proposals.empty


# --- through Dagster: a court file and a TNI enlistment, then a village list a month later ------

def test_bars_set_in_one_month_refuse_a_village_list_addition_the_next(tmp_path, sqlite_url):
    from dagster import DagsterInstance
    from pdpb_pipeline.resources.warehouse import Warehouse
    from pdpb_pipeline.cli.runner import run_regency
    from tests.deployment import Deployment

    from .feedfiles import write_csv

    voters = [_voter(i, born=dt.date(1970 + i, 1 + i % 12, 3), sex="LP"[i % 2], name=f"WARGA {chr(65 + i)} SANTOSO")
              for i in range(12)]
    root = tmp_path / "landing"
    (root / "baseline" / REGENCY).mkdir(parents=True)
    schema.write_person_csv(pd.DataFrame(voters), root / "baseline" / REGENCY / "dpt.csv")
    soldier = build_nik("32.01.04", dt.date(2004, 7, 7), "L", 77)
    jan, feb = root / "landing" / REGENCY / "2026-01", root / "landing" / REGENCY / "2026-02"
    write_csv(jan / "tni_polri.csv", ["NIK", "NAMA", "TGL LAHIR", "JK", "JENIS", "TMT"],
              [[soldier, "YOGA PRATAMA", "07-07-2004", "L", "PENERIMAAN PRAJURIT TNI", "05-01-2026"]])
    court = voters[3]
    write_csv(jan / "pengadilan.csv", ["NIK", "NAMA", "TGL LAHIR", "JK", "AMAR PUTUSAN", "TGL PUTUSAN", "BERLAKU SAMPAI"],
              [[court["nik"], court["nama"], court["tanggal_lahir"].strftime("%d-%m-%Y"), court["jenis_kelamin"],
                "PENCABUTAN HAK MEMILIH", "14-01-2026", "14-01-2031"]])
    write_csv(feb / "dpmd.csv", ["NIK", "NAMA", "TGL LAHIR", "JK", "STATUS", "ALAMAT", "RT", "RW", "KODE DESA"],
              [[soldier, "YOGA PRATAMA", "07-07-2004", "L", "B", "KP. CIBEBER", "2", "5", "32.01.04.2003"],
               [court["nik"], court["nama"], court["tanggal_lahir"].strftime("%d-%m-%Y"), court["jenis_kelamin"], "S",
                "KP. CIBEBER", "2", "5", "32.01.04.2003"]])
    settings = Deployment(warehouse_url=sqlite_url, landing_dir=root, output_dir=tmp_path / "out", regencies=(REGENCY,),
                        start_month="2026-01", polling_day="")
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, "2026-01", "2026-02")
    assert all(o.success for o in outcomes), [o.failed_steps or o.failed_checks for o in outcomes]
    wh = Warehouse(url=sqlite_url)
    removed = wh.read("SELECT voter_id, sub_kategori, agency FROM perubahan WHERE kategori = 'tms'")
    assert removed.values.tolist() == [[court["id"], "dicabut_hak_pilih", "pengadilan"]]
    kept = wh.read("SELECT jenis, aktif, berlaku_sampai FROM status_pemilih ORDER BY jenis")
    assert kept["jenis"].tolist() == ["hak_pilih", "tni_polri"]
    assert str(kept["berlaku_sampai"].iloc[0])[:10] == "2031-01-14"
    february = wh.read("SELECT status, alasan FROM change_proposal WHERE month = '2026-02' AND agency = 'dpmd' "
                       "ORDER BY alasan")
    assert february.values.tolist() == [[proposal.NO_CHANGE, "anggota_tni_polri_aktif"], [proposal.NO_CHANGE, "hak_pilih_dicabut"]]


# --- a migrant worker marked abroad -----------------------------------------------------------------

def _abroad(voter: dict, since=pd.Timestamp("2025-11-03")) -> pd.DataFrame:
    """The standing of ``voter`` marked abroad by BP2MI in an earlier month."""
    left = _feed(_row(voter, "pmi_berangkat", tanggal_peristiwa=since) | {
        "agency": "bp2mi", "file_name": "bp2mi.xlsx", "id": "bp2mi#2", "extra": '{"negara": "MALAYSIA"}'})
    return status.standing(status.month_rows(left).assign(month="2025-11"), pd.DataFrame(), MONTH)


@pytest.mark.parametrize("gap", [None, *sorted(GAPS)])
@pytest.mark.parametrize("event", REMOVALS)
def test_a_voter_marked_abroad_is_never_removed_by_another_agency_whatever_its_evidence(event, gap):
    voter = _voter(1)
    feed = _feed(_row(voter, event, **(GAPS[gap](voter) if gap else {})))
    proposals = _propose(feed, _links(feed, [voter["id"]]), _roll(voter), standing=_abroad(voter))
    row = _only(proposals, voter["id"])
    assert (row["kategori"], row["status"]) == ("tms", proposal.QUEUED)
    if gap is None:  # complete evidence: held only because the person is recorded abroad
        assert row["alasan"] == events.ABROAD_REASON
    assert apply(REGENCY, MONTH, _roll(voter), proposals).roll["id"].tolist() == [voter["id"]]


def test_a_death_without_its_date_is_held_for_a_voter_abroad_even_though_it_might_predate_the_departure():
    voter = _voter(1)
    feed = _feed(_row(voter, "meninggal", tanggal_peristiwa=pd.NaT))
    row = _only(_propose(feed, _links(feed, [voter["id"]]), _roll(voter), standing=_abroad(voter)), voter["id"])
    assert row["status"] == proposal.QUEUED
    assert row["alasan"].split(";")[0] == events.ABROAD_REASON


def test_a_return_naming_no_desa_leaves_the_voter_where_the_roll_has_them():
    voter = _voter(7, name="SUPRIYADI", sex="L", born=dt.date(1988, 8, 8))
    home = _row(voter, "pmi_pulang", alamat="", rt="", rw="", kode_desa="") | {
        "agency": "bp2mi", "file_name": "bp2mi.xlsx", "id": "bp2mi#2"}
    feed = _feed(home)
    proposals = _propose(feed, _links(feed, [voter["id"]]), _roll(voter), standing=_abroad(voter))
    assert not ((proposals["voter_id"] == voter["id"]) & (proposals["status"] == proposal.APPLIED)).any()
    after = apply(REGENCY, MONTH, _roll(voter), proposals).roll
    assert after[["id", "kode_desa", "alamat"]].values.tolist() == [[voter["id"], voter["kode_desa"], voter["alamat"]]]


@pytest.mark.parametrize("nik", ["", "typo"], ids=["tanpa_nik", "nik_salah_ketik"])
def test_a_change_for_a_voter_abroad_is_held_when_the_row_names_them_without_their_nik(nik):
    """The roll's voter the row was linked to is abroad, whatever NIK the row carries: a move
    reported under the name and birth date alone (or a mistyped NIK) is held all the same."""
    voter = _voter(1)
    other = build_nik("32.01.04", dt.date(1975, 6, 1), "P", 90) if nik else ""
    feed = _feed(_row(voter, "pindah_dalam", nik=other, nik_status="valid" if nik else "kosong",
                      alamat="JL. MAWAR 5", rt="001", rw="001"))
    row = _only(_propose(feed, _links(feed, [voter["id"]]), _roll(voter), standing=_abroad(voter)), voter["id"])
    assert row["status"] == proposal.QUEUED
    assert row["alasan"].split(";")[0] == events.ABROAD_REASON


KEEPS_THE_VOTE = [e for e, r in events.EVENT_RULES.items() if r.on_match is None and r.on_new is None and not r.marks]


@pytest.mark.parametrize("gap", [None, *sorted(GAPS)])
@pytest.mark.parametrize("event", KEEPS_THE_VOTE)
def test_a_prison_row_never_changes_the_roll_whatever_its_evidence(event, gap):
    """Intake, release and a full roster row (``penghuni_lapas``) keep the inmate's vote: on a
    sure link, with every piece of evidence or with one blank or contradicted, nothing is
    applied and the roll is as it was."""
    voter = _voter(1)
    feed = _feed(_row(voter, event, **(GAPS[gap](voter) if gap else {})) | {"agency": "lapas", "file_name": "lapas.xlsx"})
    proposals = _propose(feed, _links(feed, [voter["id"]]), _roll(voter))
    assert not (proposals["status"] == proposal.APPLIED).any(), proposals
    after = apply(REGENCY, MONTH, _roll(voter), proposals).roll
    assert after.drop(columns=[c for c in after.columns if c not in _roll(voter).columns]).equals(_roll(voter))
