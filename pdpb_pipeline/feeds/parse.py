"""Field parsers for agency data: codes (sex, marital status), names, NIKs, RT/RW. Dates have
their one parser, ``pdpb_pipeline.domain.dates``.

Each parser takes a whole column (pandas string operations); ``parse_code`` also returns the mask
of values it did not know.
"""

from __future__ import annotations

import re

import pandas as pd

from ..domain.transliterate import to_ascii

SEX = {"L": "L", "LK": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L", "M": "L", "MALE": "L", "1": "L",
       "P": "P", "PR": "P", "PEREMPUAN": "P", "WANITA": "P", "W": "P", "F": "P", "FEMALE": "P", "2": "P"}
MARITAL = {"B": "B", "BK": "B", "BELUM KAWIN": "B", "BELUM MENIKAH": "B", "LAJANG": "B", "TIDAK KAWIN": "B",
           "S": "S", "K": "S", "SK": "S", "KAWIN": "S", "SUDAH KAWIN": "S", "MENIKAH": "S", "KAWIN TERCATAT": "S",
           "KAWIN BELUM TERCATAT": "S", "P": "P", "PK": "P", "PERNAH KAWIN": "P", "CERAI": "P", "CERAI HIDUP": "P",
           "CERAI MATI": "P", "JANDA": "P", "DUDA": "P"}
_WORDS = re.compile(r"[^0-9A-Z]+")


def code_words(values: pd.Series) -> pd.Series:
    return to_ascii(values).str.upper().str.replace(_WORDS, " ", regex=True).str.strip()


def parse_code(values: pd.Series, table: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Maps free text through ``table``; returns (codes with '' when unknown, unknown mask)."""
    words = code_words(values)
    codes = words.map(table).fillna("")
    return codes, (words != "") & (codes == "")


_SPACES = re.compile(r"\s+")
_NAME_JUNK = re.compile(r"[^A-Z0-9 .,'`\-/()]")


def clean_names(values: pd.Series) -> pd.Series:
    """Upper case ASCII (accented letters transliterated: ``transliterate``), single spaces, no
    control characters; spelling otherwise left as the agency wrote it."""
    text = to_ascii(values).str.upper()
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
