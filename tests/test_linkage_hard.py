"""The linker on the generator's ``hard`` profile, fault by fault, through the real feed ingest.

The generator's fault model is written independently of the linker (``synth/faults.py`` imports
nothing of ``linkage``); this is a regression guard on our own data, not a quality claim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.linkage import link
from pdpb_lab.bench import link as bench
from pdpb_pipeline.linkage.files import read_link_csv

VOTERS = 60_000


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    work = tmp_path_factory.mktemp("hard")
    info = bench.build_feeds(work, VOTERS, 5, months=3, profile="hard")
    case = info["padded"] if "padded" in info else info["month1"]
    feed, roll = read_link_csv(case["feed_csv"]), read_link_csv(info["roll_csv"])
    truth = pd.read_csv(case["truth_csv"], dtype=str, keep_default_na=False)
    base = pd.read_csv(info["baseline_truth"], dtype=str, keep_default_na=False,
                       usecols=["roll_id", "person_id"])
    result = link(feed, roll)
    return result, bench._judged(result.links, truth, base), feed, roll, base


def test_matches_are_right_and_the_review_queue_stays_small(judged):
    result, j, *_ = judged
    m = j["decision"] == "match"
    assert m.sum() > 200
    assert (j.loc[m, "right"]).mean() >= 0.995
    assert (j["decision"] == "review").mean() <= 0.02


@pytest.mark.parametrize("fault", [
    "nik_household", "nik_missing", "nik_digit_typo", "nik_transposed", "nik_excel_truncated",
    "nik_excel_scientific", "nik_placeholder", "nik_wrong_serial", "name_spelling", "name_title",
    "name_typo", "birthdate_placeholder", "birthdate_digit_typo", "birthdate_year_off",
    "birthdate_blank", "moved_desa", "twin", "namesake"])
def test_each_fault_of_the_hard_profile_is_still_linked_to_the_right_person(judged, fault):
    _, j, *_ = judged
    rows = j[j["noise"].str.split(";").map(lambda ts: fault in ts) & (j["true_roll"] != "")]
    assert len(rows) >= 5, f"{fault}: only {len(rows)} rows on the roll in this case"
    wrong = (rows["decision"] == "match") & ~rows["right"]
    found = (rows["decision"] == "match") & rows["right"]
    assert not wrong.any(), rows[wrong].index.tolist()
    assert found.mean() >= 0.8, (fault, len(rows), found.mean())


def test_a_relatives_nik_never_links_the_row_to_the_nik_holder(judged):
    """Rows carrying another household member's NIK: none is matched to whoever holds that NIK
    on the roll (unless that is the person)."""
    result, j, feed, roll, base = judged
    rows = j[j["noise"].str.split(";").map(lambda ts: "nik_household" in ts)]
    assert len(rows) >= 5
    holder = pd.Series(roll["id"].to_numpy(), index=roll["nik"].astype(str).to_numpy())
    holder = holder[~holder.index.duplicated()]
    nik_of = feed.set_index("id")["nik"].astype(str)
    matched = rows[rows["decision"] == "match"]
    held_by = holder.reindex(nik_of.reindex(matched.index).to_numpy()).to_numpy()
    person = dict(zip(base["roll_id"], base["person_id"]))
    for fid, h, got in zip(matched.index, held_by, matched["roll_id"]):
        if isinstance(h, str) and person.get(h) != j.loc[fid, "person_id"]:
            assert got != h, fid
