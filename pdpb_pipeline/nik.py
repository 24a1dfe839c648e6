"""NIK and NKK: structure, faults seen in real lists, and masking.

NIK = ``PP KK CC DDMMYY SSSS``: province, regency, kecamatan where it was first issued, birth
date with 40 added to the day for women, serial. NKK = region (6 digits), registration date
``DDMMYY`` and a serial. Single values are parsed with ``lokal-id``; the vectorised functions
here serve frames of millions of rows.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import numpy as np
import pandas as pd
from lokal import parse_nik


SIXTEEN_DIGITS = re.compile(r"^\d{16}$")

# Fault classes of a NIK, as reason codes a data officer reads.
NIK_KOSONG = "nik_kosong"  # empty
NIK_FORMAT = "nik_format"  # not 16 digits
NIK_PLACEHOLDER = "nik_placeholder"  # 3333333333333333, serial 0000, 1234567890123456...
NIK_WILAYAH = "nik_wilayah_tidak_dikenal"  # region code that never existed
NIK_TANGGAL = "nik_tanggal_tidak_valid"  # DDMMYY is not a date


def build_nik(kecamatan: str, birth: dt.date, sex: str, serial: int) -> str:
    """The NIK the civil registry would issue: ``kecamatan`` is dotted (``32.01.01``)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def is_placeholder(nik: str) -> bool:
    """Numbers typed in when the real NIK was unknown."""
    if len(set(nik)) <= 2 or nik.endswith("0000"):
        return True
    return nik in "12345678901234567890" or nik in "98765432109876543210"


def nik_fault(nik: str) -> str | None:
    """The reason a NIK cannot identify anybody, or None when it is usable."""
    value = (nik or "").strip()
    if not value:
        return NIK_KOSONG
    if not SIXTEEN_DIGITS.match(value):
        return NIK_FORMAT
    if is_placeholder(value):
        return NIK_PLACEHOLDER
    info = parse_nik(value)
    if any(e.code == "birth_date" for e in info.errors):
        return NIK_TANGGAL
    if any(e.code in ("province", "wilayah") for e in info.errors):
        return NIK_WILAYAH
    # A regency or kecamatan code unknown today is still a real NIK: the code may have been
    # split (pemekaran) after the NIK was issued, and a NIK is never reissued for that.
    return None


def birth_and_sex(niks: pd.Series, reference: dt.date | None = None) -> pd.DataFrame:
    """Birth date and sex encoded in each NIK (NaT / empty where the NIK cannot say)."""
    ref = reference or dt.date.today()
    s = niks.fillna("").astype(str)
    ok = s.str.fullmatch(r"\d{16}")
    digits = s.where(ok, "0000000000000000")
    day = digits.str.slice(6, 8).astype(int)
    month = digits.str.slice(8, 10).astype(int)
    yy = digits.str.slice(10, 12).astype(int)
    female = day > 40
    day = np.where(female, day - 40, day)
    year = np.where(yy <= ref.year % 100, 2000 + yy, 1900 + yy)
    born = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
    )
    born = born.where(ok)
    sex = pd.Series(np.where(female, "P", "L"), index=s.index).where(ok & born.notna(), "")
    return pd.DataFrame({"lahir": born, "jenis_kelamin": sex}, index=s.index)


def mask_rule() -> tuple[int, int]:
    """How many leading and trailing digits stay visible: ``PDPB_MASK_KEEP=head,tail``.

    The default ``6,0`` keeps the kecamatan code and hides the birth date and serial: 10 of 16
    digits hidden, KPU's rule since 2020.
    """
    head, _, tail = os.environ.get("PDPB_MASK_KEEP", "6,0").partition(",")
    return int(head or 0), int(tail or 0)


def mask(value: str | None) -> str:
    """Masks a NIK or NKK for anything a person other than the data officer may see."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    head, tail = mask_rule()
    return _masked(text, head, tail)


def _masked(text: str, head: int, tail: int) -> str:
    """``mask`` of a stripped text under the rule ``head,tail``."""
    if not text:
        return ""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + (text[-tail:] if tail else "")


_DIGIT_RUNS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def mask_text(text: str) -> str:
    """Masks every 16-digit number (a NIK or NKK) inside free text, such as a raw file row."""
    return _DIGIT_RUNS.sub(lambda m: mask(m.group(0)), text)


def mask_series(values: pd.Series) -> pd.Series:
    """``mask`` for a whole column (missing values give ``""``), value for value the same result.

    One pass over the column: a 16-digit value (the common case) is sliced directly, anything
    else (empty, short, padded with spaces) goes through the rule of ``mask``.
    """
    head, tail = mask_rule()
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.fillna("").astype(str)
    texts = values.to_numpy(dtype=object).tolist()
    if 0 <= head and 0 <= tail and head + tail < 16:
        stars, cut = "*" * (16 - head - tail), 16 - tail
        # isdigit() rules out surrounding spaces, so the value is its own strip().
        out = [v[:head] + stars + v[cut:] if len(v) == 16 and v.isdigit() else _masked(v.strip(), head, tail)
               for v in texts]
    else:
        out = [_masked(v.strip(), head, tail) for v in texts]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)
