"""The vectorised paths of the monthly roll step give the answers of their plain definitions.

Each fast path (date arithmetic for ages, hashed duplicate search, sorted merge of the new roll,
bincount recap) is compared with the straightforward pandas formulation it replaced, on random
data and on the edge cases (NaT, 29 February, unsorted rolls, keys missing).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.domain import schema
from pdpb_pipeline.roll import eligibility, proposal, recap
from pdpb_pipeline.roll.apply import apply

REFERENCES = [dt.date(2028, 2, 29), dt.date(2026, 2, 28), dt.date(2026, 1, 31), dt.date(2024, 3, 1), dt.date(1990, 6, 15)]


def _plain_age(born: pd.Series, day: dt.date) -> pd.Series:
    born = pd.to_datetime(born)
    before = (born.dt.month > day.month) | ((born.dt.month == day.month) & (born.dt.day > day.day))
    return (day.year - born.dt.year) - before.astype(float)


def _plain_eligible(frame: pd.DataFrame, day: dt.date) -> pd.Series:
    return (_plain_age(frame["tanggal_lahir"], day) >= 17) | frame["status_kawin"].isin(["S", "P"])


def _births(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    low, high = np.datetime64("1700-01-01", "ns").astype("int64"), np.datetime64("2030-01-01", "ns").astype("int64")
    born = pd.Series(rng.integers(low, high, n).astype("datetime64[ns]"), index=np.arange(n) * 2, name="tanggal_lahir")
    born.iloc[::37] = pd.NaT
    return born


@pytest.mark.parametrize("day", REFERENCES)
def test_age_and_eligibility_match_the_calendar_definition(day):
    born = _births(20_000, 1)
    around = pd.Series(pd.to_datetime([dt.date(day.year - 17, 1, 1) + dt.timedelta(days=i) for i in range(800)]))
    status = pd.Series(np.random.default_rng(2).choice(["B", "S", "P", ""], len(born)), index=born.index)
    for dates, marital in ((born, status), (around, pd.Series("B", index=around.index))):
        pd.testing.assert_series_equal(eligibility.age_on(dates, day), _plain_age(dates, day))
        frame = pd.DataFrame({"tanggal_lahir": dates, "status_kawin": marital})
        pd.testing.assert_series_equal(eligibility.eligible(frame, day), _plain_eligible(frame, day))
    for born_on in around.iloc[::3]:
        person = {"tanggal_lahir": born_on, "status_kawin": "B"}
        assert eligibility.eligible_one(person, day) == bool(_plain_eligible(pd.DataFrame([person]), day).iloc[0])


def test_age_and_eligibility_of_text_and_zoned_dates():
    day = dt.date(2026, 2, 28)
    for dates in (pd.Series(["2009-02-28", None, "2009-03-01"]), pd.Series([], dtype="datetime64[ns]"),
                  pd.Series(pd.to_datetime(["2009-02-28 23:00", "2009-03-01 00:00"]).tz_localize("Asia/Jakarta"))):
        pd.testing.assert_series_equal(eligibility.age_on(dates, day), _plain_age(dates, day))
        frame = pd.DataFrame({"tanggal_lahir": dates, "status_kawin": ["B"] * len(dates)})
        pd.testing.assert_series_equal(eligibility.eligible(frame, day), _plain_eligible(frame, day))
    for person in ({"tanggal_lahir": pd.NaT, "status_kawin": "S"}, {"tanggal_lahir": None, "status_kawin": "B"},
                   {"tanggal_lahir": "2001-01-01", "status_kawin": "B"},
                   {"tanggal_lahir": pd.Timestamp("2009-03-01"), "status_kawin": np.nan}):
        assert eligibility.eligible_one(person, day) == bool(_plain_eligible(pd.DataFrame([person]), day).iloc[0])


def test_stands_twice_is_duplicated_keep_false():
    rng = np.random.default_rng(3)
    niks = [f"{n:016d}" for n in rng.integers(0, 15_000, 30_000)] + ["", "", "3333333333333333"]
    values = pd.Series(niks, index=np.arange(len(niks))[::-1])
    assert (eligibility.stands_twice(values) == values.duplicated(keep=False).to_numpy()).all()
    mixed = pd.Series(niks[:15_000] + [np.nan, None, 1, 1.0] * 100)
    assert (eligibility.stands_twice(mixed) == mixed.duplicated(keep=False).to_numpy()).all()


def _roll(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return schema.to_canonical(pd.DataFrame({
        "id": [f"DPT-32.01-{i:07d}" for i in sorted(rng.choice(10 * n, n, replace=False))],
        "nik": [f"3201{i:012d}" for i in rng.integers(0, 10**12, n)], "nkk": "", "nama": "NAMA",
        "tempat_lahir": "BOGOR", "tanggal_lahir": pd.Timestamp("1990-01-01"), "jenis_kelamin": rng.choice(["L", "P"], n),
        "status_kawin": "B", "alamat": "KP. A", "rt": "001", "rw": "002",
        "kode_desa": rng.choice(["32.01.01.2001", "32.01.01.2002", "32.01.02.1001"], n),
    }))


def _proposals(roll: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    picked = roll.sample(60, random_state=seed)
    for i, voter in enumerate(picked.to_dict("records")):
        kind = ["tms", "ubah_data", "pemilih_baru"][i % 3]
        person = dict(voter)
        if kind == "ubah_data":
            person["alamat"] = f"KP. BARU {i}"
        if kind == "pemilih_baru":
            person["nama"], voter["id"] = f"BARU {i}", ""
        rows.append({**{c: person[c] for c in schema.PERSON_COLUMNS[1:]}, "voter_id": voter["id"], "kategori": kind,
                     "sub_kategori": "x", "agency": "disdukcapil", "file_name": "f.csv", "row_number": i,
                     "feed_id": f"f#{i}", "rule": "r", "probability": 1.0, "status": proposal.APPLIED, "alasan": "",
                     "id_antrean": ""})
    rows += rows[:5]  # the same voter twice: the second is already gone
    frame = pd.DataFrame(rows)
    frame["proposal_id"] = [f"U-{i:06d}" for i in range(len(frame))]
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def _plain_new_roll(roll: pd.DataFrame, removed: list[str], versions: pd.DataFrame) -> pd.DataFrame:
    kept = roll[~roll["id"].isin(set(removed))]
    return pd.concat([kept, versions], ignore_index=True).sort_values("id", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("shape", ["sorted", "unsorted", "other_index", "text_dates", "interleaved"])
def test_the_new_roll_is_the_kept_rows_and_new_versions_sorted_by_id(shape):
    roll = _roll(3_000, 5)
    if shape == "interleaved":  # new voters' ids fall between, and on, ids of the roll
        roll["id"] = [f"DPB-32.01-2026-02-{2 * i:06d}" for i in range(len(roll))]
    proposals = _proposals(roll, 6)
    if shape == "unsorted":
        roll = roll.sample(frac=1, random_state=1)
    if shape == "other_index":
        roll.index = roll.index * 7 + 3
    if shape == "text_dates":
        roll["tanggal_lahir"] = roll["tanggal_lahir"].dt.strftime("%Y-%m-%d")
    result = apply("32.01", "2026-02", roll, proposals)
    pd.testing.assert_frame_equal(result.roll, _plain_new_roll(roll, result.removed, result.versions), check_exact=True)
    assert len(result.removed) == len(set(result.removed)) > 0 and len(result.versions) > 0


def test_cell_counts_match_groupby():
    roll = _roll(5_000, 7)
    pd.testing.assert_series_equal(recap._count_cells(roll), recap._count(roll, "kode_desa", "jenis_kelamin"))
    assert recap._count_cells(roll.assign(kode_desa=roll["kode_desa"].where(roll.index != 3))) is None


def test_recap_checks_ignore_placeholder_niks_standing_twice():
    from pdpb_pipeline.assets.roll import recap_checks

    roll = _roll(12_000, 8)
    roll.loc[[0, 1], "nik"] = "3333333333333333"  # placeholder twice: a data fault, not a duplicate
    roll.loc[[2, 3], "nik"] = "3201010101900007"  # a real NIK twice, in the queue
    roll.loc[[4, 5], "nik"] = "3201010101900008"  # a real NIK twice, not in the queue
    roll.loc[[6, 7], "nik"] = ""
    roll.loc[[8, 9], "nik"] = "320101010190000"  # 15 digits twice: no NIK at all, as for the ganda rules
    checks = {c.check_name: c for c in recap_checks(pd.DataFrame({"selisih": [0]}), roll, {roll["id"][3]},
                                                    dt.date(2026, 2, 28))}
    nik = checks["nik_tunggal"]
    assert not nik.passed
    assert nik.metadata["nik_ganda_tanpa_antrean"].value == 1 and nik.metadata["nik_ganda_dalam_antrean"].value == 1
