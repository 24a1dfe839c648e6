"""The one date parser: dates as agencies, the DPT and linkage inputs write them.

Accepted: ISO ``1990-05-07`` (also ``/`` or ``.``, a time after it), Indonesian day-first
``07-05-1990`` / ``07/05/90`` / ``07.05.1990`` / ``07051990``, compact ``19900507``, Excel serials
(``32999``), and named months in Indonesian or English (``7 Mei 1990``, ``07-AGT-90``,
``May 7, 1990``). A two-digit year is the most recent such year not after the reference date.

Two readings of the same parts, so every stage reads the same text the same way:

- ``date_parts``: the date as written, ``yyyymmdd`` integers. An impossible date in a valid shape
  (``1956-13-02``) is kept, because a swapped day and month is what linkage compares.
- ``parse_dates``: real dates (``datetime64``). A date whose day and month only make sense the
  other way round (``05-23-1990``) is read that way and flagged ``tanggal_bulan_tertukar``;
  anything else that is not a date is NaT.

ISO text (what the warehouse and our own CSV files hold) is read straight from its bytes, all at
once; every other value is parsed once per distinct value. ``datetime64`` input is never re-read.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

DATE_SWAPPED = "tanggal_bulan_tertukar"
DATE_FUTURE = "tanggal_di_masa_depan"

EXCEL_EPOCH = dt.date(1899, 12, 30)
MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "peb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6,
    "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "ags": 8, "agt": 8, "agustus": 8, "aug": 8,
    "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "nop": 11, "november": 11, "nopember": 11, "des": 12, "desember": 12, "dec": 12, "december": 12,
}
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{2}|\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})[-/. ]+([a-z]+)\.?[-/. ,]+(\d{2}|\d{4})$")
_NAMED_MONTH_FIRST = re.compile(r"^([a-z]+)\.?[-/. ]+(\d{1,2})[-/. ,]+(\d{4})$")
_SERIAL = re.compile(r"^(\d{4,5})(?:\.\d+)?$")
_EIGHT = re.compile(r"^\d{8}$")
_SEPARATORS = np.array([ord("-"), ord("/"), ord(".")], dtype=np.int16)


def date_parts(values, reference: dt.date | None = None) -> np.ndarray:
    """``yyyymmdd`` as int64, 0 where the value is blank or not written as a date.

    Parts are kept as written when they have the shape of a date (year 1800-2200, day and month
    1-31), even when the date cannot exist: ``1956-13-02`` gives 19561302.
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if _is_datetime(s):
        return ymd_of_datetimes(s)
    out = np.zeros(len(s), dtype=np.int64)
    rest = np.ones(len(s), dtype=bool)
    if s.dtype == object and len(s):
        iso, ymd = _iso_bytes(s.to_numpy())
        if iso is not None:
            out[iso] = ymd[iso]
            rest = ~iso
    if rest.any():
        sub = s[rest] if not rest.all() else s
        codes, uniq = pd.factorize(sub, use_na_sentinel=True)
        century = (reference or dt.date.today()).year
        parsed = np.array([_parts(v, century) for v in uniq] + [0], dtype=np.int64)
        out[rest] = parsed[codes]
    return out


def parse_dates(values, reference: dt.date | None = None) -> tuple[pd.Series, pd.Series]:
    """(``datetime64[ns]`` series, warning series: '' or ``DATE_SWAPPED`` / ``DATE_FUTURE``).

    ``reference``: the latest date the values can hold (a feed: the end of its month). Two-digit
    years are resolved against it and a later date is NaT, flagged ``DATE_FUTURE``. Without it,
    two-digit years are resolved against today and no date is refused as future.
    Blank and unreadable values are NaT with no warning (tell them apart by the text).
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if _is_datetime(s):
        dates = _naive(s)
        warnings = pd.Series("", index=s.index, dtype=object)
    else:
        ymd = date_parts(s, reference)
        y, m, d = ymd // 10000, ymd // 100 % 100, ymd % 100
        real = _exists(y, m, d)
        swapped = np.zeros(len(s), dtype=bool)
        maybe = np.flatnonzero(~real & (ymd > 0))
        swapped[maybe] = _exists(y[maybe], d[maybe], m[maybe])
        if len(maybe):
            m, d = np.where(swapped, d, m), np.where(swapped, m, d)
        days = np.where(real | swapped, _days_from_civil(y, m, d), np.iinfo(np.int64).min)
        dates = pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"), index=s.index, name=s.name)
        warnings = pd.Series(np.full(len(s), "", dtype=object), index=s.index)
        warnings[swapped] = DATE_SWAPPED
    if reference is not None:
        future = (dates > pd.Timestamp(reference)).to_numpy()
        if future.any():
            dates = dates.where(~future)
            warnings = warnings.where(~future, DATE_FUTURE)
    return dates.astype("datetime64[ns]"), warnings


def unreadable(values: pd.Series, parsed: pd.Series) -> np.ndarray:
    """Values that hold text but gave no date (``parsed``: ``parse_dates(values)[0]``).

    Blank values (missing, or only spaces) are missing data, not unreadable.
    """
    missing = parsed.isna().to_numpy()
    out = np.zeros(len(values), dtype=bool)
    if missing.any() and not _is_datetime(values):
        text = values[missing]
        out[missing] = (text.notna() & text.astype(str).str.strip().ne("")).to_numpy()
    return out


def _is_datetime(s: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(s.dtype)


def _naive(s: pd.Series) -> pd.Series:
    return s.dt.tz_localize(None) if s.dt.tz is not None else s


def ymd_of_datetimes(s: pd.Series) -> np.ndarray:
    """``yyyymmdd`` integers of datetime values (0 where NaT)."""
    days = _naive(s).to_numpy().astype("datetime64[D]")
    known = ~np.isnat(days)
    return np.where(known, _civil_from_days(np.where(known, days.view("int64"), 0)), 0)


def _iso_bytes(values: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Values written ``yyyy-mm-dd`` (``/`` or ``.``; a time may follow), read from their bytes."""
    try:
        arr = values.astype("S11")
    except (UnicodeEncodeError, TypeError, ValueError):
        return None, np.zeros(0, np.int64)
    u8 = arr.view(np.uint8).reshape(len(arr), 11)
    digit = [u8[:, i] - np.uint8(48) for i in (0, 1, 2, 3, 5, 6, 8, 9)]  # wraps above 9 if not a digit
    iso = (u8[:, 7] == u8[:, 4]) & ((u8[:, 4] == 45) | (u8[:, 4] == 47) | (u8[:, 4] == 46))  # - / .
    for x in digit:
        iso &= x <= 9
    end = u8[:, 10]
    iso &= (end == 0) | (end == 32) | (end == 84)  # ten characters, or a space or T follows
    iso &= np.char.str_len(arr) >= 10
    y = digit[0] * np.int64(1000) + digit[1] * np.int64(100) + digit[2] * np.int64(10) + digit[3]
    m = digit[4] * np.int64(10) + digit[5]
    d = digit[6] * np.int64(10) + digit[7]
    return iso, np.where(_well_shaped(y, m, d), y * 10000 + m * 100 + d, 0)


