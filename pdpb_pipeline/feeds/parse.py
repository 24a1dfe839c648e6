"""Field parsers for agency data: dates in every format agencies use, codes, names, NIKs.

Each parser works on the distinct values of a column (agency columns repeat a lot) and returns
the parsed value plus a warning code where the value had to be interpreted.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

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
_NAMED = re.compile(r"^(\d{1,2})[-/. ]+([a-z]+)[-/. ,]+(\d{2}|\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$")  # DDMMYYYY

DATE_SWAPPED = "tanggal_bulan_tertukar"


def parse_date(text: str, reference: dt.date) -> tuple[dt.date | None, str | None]:
    """One date as agencies write it; returns (date, warning). None when it is not a date.

    Day-first is the Indonesian convention: ``03-04-1990`` is 3 April. When the second part
    cannot be a month (``04-23-1990``) the value was written month-first; it is read that way
    and flagged.
    """
    value = text.strip().lower()
    if not value:
        return None, None
    if _SERIAL.match(value):
        serial = int(float(value))
        if 1 <= serial <= 80000:  # 1900-01-01 .. 2119
            return EXCEL_EPOCH + dt.timedelta(days=serial), None
        return None, None
    match = _ISO.match(value)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = _DMY.match(value) or _COMPACT.match(value)
    if match:
        day, month, year = int(match[1]), int(match[2]), _year(match[3], reference)
        return _date(year, month, day)
    match = _NAMED.match(value)
    if match and match[2] in MONTHS:
        return _date(_year(match[3], reference), MONTHS[match[2]], int(match[1]))
    return None, None


def _year(text: str, reference: dt.date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= reference.year % 100 else 1900
    return year


def _date(year: int, month: int, day: int) -> tuple[dt.date | None, str | None]:
    try:
        return dt.date(year, month, day), None
    except ValueError:
        pass
    try:
        return dt.date(year, day, month), DATE_SWAPPED
    except ValueError:
        return None, None


def parse_dates(values: pd.Series, reference: dt.date) -> tuple[pd.Series, pd.Series]:
    """Vectorised over distinct values: (datetime64 series, warning series with '' for none)."""
    text = values.fillna("").astype(str)
    parsed = {v: parse_date(v, reference) for v in text.unique()}
    dates = pd.to_datetime(text.map(lambda v: parsed[v][0]), errors="coerce")
    warnings = text.map(lambda v: parsed[v][1] or "")
    # A date after the reference (the month's end) cannot have happened yet.
    future = dates > pd.Timestamp(reference)
    return dates.where(~future), warnings.where(~future, "tanggal_di_masa_depan")


SEX = {"L": "L", "LK": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L", "M": "L", "MALE": "L", "1": "L",
       "P": "P", "PR": "P", "PEREMPUAN": "P", "WANITA": "P", "W": "P", "F": "P", "FEMALE": "P", "2": "P"}
MARITAL = {"B": "B", "BK": "B", "BELUM KAWIN": "B", "BELUM MENIKAH": "B", "LAJANG": "B", "TIDAK KAWIN": "B",
           "S": "S", "K": "S", "SK": "S", "KAWIN": "S", "SUDAH KAWIN": "S", "MENIKAH": "S", "KAWIN TERCATAT": "S",
           "KAWIN BELUM TERCATAT": "S", "P": "P", "PK": "P", "PERNAH KAWIN": "P", "CERAI": "P", "CERAI HIDUP": "P",
           "CERAI MATI": "P", "JANDA": "P", "DUDA": "P"}
_WORDS = re.compile(r"[^0-9A-Z]+")


def code_words(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.upper().str.replace(_WORDS, " ", regex=True).str.strip()


def parse_code(values: pd.Series, table: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Maps free text through ``table``; returns (codes with '' when unknown, unknown mask)."""
    words = code_words(values)
    codes = words.map(table).fillna("")
    return codes, (words != "") & (codes == "")


_SPACES = re.compile(r"\s+")
_NAME_JUNK = re.compile(r"[^A-Z0-9 .,'`\-/()]")


def clean_names(values: pd.Series) -> pd.Series:
    """Upper case, single spaces, no control characters; spelling left as the agency wrote it."""
    text = values.fillna("").astype(str).str.upper()
    text = text.str.replace(_NAME_JUNK, " ", regex=True).str.replace(_SPACES, " ", regex=True).str.strip()
    return text


_NIK_NOISE = re.compile(r"[\s'`\".\-]")


def clean_niks(values: pd.Series) -> pd.Series:
    """Digits as typed: spaces, quotes, dots and a trailing ``.0`` from Excel removed.

    A number Excel turned into ``3.20101E+15`` has lost digits and stays unusable as it is.
    """
    text = values.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.replace(_NIK_NOISE, "", regex=True)


def pad_rt_rw(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    digits = text.str.extract(r"(\d{1,3})", expand=False).fillna("")
    return digits.where(digits == "", digits.str.zfill(3))
