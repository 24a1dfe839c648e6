"""The one date parser: every format agencies write, read the same by feeds, the DPT and linkage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.domain import dates, schema
from pdpb_pipeline.linkage import normalize as nz
from pdpb_pipeline.linkage.prepare import prepare

from .feedfiles import excel_serial

REFERENCE = dt.date(2026, 1, 31)
# 7 May 1990 as agencies write it
MAY_7_1990 = ["07-05-1990", "7-5-1990", "07/05/1990", "07.05.1990", "07 05 1990", "07-05-90", "1990-05-07",
              "1990/05/07", "1990.5.7", "1990-05-07 00:00:00", "1990-05-07T00:00", "07051990", "19900507",
              str(excel_serial(dt.date(1990, 5, 7))), f"{excel_serial(dt.date(1990, 5, 7))}.0", "7 Mei 1990",
              "07-MEI-90", "7 may 1990", "7 MEI 1990", "May 7, 1990", " 07-05-1990 "]


def _iso(series: pd.Series) -> list[str]:
    return series.dt.strftime("%Y-%m-%d").fillna("").tolist()


@pytest.mark.parametrize("text", MAY_7_1990)
def test_every_format_agencies_write_is_read(text):
    parsed, warnings = dates.parse_dates(pd.Series([text]), REFERENCE)
    assert _iso(parsed) == ["1990-05-07"] and warnings.tolist() == [""]
    assert dates.date_parts([text], REFERENCE).tolist() == [19900507]


def test_named_months_in_indonesian_and_english():
    texts = ["1 Januari 1980", "2 Pebruari 1980", "3 Maret 1980", "4 Apr 1980", "5 Juni 1980", "6 Juli 1980",
             "7 Agt 1980", "8 Ags 1980", "9 Sept 1980", "10 Oktober 1980", "11 Nopember 1980", "12 Des 1980",
             "12 December 1980", "12-dec-80"]
    parsed, _ = dates.parse_dates(pd.Series(texts), REFERENCE)
    assert _iso(parsed) == ["1980-01-01", "1980-02-02", "1980-03-03", "1980-04-04", "1980-06-05", "1980-07-06",
                            "1980-08-07", "1980-08-08", "1980-09-09", "1980-10-10", "1980-11-11", "1980-12-12",
                            "1980-12-12", "1980-12-12"]


def test_two_digit_years_are_the_latest_not_after_the_reference():
    parsed, _ = dates.parse_dates(pd.Series(["01-01-25", "01-01-26", "01-01-27", "01-01-99"]), REFERENCE)
    assert _iso(parsed) == ["2025-01-01", "2026-01-01", "1927-01-01", "1999-01-01"]


def test_swapped_impossible_blank_and_future_dates():
    texts = ["05-23-1990", "1956-13-02", "31-02-1990", "29-02-2000", "29-02-1900", "kemarin", "", None, "2027-01-01",
             "1985-13-40", "1799-01-01", "12345678"]
    parsed, warnings = dates.parse_dates(pd.Series(texts, dtype=object), REFERENCE)
    assert _iso(parsed) == ["1990-05-23", "1956-02-13", "", "2000-02-29", "", "", "", "", "", "", "", ""]
    assert warnings.tolist() == [dates.DATE_SWAPPED, dates.DATE_SWAPPED] + [""] * 6 + [dates.DATE_FUTURE] + [""] * 3
    # linkage sees the parts as written: an impossible date in a valid shape is kept
    assert dates.date_parts(np.array(texts, dtype=object), REFERENCE).tolist() == [
        19902305, 19561302, 19900231, 20000229, 19000229, 0, 0, 0, 20270101, 0, 0, 0]


def test_iso_fast_path_reads_what_the_per_value_parser_reads():
    texts = ["1985-03-07", "1985/03/07", "1985.03.07", "1985-13-02", "1985-00-05", "1985-03-0x", "1985-03-07x",
             "1985-03-07 10:00", "2000-02-30", "9999-99-99", "1799-01-01", "19850307", "07-03-1985", ""]
    fast = dates.date_parts(np.array(texts, dtype=object))
    one_by_one = [dates.date_parts(pd.Series([t, "niet"], dtype=object))[0] for t in texts]  # no fast path
    assert fast.tolist() == one_by_one


def test_datetimes_are_kept_not_reparsed():
    born = pd.Series(pd.to_datetime(["1990-05-07", None]))
    parsed, warnings = dates.parse_dates(born, REFERENCE)
    assert parsed.equals(born) and warnings.tolist() == ["", ""]
    assert dates.date_parts(born).tolist() == [19900507, 0]
    mixed = np.array([dt.date(1990, 5, 7), pd.Timestamp("1990-05-07"), pd.NaT, "07-05-1990"], dtype=object)
    assert dates.date_parts(mixed).tolist() == [19900507, 19900507, 0, 19900507]


def test_unreadable_is_text_without_a_date_and_blank_is_not():
    values = pd.Series(["07-05-1990", "", "  ", "bukan", "31-02-1990"])
    parsed, _ = dates.parse_dates(values)
    assert dates.unreadable(values, parsed).tolist() == [False, False, False, True, True]


def test_canonical_schema_and_linkage_read_day_first_dates_like_feeds():
    texts = ["07-05-1990", "1990-05-07", "7 Mei 1990", "05-23-1990", "bukan"]
    frame = schema.to_canonical(pd.DataFrame({"id": list("abcde"), "tanggal_lahir": texts}))
    feed, _ = dates.parse_dates(pd.Series(texts))
    assert _iso(frame["tanggal_lahir"]) == _iso(feed) == ["1990-05-07"] * 3 + ["1990-05-23", ""]
    # linkage: the same text as a `pdpb link` CSV and as the parsed roll give the same parts,
    # apart from the month-first date, kept as written for the swapped-date comparison
    as_text = prepare([pd.DataFrame({"id": list("abcde"), "tanggal_lahir": texts})]).dob
    as_dates = prepare([frame]).dob
    assert as_text.tolist() == [19900507] * 3 + [19902305, 0]
    assert as_dates.tolist() == [19900507] * 3 + [19900523, 0]
    assert nz.swap_day_month(as_text)[3] == as_dates[3]