def _parts(value, this_year: int) -> int:
    """One value's ``yyyymmdd`` as written (0: not a date); ``this_year`` places 2-digit years."""
    if isinstance(value, dt.date):  # a date or a Timestamp from a mixed column
        return 0 if pd.isna(value) else value.year * 10000 + value.month * 100 + value.day
    if not isinstance(value, str):
        return 0
    text = value.strip().lower()
    if not text:
        return 0
    if (match := _SERIAL.match(text)):
        serial = int(match[1])
        if not 1 <= serial <= 80000:  # 1900-01-01 .. 2119
            return 0
        day = EXCEL_EPOCH + dt.timedelta(days=serial)
        return day.year * 10000 + day.month * 100 + day.day
    if (match := _ISO.match(text)):
        return _shaped(int(match[1]), int(match[2]), int(match[3]))
    if _EIGHT.match(text):  # yyyymmdd or ddmmyyyy: whichever is a real date, else whichever has the shape
        ymd = (int(text[:4]), int(text[4:6]), int(text[6:]))
        dmy = (int(text[4:]), int(text[2:4]), int(text[:2]))
        for y, m, d in (ymd, dmy):
            if _exists(y, m, d):
                return y * 10000 + m * 100 + d
        return _shaped(*ymd) or _shaped(*dmy)
    if (match := _DMY.match(text)):
        return _shaped(_year(match[3], this_year), int(match[2]), int(match[1]))
    if (match := _NAMED.match(text)) and match[2] in MONTHS:
        return _shaped(_year(match[3], this_year), MONTHS[match[2]], int(match[1]))
    if (match := _NAMED_MONTH_FIRST.match(text)) and match[1] in MONTHS:
        return _shaped(int(match[3]), MONTHS[match[1]], int(match[2]))
    return 0


def _year(text: str, this_year: int) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= this_year % 100 else 1900
    return year


def _shaped(y: int, m: int, d: int) -> int:
    return y * 10000 + m * 100 + d if _well_shaped(y, m, d) else 0


def _well_shaped(y, m, d):
    return (1800 <= y) & (y <= 2200) & (1 <= m) & (m <= 31) & (1 <= d) & (d <= 31)


# Day 1 of every month of the years 1800-2200 (days since 1970-01-01) and each month's length, so
# that checking and converting millions of (year, month, day) parts is two table look-ups.
_FIRST_YEAR, _LAST_YEAR = 1800, 2200
_MONTH_START = np.arange(f"{_FIRST_YEAR}-01", f"{_LAST_YEAR + 1}-02", dtype="datetime64[M]")
_FIRST_DAY = _MONTH_START.astype("datetime64[D]").astype(np.int64)
_FIRST_DAY = np.column_stack([np.zeros(_LAST_YEAR - _FIRST_YEAR + 1, np.int64),
                              _FIRST_DAY[:-1].reshape(-1, 12)])  # [year, month 1-12]
_MONTH_LENGTH = np.column_stack([np.zeros(_LAST_YEAR - _FIRST_YEAR + 1, np.int64),
                                 np.diff(_MONTH_START.astype("datetime64[D]").astype(np.int64)).reshape(-1, 12)])


def _table_index(y, m):
    year = np.clip(np.asarray(y) - _FIRST_YEAR, 0, _LAST_YEAR - _FIRST_YEAR)
    return year, np.clip(np.asarray(m), 0, 12)


def _exists(y, m, d):
    """Whether year ``y``, month ``m``, day ``d`` is a calendar date of 1800-2200 (scalars or arrays)."""
    year, month = _table_index(y, m)
    return ((np.asarray(y) >= _FIRST_YEAR) & (np.asarray(y) <= _LAST_YEAR) & (np.asarray(m) >= 1) & (np.asarray(m) <= 12)
            & (np.asarray(d) >= 1) & (np.asarray(d) <= _MONTH_LENGTH[year, month]))


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of existing (year, month, day) parts."""
    year, month = _table_index(y, m)
    return _FIRST_DAY[year, month] + np.asarray(d) - 1


def _civil_from_days(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as ``yyyymmdd`` integers (H. Hinnant's civil_from_days)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = yoe + era * 400 + (m <= 2)
    return y * 10000 + m * 100 + d
