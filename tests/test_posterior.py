"""A feed row's probability is its posterior among its candidates: one person is one roll record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.linkage import link

from pdpb_lab import fake

D1 = "32.01.15.2003"


def person(id, nama, lahir, jk, alamat="", rt="", rw="", desa=D1, nik="", nkk=""):
    return dict(id=id, nik=nik, nkk=nkk, nama=nama, tempat_lahir="BOGOR", tanggal_lahir=lahir,
                jenis_kelamin=jk, status_kawin="S", alamat=alamat, rt=rt, rw=rw, kode_desa=desa)


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(11)
    filler = fake.make_roll(5000, rng, [D1, "32.01.22.2005", "32.01.30.2004"])
    special = [
        # two namesakes born the same day in one desa, different addresses
        person("R_DEDI_1", "DEDI KURNIAWAN", "1983-04-21", "L", "KP. PASIR NO. 3", "001", "002",
               nik="3201152104830004"),
        person("R_DEDI_2", "DEDI KURNIAWAN", "1983-04-21", "L", "KP. SUKAMAJU NO. 8", "004", "006",
               nik="3201152104830007"),
        # one woman listed twice in the roll (a ganda pair: same NIK, name and birth date)
        person("R_WATI_A", "SRI WAHYUNI", "1979-09-30", "P", "KP. BABAKAN NO. 1", "003", "001",
               nik="3201157009790002"),
        person("R_WATI_B", "SRI WAHYUNI", "1979-09-30", "P", "JL. MERDEKA NO. 5", "002", "004",
               nik="3201157009790002"),
    ]
    roll = pd.concat([filler, pd.DataFrame(special)], ignore_index=True)
    copies = filler.sample(500, random_state=5).copy()
    copies["id"] = "C_" + copies["id"]
    feed_rows = [
        person("F_DEDI", "DEDI KURNIAWAN", "1983-04-21", "L"),     # which Dedi? no NIK, no address
        person("F_WATI", "SRI WAHYUNI", "1979-09-30", "P", nik="3201157009790002"),
    ]
    feed = pd.concat([copies, pd.DataFrame(feed_rows)], ignore_index=True)
    return link(feed, roll)


def test_a_row_between_two_equally_good_roll_records_is_reviewed_at_half(case):
    row = case.links.set_index("feed_id").loc["F_DEDI"]
    assert row["decision"] == "review"
    assert row["reason"].startswith("ambiguous")
    assert row["probability"] < 0.6
    cands = case.candidates[case.candidates["feed_id"] == "F_DEDI"].set_index("roll_id")["probability"]
    assert cands[["R_DEDI_1", "R_DEDI_2"]].sum() <= 1.0 + 1e-9


def test_two_copies_of_one_person_in_the_roll_are_one_hypothesis(case):
    row = case.links.set_index("feed_id").loc["F_WATI"]
    assert row["decision"] == "match" and row["roll_id"] in ("R_WATI_A", "R_WATI_B")
    assert row["probability"] >= 0.99


def test_the_probabilities_of_one_rows_candidates_never_sum_above_one(case):
    total = case.candidates.groupby("feed_id")["probability"].sum()
    linked = case.links.set_index("feed_id")["probability"]
    # the chosen candidate carries its copies' share too, the others their own
    assert (total.drop(index=["F_WATI"]) <= 1.0 + 1e-9).all()
    assert (linked <= 1.0).all()
