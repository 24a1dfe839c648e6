"""Who may be on the roll: age (17 or older on the reference day) or marriage, and which NIKs
identify somebody (a placeholder or a malformed NIK names nobody).

Vectorised over a whole roll (a million rows); ``eligible_one`` is the same rule for one person.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..domain.dates import ymd_of_datetimes
from ..domain.nik import birth_and_sex, is_placeholder, placeholder_rows


def reference_date(month: str, polling_day: str | None) -> dt.date:
    """The day eligibility is judged on: ``PDPB_POLLING_DAY`` if set, else the month's last day."""
    from ..feeds.ingest import month_end

    return dt.date.fromisoformat(polling_day) if polling_day else month_end(month)


def _as_dates(born: pd.Series) -> pd.Series:
    # pd.to_datetime costs ~0.1 s on a million values that are already dates.
    return born if _naive_dates(born) else pd.to_datetime(born)


def _naive_dates(born: pd.Series) -> bool:
    return isinstance(born.dtype, np.dtype) and born.dtype.kind == "M"


def age_on(born: pd.Series, day: dt.date) -> pd.Series:
    """Whole years of age on ``day`` (NaN where the birth date is unknown)."""
    born = _as_dates(born)
    if not _naive_dates(born):  # time-zone aware: the slow, general way
        years = day.year - born.dt.year
        before_birthday = (born.dt.month > day.month) | ((born.dt.month == day.month) & (born.dt.day > day.day))
        return years - before_birthday.astype(float)
    # Integer arithmetic on the days since 1970 (the .dt accessor takes ~0.5 s a million rows):
    # with dates as YYYYMMDD numbers, whole years of age = (day - born) // 10000.
    ymd = ymd_of_datetimes(born)
    known = ymd > 0
    age = ((day.year * 10000 + day.month * 100 + day.day) - ymd) // 10000
    return pd.Series(np.where(known, age.astype(float), np.nan), index=born.index, name=born.name)


def _turns_17_by(day: dt.date) -> dt.date:
    """The last birth date that is 17 or older on ``day`` (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 17)
    except ValueError:
        return day.replace(year=day.year - 17, day=28)


def adult_on(born: pd.Series, day: dt.date) -> np.ndarray:
    """``age_on(born, day) >= 17``: one comparison against a date instead of computing ages."""
    born = _as_dates(born)
    if not _naive_dates(born):
        return (age_on(born, day) >= 17).to_numpy()
    # A birth at any time of the last day still counts, NaT compares False (age NaN < 17).
    return born.to_numpy() < np.datetime64(_turns_17_by(day) + dt.timedelta(days=1), "D")


def eligible(frame: pd.DataFrame, day: dt.date) -> pd.Series:
    """17 or older on ``day``, or married (sudah or pernah kawin)."""
    married = frame["status_kawin"].isin(["S", "P"]).to_numpy()
    return pd.Series(adult_on(frame["tanggal_lahir"], day) | married, index=frame.index)


def under_age(frame: pd.DataFrame, day: dt.date) -> pd.Series:
    """Known to be under 17 on ``day`` and unmarried: a birth date says so. An unknown birth
    date is no evidence of age, so it is never under age (nor ``eligible`` as a newcomer)."""
    born = _as_dates(frame["tanggal_lahir"])
    known = born.notna().to_numpy()
    married = frame["status_kawin"].isin(["S", "P"]).to_numpy()
    return pd.Series(known & ~adult_on(born, day) & ~married, index=frame.index)


def eligible_one(person: dict, day: dt.date) -> bool:
    """``eligible`` of one person (a dict of person columns), without building a frame."""
    born, status = person["tanggal_lahir"], person["status_kawin"]
    if isinstance(status, str) and (isinstance(born, pd.Timestamp) or born is pd.NaT):
        adult = born is not pd.NaT and (
            day.year - born.year - ((born.month, born.day) > (day.month, day.day)) >= 17)
        return adult or status in ("S", "P")
    return bool(eligible(pd.DataFrame([person]), day).iloc[0])


def nik_birth(niks: pd.Series, typed: pd.Series, reference: dt.date) -> pd.Series:
    """The birth date each NIK encodes (NaT where it cannot say), its century taken nearest the
    typed date: a NIK carries two digits of the year, so ``..18`` is 2018 for a child and 1918
    for a 107-year-old whose typed date says 1918."""
    born = birth_and_sex(niks.reset_index(drop=True), reference)["lahir"]
    typed = pd.to_datetime(pd.Series(typed).reset_index(drop=True), errors="coerce")
    earlier = born - pd.DateOffset(years=100)
    nearer = typed.notna() & born.notna() & ((earlier - typed).abs() < (born - typed).abs())
    return born.where(~nearer, earlier).set_axis(niks.index)


def _nik_shapes(niks: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per value: whether it is 16 characters long, and whether it is 16 ASCII digits that are
    not a placeholder (``nik.placeholder_rows``). One arrow copy of the column, whose bytes are
    read as a digit matrix for the 16-byte values: about 0.2 s for a million NIKs (a Python
    pass per value costs 0.5 s)."""
    text = pa.array(niks.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    if len(text) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    sixteen_chars = pc.equal(pc.utf8_length(text), 16).fill_null(False).to_numpy(zero_copy_only=False)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:text.offset + len(text) + 1]
    sixteen = np.flatnonzero(np.diff(offsets) == 16)  # bytes: a non-ASCII character makes more than 16
    valid = np.zeros(len(text), dtype=bool)
    if len(sixteen):
        data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
        if len(sixteen) == len(text):  # every value 16 bytes (the usual roll): the bytes are the matrix
            digits = data[offsets[0]:offsets[-1]].reshape(-1, 16) - 48
        else:
            digits = data[offsets[sixteen][:, None] + np.arange(16)] - 48
        # (uint8: a byte below '0' wraps round above 9)
        digit_rows = (digits <= 9).all(axis=1)
        at = sixteen[digit_rows]
        placeholder = placeholder_rows(digits[digit_rows], np.full(len(at), 16))
        valid[at] = ~placeholder
        sixteen_chars[at[placeholder]] = False  # a placeholder names nobody
    return sixteen_chars, valid


