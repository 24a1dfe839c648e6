"""NIK and NKK: structure, faults seen in real lists, and masking.

NIK = ``PP KK CC DDMMYY SSSS``: province, regency, kecamatan where it was first issued, birth
date with 40 added to the day for women, serial. NKK = region (6 digits), registration date
``DDMMYY`` and a serial. Single values are parsed with ``lokal-id``; the vectorised functions
here serve frames of millions of rows.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from lokal import detect_pii, parse_nik


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


_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 10)], dtype=np.int8)


def placeholder_rows(digits: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The one placeholder rule: numbers typed in when the real NIK (or NKK) was unknown.

    Vectorised over rows of digits (``digits``: n x 16 values 0-9, of which a row's first
    ``length`` are its number). A placeholder has at most two distinct digits
    (``3333333333333333``, ``3201000000000000``...), runs up or down (``1234567890123456``,
    ``9876543210987654``), or is a 16-digit number with serial ``0000``. Only the rows whose first
    four digits allow a run or two digits are checked in full, so millions of rows cost little.
    """
    n = len(digits)
    first = np.zeros(n, dtype=np.uint16)
    up = np.ones(n, dtype=bool)
    down = np.ones(n, dtype=bool)
    prev = digits[:, 0].astype(np.int16) if n else np.zeros(0, np.int16)
    for i in range(4):
        col = np.where(length > i, digits[:, i], digits[:, 0])
        first |= np.left_shift(np.uint16(1), col.astype(np.uint16))
        if i:
            cur = col.astype(np.int16)
            step = (cur - prev) % 10
            up &= (step == 1) | (length <= i)
            down &= (step == 9) | (length <= i)
            prev = cur
    out = (length == 16) & (digits[:, 12:16] == 0).all(axis=1) if n else np.zeros(0, dtype=bool)
    c = np.flatnonzero((length > 0) & ((_POPCOUNT[first & 1023] <= 2) | up | down))
    if len(c):
        dg, ln = digits[c], length[c]
        inside = np.arange(16) < ln[:, None]
        masked = np.where(inside, dg, dg[:, :1])
        seen = np.bitwise_or.reduce(np.left_shift(np.uint16(1), masked.astype(np.uint16)), axis=1)
        few = _POPCOUNT[seen & 1023] <= 2
        step = (dg[:, 1:].astype(np.int8) - dg[:, :-1].astype(np.int8)) % 10
        outside = ~inside[:, 1:]
        ascending = ((step == 1) | outside).all(axis=1)
        descending = ((step == 9) | outside).all(axis=1)
        out[c] |= few | ascending | descending
    return out


def is_placeholder(nik: str) -> bool:
    """``placeholder_rows`` for one number of up to 16 digits (anything else is not a number)."""
    if not nik or len(nik) > 16 or not nik.isascii() or not nik.isdigit():
        return False
    digits = np.zeros((1, 16), dtype=np.uint8)
    digits[0, : len(nik)] = np.frombuffer(nik.encode(), dtype=np.uint8) - 48
    return bool(placeholder_rows(digits, np.array([len(nik)]))[0])


def placeholders(values) -> np.ndarray:
    """``is_placeholder`` of each value, in one ``placeholder_rows`` call (a feed's thousands of
    numbers cost what one did)."""
    values = list(values)
    numbers = [i for i, v in enumerate(values)
               if isinstance(v, str) and v and len(v) <= 16 and v.isascii() and v.isdigit()]
    out = np.zeros(len(values), dtype=bool)
    if numbers:
        # the digits after a number's length are zeros, as ``placeholder_rows`` expects
        text = "".join(values[i].ljust(16, "0") for i in numbers).encode()
        digits = (np.frombuffer(text, dtype=np.uint8) - 48).reshape(len(numbers), 16)
        out[numbers] = placeholder_rows(digits, np.array([len(values[i]) for i in numbers]))
    return out


def nik_fault(nik: str) -> str | None:
    """The reason a NIK cannot identify anybody, or None when it is usable."""
    value = (nik or "").strip()
    return _fault(value, lambda: is_placeholder(value))


def nik_faults(niks) -> list[str | None]:
    """``nik_fault`` of each value; the placeholder rule runs once for all of them."""
    values = [(nik or "").strip() for nik in niks]
    placeholder = placeholders(values)
    return [_fault(value, lambda p=bool(p): p) for value, p in zip(values, placeholder)]


