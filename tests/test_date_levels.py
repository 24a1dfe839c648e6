"""Birth-date comparison: levels from a typing/recall model, placeholder days found from the roll."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.linkage import link
from pdpb_pipeline.linkage.compare import BY_NAME, date_levels
from pdpb_pipeline.linkage.prepare import placeholder_days, prepare

LEVELS = BY_NAME["tanggal_lahir"].levels


def _roll_dates(n: int, seed: int, placeholder: str | None = None, share: float = 0.0) -> list[str]:
    """Birth dates spread over 1950-2005; ``share`` of them on the ``placeholder`` day (MM-DD)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 55 * 365, n), unit="D")
    out = days.strftime("%Y-%m-%d").to_numpy().astype(object)
    if placeholder:
        k = int(n * share)
        out[:k] = [f"{d[:4]}-{placeholder}" for d in out[:k]]
    return list(out)


def _records(pairs: list[tuple[str, str]], roll_dates: list[str]):
    """Records of feed dates (first of each pair) + their roll partners + a background roll."""
    feed = pd.DataFrame({"id": [f"f{i}" for i in range(len(pairs))], "tanggal_lahir": [p[0] for p in pairs]})
    roll = pd.DataFrame({"id": [f"r{i}" for i in range(len(pairs) + len(roll_dates))],
                         "tanggal_lahir": [p[1] for p in pairs] + roll_dates})
    rec = prepare([feed, roll], tf_rows=slice(len(feed), None))
    a = np.arange(len(pairs))
    return rec, a, a + len(pairs)


@pytest.mark.parametrize("day", ["01-01", "07-01", "08-17", "12-31"])
def test_a_day_holding_many_times_its_share_of_birthdays_is_a_placeholder_whichever_day(day):
    dates = _roll_dates(20_000, 1, placeholder=day, share=0.03)
    dob = prepare([pd.DataFrame({"id": range(len(dates)), "tanggal_lahir": dates})]).dob
    assert placeholder_days(dob).tolist() == [int(day.replace("-", ""))]


def test_evenly_spread_birthdays_have_no_placeholder_and_a_small_roll_cannot_tell():
    dob = prepare([pd.DataFrame({"id": range(50_000), "tanggal_lahir": _roll_dates(50_000, 2)})]).dob
    assert placeholder_days(dob).size == 0
    few = _roll_dates(300, 3, placeholder="07-01", share=0.05)    # 15 on one day: could be chance
    dob = prepare([pd.DataFrame({"id": range(300), "tanggal_lahir": few})]).dob
    assert placeholder_days(dob).size == 0


def test_levels_of_typed_and_recalled_dates():
    cases = [
        (("1980-05-17", "1980-05-17"), "sama"),
        (("1980-05-07", "1980-07-05"), "hari_bulan_tertukar"),
        (("1980-05-17", "1981-05-17"), "satu_unsur_beda"),     # the year typed wrong
        (("1980-05-17", "1980-05-27"), "satu_unsur_beda"),     # the day typed wrong
        (("1980-01-30", "1980-02-14"), "dalam_sebulan"),       # across a month's end
        (("1980-05-17", "1980-06-20"), "tahun_sama"),
        (("1980-05-17", "1984-09-02"), "beda"),
        (("", "1984-09-02"), "kosong"),
    ]
    rec, a, b = _records([c[0] for c in cases], _roll_dates(2_000, 4))
    got = [LEVELS[i] for i in date_levels(rec, a, b)]
    assert got == [c[1] for c in cases]


def test_agreement_on_a_placeholder_day_says_the_year_only():
    roll = _roll_dates(20_000, 5, placeholder="12-31", share=0.03)
    cases = [("1961-12-31", "1961-12-31"),    # both on the placeholder: same year, nothing more
             ("1961-12-31", "1961-04-09"),    # the placeholder against the true date
             ("1961-12-31", "1965-12-31"),    # placeholders of other years
             ("1961-12-30", "1961-12-30")]    # the day before is an ordinary date
    rec, a, b = _records(cases, roll)
    got = [LEVELS[i] for i in date_levels(rec, a, b)]
    assert got == ["tahun_sama", "tahun_sama", "beda", "sama"]


def test_birth_date_evidence_is_learnt_when_no_record_has_an_identifier():
    """FEBRL4 without its identifier: the date's m must come from the data (a same-name
    training session), not stay at EM's starting values."""
    from pdpb_lab.bench import febrl

    feed, roll = febrl.frames(with_id=False)
    result = link(feed, roll)
    table = pd.DataFrame(result.model.table()).set_index(["comparison", "level"])["m"]
    m = table.loc["tanggal_lahir"].to_numpy()
    start = 0.5 ** (np.arange(len(m)) * 2.0)
    assert not np.allclose(m, start / start.sum(), rtol=0.05)
    assert m[LEVELS.index("sama")] > 0.8          # most FEBRL duplicates keep their birth date
    scored = febrl.evaluate(result, feed)
    assert scored["precision"] >= 0.999 and scored["recall"] >= 0.97