def usable_nik(niks: pd.Series) -> pd.Series:
    """NIKs that identify somebody: 16 characters and not a placeholder typed in for unknown
    (``nik.is_placeholder``; only 16 ASCII digits can be one)."""
    return pd.Series(_nik_shapes(niks)[0], index=niks.index)


def valid_nik(niks: pd.Series) -> np.ndarray:
    """NIKs of 16 ASCII digits that are not a placeholder: the usable ones written as a NIK is."""
    return _nik_shapes(niks)[1]


def usable_one(nik, placeholders: set[str] | None = None) -> bool:
    """``usable_nik`` of one value; ``placeholders``: ``placeholder_set`` of values that include it."""
    if not (isinstance(nik, str) and len(nik) == 16):
        return False
    return nik not in placeholders if placeholders is not None else not is_placeholder(nik)


def placeholder_set(values) -> set[str]:
    """The values ``nik.is_placeholder`` holds for, in one vector pass of ``nik.placeholder_rows``
    (numbers of up to 16 digits, padded as ``is_placeholder`` pads them: the padding is never read)."""
    numbers = [v for v in set(values) if isinstance(v, str) and v and len(v) <= 16 and v.isascii() and v.isdigit()]
    if not numbers:
        return set()
    digits = (np.frombuffer("".join(v.ljust(16, "0") for v in numbers).encode("ascii"), dtype=np.uint8)
              - 48).reshape(-1, 16)
    found = placeholder_rows(digits, np.array([len(v) for v in numbers]))
    return {v for v, placeholder in zip(numbers, found.tolist()) if placeholder}


def stands_twice(values: pd.Series) -> np.ndarray:
    """``values.duplicated(keep=False)`` as an array, faster on a million strings (NIKs): rows
    whose 64-bit hash is unique are unique; only the few others are compared as text."""
    array = values.to_numpy()
    if len(array) < 10_000 or pd.api.types.infer_dtype(array, skipna=False) != "string":
        return values.duplicated(keep=False).to_numpy()
    hashes = pd.util.hash_array(array, categorize=False)
    maybe = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    out = np.zeros(len(array), dtype=bool)
    out[maybe[pd.Series(array[maybe]).duplicated(keep=False).to_numpy()]] = True
    return out


def age_evidence(records: pd.DataFrame, reference: dt.date) -> np.ndarray:
    """Per record known to be under 17 (``under_age``): what the removal lacks of
    ``ROLL_EVIDENCE["usia_di_bawah_17"]`` ('' when nothing). Only a usable NIK whose own birth
    date is the typed one corroborates the date: a placeholder or malformed NIK cannot, and a NIK
    that says another date (17 or older, or just another day) means one of the two is a typo."""
    if records.empty:
        return np.array([], dtype=object)
    typed = _as_dates(records["tanggal_lahir"]).reset_index(drop=True)
    usable = usable_nik(records["nik"]).to_numpy()
    by_nik = nik_birth(records["nik"].reset_index(drop=True), typed, reference)
    same = (by_nik.notna() & (by_nik == typed)).to_numpy()
    adult = by_nik.notna().to_numpy() & adult_on(by_nik, reference)
    return np.select([typed.isna().to_numpy(), ~usable | by_nik.isna().to_numpy(), adult | ~same],
                     ["tanggal_lahir_kosong", "nik_tidak_menguatkan", "tanggal_lahir_beda_nik"], "").astype(object)