def _fault(value: str, placeholder) -> str | None:
    """The one rule of ``nik_fault``; ``placeholder()`` says whether ``value`` is one."""
    if not value:
        return NIK_KOSONG
    if not SIXTEEN_DIGITS.match(value):
        return NIK_FORMAT
    if placeholder():
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


MASK_KEEP_VARIABLE = "PDPB_MASK_KEEP"
#: At most this many digits of a NIK or NKK may stay visible (head and tail together).
MAX_VISIBLE_DIGITS = 6
_KEEP = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*$")
#: The rule in force in this process: KPU's ``6,0`` until the deployment installs its own.
_rule: tuple[int, int] = (6, 0)


def mask_rule() -> tuple[int, int]:
    """How many leading and trailing digits stay visible, ``(head, tail)``.

    The default ``6,0`` keeps the kecamatan code and hides the birth date and serial: 10 of 16
    digits hidden, KPU's rule since 2020. The deployment's rule (``PDPB_MASK_KEEP``, the
    ``Publication`` resource's ``mask_keep``) is installed with ``use_mask_rule`` by the
    definitions when they load and by the resource when a run starts; every function here
    masks by it.
    """
    return _rule


def use_mask_rule(text: str) -> tuple[int, int]:
    """Makes ``"head,tail"`` the process's mask rule; ValueError (naming ``PDPB_MASK_KEEP``) for a
    malformed rule or one showing more than ``MAX_VISIBLE_DIGITS`` digits, and the rule in force
    stays as it was."""
    global _rule
    _rule = parse_mask_keep(text or "6,0")
    return _rule


@lru_cache(maxsize=8)
def parse_mask_keep(text: str) -> tuple[int, int]:
    """``"head,tail"`` as two numbers; ValueError naming the variable and the rule otherwise."""
    rule = (f"{MASK_KEEP_VARIABLE} must be HEAD,TAIL: two whole numbers >= 0 of digits left visible at the "
            f"start and at the end of a NIK or NKK, at most {MAX_VISIBLE_DIGITS} in all (default 6,0)")
    found = _KEEP.match(text)
    if not found:
        raise ValueError(f"{MASK_KEEP_VARIABLE}={text!r} is not valid: {rule}")
    head, tail = int(found.group(1)), int(found.group(2))
    if head + tail > MAX_VISIBLE_DIGITS:
        raise ValueError(f"{MASK_KEEP_VARIABLE}={text!r} would show {head + tail} digits: {rule}")
    return head, tail


def mask(value: str | None) -> str:
    """Masks a NIK or NKK for anything a person other than the data officer may see."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    head, tail = mask_rule()
    return _mask_value(text, head, tail)


def _mask_value(text: str, head: int, tail: int) -> str:
    """``mask`` of a stripped value. A NIK typed with separators (``7301 0305 1088 0004``) is masked as
    its digits and one in Excel's scientific form by its digits too, so it looks like any other."""
    if not text.isdigit():
        if _SEPARATED_DIGITS.fullmatch(text):
            text = _SEPARATORS.sub("", text)
        else:
            found = _EXCEL_SCIENTIFIC.fullmatch(text)
            if found and int(found.group(3)) >= 11:
                return _masked_scientific(found, head)
    return _masked(text, head, tail)


def _masked(text: str, head: int, tail: int) -> str:
    """``mask`` of a stripped text under the rule ``head,tail``."""
    if not text:
        return ""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + (text[-tail:] if tail else "")


# What free text may carry besides what lokal-id recognises: 12 or more digits, possibly with a
# single space, dot, dash or slash between them (a NIK typed "7301 0305 1088 0004", dotted
# "731612.161180.0002", cut to 15 or run on to 17 digits), and the scientific form Excel gives a
# long number ("3.20101E+15", "3,20101E+15": the mantissa keeps the first digits).
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ ./\-]?\d){11,}(?!\d)")
_EXCEL_SCIENTIFIC = re.compile(r"(?<![\d.,])(\d)(?:[.,](\d+))?[eE]\+?(\d{1,3})(?![\d.,])")
_SEPARATED_DIGITS = re.compile(r"\d(?:[ ./\-]?\d)*")
_SEPARATORS = re.compile(r"[ ./\-]")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_LOKAL_TYPES = ("NIK", "KK")


