"""Letters with accents spelled in ASCII, never dropped: ``JOSÉ ÑUÑEZ`` -> ``JOSE NUNEZ``.

Agency files, the DPT and the linkage all compare names, places and addresses as upper-case
ASCII; one function here makes sure each side spells them alike. NFKD takes the accents off what
it can (``É`` -> ``E``); ``anyascii`` spells the rest (``Ø`` -> ``O``, ``ß`` -> ``ss``, curly
quotes -> ``'``, other scripts). ASCII text is returned as it is.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
from anyascii import anyascii


def spell(value: str) -> str:
    """One value in ASCII."""
    return value if value.isascii() else anyascii(unicodedata.normalize("NFKD", value))


def to_ascii(values: pd.Series) -> pd.Series:
    """``spell`` for a column (missing values as ``""``); each distinct non-ASCII value once."""
    text = values.fillna("").astype(str)
    other = ~text.map(str.isascii)
    if other.any():
        distinct = text[other].unique()
        spelled = {v: spell(v) for v in distinct}
        text = text.where(~other, text[other].map(spelled))
    return text


def to_ascii_values(values: np.ndarray) -> np.ndarray:
    """``spell`` for an array of distinct str values (as the linkage keeps them): only the
    non-ASCII ones are spelled."""
    other = np.fromiter((not v.isascii() for v in values), dtype=bool, count=len(values))
    if not other.any():
        return values
    out = np.array(values, dtype=object)
    out[other] = [spell(v) for v in out[other]]
    return out
