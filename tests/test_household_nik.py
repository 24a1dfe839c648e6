"""NIK evidence that means what it says: a relative's NIK, Excel's damage, twins, per-agency
reliability, and thresholds chosen from the probabilities and the review budget.

Hand-built families inside a generated roll (``pdpb_lab.fake``), so EM sees a realistic mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.linkage import LinkConfig, link
from pdpb_pipeline.linkage.compare import BY_NAME, nik_levels
from pdpb_pipeline.linkage.prepare import prepare

from pdpb_lab import fake

from .test_linkage import _decision  # noqa: E402

D1, D2 = "32.01.15.2003", "32.01.22.2005"
NKK = "3201150202150011"
HEAD_NIK = "3201150407680002"


def person(id, nik, nkk, nama, lahir, jk, alamat="JL. MELATI NO. 21", rt="004", rw="006", desa=D1,
           agency=""):
    return dict(id=id, nik=nik, nkk=nkk, nama=nama, tempat_lahir="BOGOR", tanggal_lahir=lahir,
                jenis_kelamin=jk, status_kawin="", alamat=alamat, rt=rt, rw=rw, kode_desa=desa,
                agency=agency)


FAMILY = [
    person("R_KEPALA", HEAD_NIK, NKK, "WAHYU HIDAYAT", "1968-07-04", "L"),
    person("R_ISTRI", "3201155011720001", NKK, "SRI MULYANI", "1972-11-10", "P"),
    person("R_ANAK", "3201152303950003", NKK, "DIMAS PRATAMA", "1995-03-23", "L"),
    person("R_ANAK2", "3201156108980001", NKK, "PUTRI RAHAYU", "1998-08-21", "P"),
    # a boy whose NIK the roll holds in full; his feed copies come damaged by Excel
    person("R_EXCEL", "3201151709870013", "3201150202150012", "ILHAM NUGRAHA", "1987-09-17", "L",
           "KP. PASIR NO. 3", "002", "001"),
    person("R_SCI", "3201150112810007", "3201150202150013", "HERU KURNIAWAN", "1981-12-01", "L",
           "KP. BABAKAN NO. 8", "003", "002"),
]

FEED = [
    # the family head's NIK typed for his wife (with the family card and the address)
    person("F_ISTRI", HEAD_NIK, NKK, "SRI MULYANI", "1972-11-10", "P"),
    # ... and for a son, by an agency that gives neither NKK nor address
    person("F_ANAK", HEAD_NIK, "", "DIMAS PRATAMA", "1995-03-23", "L", "", "", ""),
    # a new 17-year-old, not on the roll, carrying the father's NIK
    person("F_PEMULA", HEAD_NIK, NKK, "RIZKI HIDAYAT", "2009-05-02", "L"),
    # the head's NIK used by a stranger elsewhere (another desa, no family card): one NIK, two people
    person("F_DIPAKAI", HEAD_NIK, "", "YULI ANDRIANI", "1991-01-30", "P", "PERUM GRIYA ASRI BLOK A NO. 2",
           "001", "009", D2),
    # Excel kept 15 significant digits
    person("F_EXCEL", "3201151709870010", "", "ILHAM NUGRAHA", "1987-09-17", "L", "KP. PASIR NO. 3",
           "002", "001"),
    # Excel's scientific notation, as typed and as the feed cleaner leaves it
    person("F_SCI", "3.20115E+15", "", "HERU KURNIAWAN", "1981-12-01", "L", "KP. BABAKAN NO. 8",
           "003", "002"),
    person("F_SCI2", "320115E+15", "", "HERU KURNIAWAN", "1981-12-01", "L", "KP. BABAKAN NO. 8",
           "003", "002"),
]


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(5)
    filler = fake.make_roll(5000, rng, [D1, D2])
    roll = pd.concat([filler, pd.DataFrame(FAMILY).drop(columns="agency")], ignore_index=True)
    copies = filler.sample(700, random_state=2).copy()
    copies["id"] = "C_" + copies["id"]
    feed = pd.concat([copies, pd.DataFrame(FEED)], ignore_index=True)
    return feed, roll, link(feed, roll)


def test_head_nik_typed_for_the_wife_finds_the_wife(case):
    _, _, result = case
    roll_id, decision = _decision(result, "F_ISTRI")
    assert (roll_id, decision) == ("R_ISTRI", "match"), result.explain("F_ISTRI")
    assert "milik_anggota_keluarga" in result.explain("F_ISTRI")


def test_head_nik_typed_for_a_son_without_family_card_finds_the_son(case):
    _, _, result = case
    roll_id, decision = _decision(result, "F_ANAK")
    assert roll_id == "R_ANAK", result.explain("F_ANAK")
    assert decision == "match", result.explain("F_ANAK")


def test_the_nik_holder_never_gets_a_relatives_row(case):
    _, _, result = case
    links = result.links
    wrong = links[(links["roll_id"] == "R_KEPALA") & (links["decision"] == "match")]
    assert wrong.empty, wrong[["feed_id", "reason"]]


def test_new_17_year_old_with_the_fathers_nik_is_never_matched_to_him(case):
    _, _, result = case
    roll_id, decision = _decision(result, "F_PEMULA")
    assert decision != "match", result.explain("F_PEMULA")


def test_one_nik_used_by_two_people_stays_reviewable(case):
    _, _, result = case
    roll_id, decision = _decision(result, "F_DIPAKAI")
    assert (roll_id, decision) == ("R_KEPALA", "review"), result.explain("F_DIPAKAI")
    s = result.scored   # capped at review by the misuse rule, whatever else holds
    pair = np.flatnonzero((result.rec.ids[s.pairs.a] == "F_DIPAKAI") & (result.rec.ids[s.pairs.b] == "R_KEPALA"))
    assert "used by two people" in s.capped[pair[0]]


def test_excel_truncated_nik_is_its_own_level_and_matched(case):
    _, _, result = case
    assert _decision(result, "F_EXCEL") == ("R_EXCEL", "match"), result.explain("F_EXCEL")
    row = result.links.set_index("feed_id").loc["F_EXCEL"]
    assert row["nik_level"] == "excel_terpotong"


@pytest.mark.parametrize("feed_id", ["F_SCI", "F_SCI2"])
def test_scientific_notation_nik_is_no_evidence(case, feed_id):
    _, _, result = case
    row = result.links.set_index("feed_id").loc[feed_id]
    assert row["nik_level"] == "kosong" and row["nik_weight"] == 0
    assert (row["roll_id"], row["decision"]) == ("R_SCI", "match"), result.explain(feed_id)


def _nik_level_names(feed_niks, roll_niks, feed_sex="", roll_sex=""):
    a = pd.DataFrame({"id": [f"a{i}" for i in range(len(feed_niks))], "nik": feed_niks,
                      "jenis_kelamin": feed_sex or [""] * len(feed_niks)})
    b = pd.DataFrame({"id": [f"b{i}" for i in range(len(roll_niks))], "nik": roll_niks,
                      "jenis_kelamin": roll_sex or [""] * len(roll_niks)})
    rec = prepare([a, b], tf_rows=slice(len(a), None))
    n = len(a)
    lv = nik_levels(rec, np.arange(n), np.arange(n, 2 * n))
    return [BY_NAME["nik"].levels[i] for i in lv]


def test_opposite_sex_twin_is_not_scored_as_a_typo():
    # a boy born 5 Aug 2001 and his twin sister (day + 40), consecutive serials or the same one
    names = _nik_level_names(["3201154508010002", "3201154508010001"],
                             ["3201150508010001", "3201150508010001"], ["P", "P"], ["L", "L"])
    assert names == ["kembar_beda_kelamin", "kembar_beda_kelamin"]


def test_typos_in_every_part_stay_one_digit_wrong():
    roll = "3201150508010021"
    names = _nik_level_names(
        ["3201160508010021",    # region digit
         "3201150608010021",    # birth day digit
         "3201150508010012",    # serial: two neighbouring digits swapped
         "3201510508010021",    # region: two neighbouring digits swapped
         "3201150508100021"],   # birth year: swapped
        [roll] * 5, ["L"] * 5, ["L"] * 5)
    assert names == ["salah_satu_digit"] * 5
    # the day's tens digit typed 4 higher with the same sex on both sides is a typo, not a twin
    assert _nik_level_names(["3201154508010021"], [roll], ["L"], ["L"]) == ["salah_satu_digit"]


def test_nik_reliability_is_estimated_per_agency():
    rng = np.random.default_rng(9)
    roll = fake.make_roll(6000, rng, [D1, D2])
    feed = roll.sample(1600, random_state=4).copy().reset_index(drop=True)
    feed["id"] = "F" + feed.index.astype(str)
    feed["agency"] = np.where(feed.index % 2 == 0, "disdukcapil", "pemdes")
    noisy = np.flatnonzero((feed["agency"] == "pemdes").to_numpy() & (rng.random(len(feed)) < 0.45))
    other = roll["nik"].sample(len(noisy), random_state=1).to_numpy()   # another person's NIK
    feed.loc[noisy, "nik"] = other
    result = link(feed, roll)
    table = pd.DataFrame(result.model.table())
    nik = table[(table["comparison"] == "nik") & (table["level"] == "sama")].set_index("agency")
    assert {"disdukcapil", "pemdes"} <= set(nik.index)
    assert nik.loc["pemdes", "m"] < nik.loc["disdukcapil", "m"] - 0.1
    # a village list whose NIK is often someone else's: its NIK agreement weighs less
    assert nik.loc["pemdes", "u"] > nik.loc["disdukcapil", "u"]
    assert nik.loc["pemdes", "weight"] < nik.loc["disdukcapil", "weight"] - 3
    # the weights the pairs carry are their agency's
    links = result.links.set_index("feed_id")
    same = links[links["nik_level"] == "sama"]
    by_agency = same.groupby(feed.set_index("id")["agency"].reindex(same.index))["nik_weight"].first()
    assert by_agency["pemdes"] < by_agency["disdukcapil"]
    assert "NIK weights of source 'pemdes'" in result.explain(feed.loc[1, "id"])


def test_thresholds_respond_to_the_review_budget(case):
    feed, roll, result = case
    assert result.thresholds["upper_source"] == "chosen"
    assert 0.9 <= result.thresholds["upper"] < 1.0
    tight = link(feed, roll, LinkConfig(review_budget=0.0, lower_floor=0.01))
    loose = link(feed, roll, LinkConfig(review_budget=0.5, lower_floor=0.01))
    n_tight = int((tight.links["decision"] == "review").sum())
    n_loose = int((loose.links["decision"] == "review").sum())
    assert n_tight == 0
    assert n_loose > n_tight
    assert n_loose <= 0.5 * len(feed)
    assert tight.thresholds["lower"] > loose.thresholds["lower"]
    # an explicit threshold overrides the choice
    fixed = link(feed, roll, LinkConfig(upper=0.999, lower=0.3))
    assert (fixed.thresholds["upper"], fixed.thresholds["lower"]) == (0.999, 0.3)


def test_one_person_reported_twice_once_with_a_relatives_nik_is_matched_both_times():
    """The civil registry sends the daughter with her own NIK, the housing office the same
    month with her father's: one person, both rows hers (neither is demoted as a rival claim)."""
    rng = np.random.default_rng(8)
    filler = fake.make_roll(5000, rng, [D1, D2])
    roll = pd.concat([filler, pd.DataFrame(FAMILY).drop(columns="agency")], ignore_index=True)
    copies = filler.sample(700, random_state=4).copy()
    copies["id"] = "C_" + copies["id"]
    twice = [person("F_PUTRI_DUKCAPIL", "3201156108980001", NKK, "PUTRI RAHAYU", "1998-08-21", "P",
                    agency="disdukcapil"),
             person("F_PUTRI_RUMAH", HEAD_NIK, "", "PUTRI RAHAYU", "1998-08-21", "P", agency="perumahan")]
    result = link(pd.concat([copies, pd.DataFrame(twice)], ignore_index=True), roll)
    for fid in ("F_PUTRI_DUKCAPIL", "F_PUTRI_RUMAH"):
        assert _decision(result, fid) == ("R_ANAK2", "match"), result.explain(fid)