def _masked_scientific(found: re.Match, head: int) -> str:
    digits = found.group(1) + (found.group(2) or "")
    length = int(found.group(3)) + 1
    if length < 12:  # a number too short to be a NIK or NKK (also 1E+05 in a measurement)
        return found.group(0)
    shown = digits[:min(head, length)]
    return shown + "*" * (length - len(shown))  # the tail is lost to Excel's rounding: never shown


def mask_text(text: str) -> str:
    """Masks every NIK or NKK inside free text (a raw file row, an error message), in any spelling.

    Detection is lokal-id's (``detect_pii``, types NIK and KK) joined with our own catch-all for
    what it does not report (dotted forms, 15 or 17 digits, Excel's ``3.20101E+15``). Every
    identifier found is written the way ``mask`` writes one: its digits without separators,
    ``PDPB_MASK_KEEP`` head and tail visible, so all masked identifiers in our outputs look alike.
    lokal-id's detectors (a millisecond or more per text) run only on a text holding a run of 12
    digits or more; any other text is only checked for the scientific form. ``mask_text(mask_text(t)) == mask_text(t)``.
    """
    if not text:
        return text
    head, tail = mask_rule()
    if "E" in text or "e" in text:
        text = _EXCEL_SCIENTIFIC.sub(lambda m: _masked_scientific(m, head), text)
    if len(text) - len(text.translate(_NO_DIGITS)) < 12:
        return text
    spans = [m.span() for m in _LONG_NUMBER.finditer(text)]
    if not spans:
        # lokal-id reports a NIK or KK only for a run of 16 digits (single spaces or dashes
        # between them): such a run is a _LONG_NUMBER too. A text without one (a table of
        # counts, ~0.1 s in lokal-id's detectors each) has nothing to mask.
        return text
    spans += [(m.start, m.end) for m in detect_pii(text, types=_LOKAL_TYPES)]
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        piece = text[start:end]
        digits = "".join(c for c in piece if c.isdigit())
        if not digits or "*" in piece:  # nothing to hide, or masked already (lokal-id reads "NIK": "320101***")
            continue
        first = next(i for i, c in enumerate(piece) if c.isdigit())
        last = max(i for i, c in enumerate(piece) if c.isdigit())
        out += [text[at:start + first], _masked(digits, head, tail)]
        at = start + last + 1
    out.append(text[at:])
    return "".join(out)


def mask_series(values: pd.Series) -> pd.Series:
    """``mask`` for a whole column (missing values give ``""``), value for value the same result.

    One pass over the column: a 16-digit value (the common case) is sliced directly, anything
    else (empty, short, padded with spaces, typed with separators) goes through the rule of ``mask``.
    """
    head, tail = mask_rule()
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = values.fillna("").astype(str)
    if 0 <= head and 0 <= tail and head + tail < 16 and len(values) >= 10_000:
        return pd.Series(_mask_column(values.to_numpy(dtype=object), head, tail), index=values.index,
                         dtype=object, name=values.name)
    texts = values.to_numpy(dtype=object).tolist()
    if 0 <= head and 0 <= tail and head + tail < 16:
        stars, cut = "*" * (16 - head - tail), 16 - tail
        # isdigit() rules out surrounding spaces, so the value is its own strip().
        out = [v[:head] + stars + v[cut:] if len(v) == 16 and v.isdigit() else _mask_value(v.strip(), head, tail)
               for v in texts]
    else:
        out = [_mask_value(v.strip(), head, tail) for v in texts]
    return pd.Series(out, index=values.index, dtype=object, name=values.name)


def _mask_column(texts: np.ndarray, head: int, tail: int) -> np.ndarray:
    """``mask_series`` of a whole roll's column (str values): the 16 ASCII-digit values are sliced
    in arrow (a million in a tenth of a second instead of one Python call each), the few others
    take the per-value rule, so every value comes out exactly as ``mask_series`` writes it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(texts, type=pa.large_string())
    plain = pc.and_(pc.equal(pc.utf8_length(array), 16), pc.ascii_is_decimal(array))
    stars, cut = "*" * (16 - head - tail), 16 - tail
    out = pc.utf8_replace_slice(array, start=head, stop=cut, replacement=stars).to_numpy(zero_copy_only=False)
    others = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    for i in others.tolist():
        v = texts[i]
        out[i] = v[:head] + stars + v[cut:] if len(v) == 16 and v.isdigit() else _mask_value(v.strip(), head, tail)
    return out