@pytest.mark.parametrize("second", [
    # the housing office typed the NIK of a child of the family who is not on the roll (12 years old)
    person("F_ISTRI_RUMAH", "3201150911140002", NKK, "SRI MULYANI", "1972-11-10", "P", agency="perumahan"),
    # ... or left her birth date blank and typed one digit of her NIK wrong
    person("F_ISTRI_RUMAH", "3201155011720007", NKK, "SRI MULYANI", "", "P", agency="perumahan"),
])
def test_a_second_row_of_the_same_person_from_her_household_is_no_rival_claim(second):
    rng = np.random.default_rng(9)
    filler = fake.make_roll(5000, rng, [D1, D2])
    roll = pd.concat([filler, pd.DataFrame(FAMILY).drop(columns="agency")], ignore_index=True)
    copies = filler.sample(700, random_state=6).copy()
    copies["id"] = "C_" + copies["id"]
    own = person("F_ISTRI_DUKCAPIL", "3201155011720001", NKK, "SRI MULYANI", "1972-11-10", "P",
                 agency="disdukcapil")
    result = link(pd.concat([copies, pd.DataFrame([own, second])], ignore_index=True), roll)
    for fid in ("F_ISTRI_DUKCAPIL", "F_ISTRI_RUMAH"):
        assert _decision(result, fid) == ("R_ISTRI", "match"), result.explain(fid)
