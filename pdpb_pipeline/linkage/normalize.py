"""Normalisation of the fields linkage compares: Indonesian names, dates, NIK parts, addresses.

Everything here works on *unique* values (a roll of a million rows has far fewer distinct names,
tokens and dates), so the Python work is per distinct value and the per-row work is numpy.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

# --- names -------------------------------------------------------------------------------------

#: Spellings and abbreviations of one given name, mapped onto one key.
CANONICAL_TOKENS: dict[str, str] = {}
for _key, _variants in {
    "MUHAMMAD": "M MUH MUHD MHD MUHAMAD MUHAMMAD MUHAMMED MUHAMED MUHAMAT MUHAMMAT MOHAMAD MOHAMMAD "
                "MOHAMMED MOHAMED MOCH MOCHAMAD MOCHAMMAD MOCHAMED MOCHAMMED MOH MOHD MOHAMAT MUCH "
                "MUCHAMAD MUCHAMMAD MUKHAMAD MUKHAMMAD MOKHAMAD MOKHAMMAD MUHAMMMAD MUHAMAAD MUHAMMAAD "
                "MOEHAMMAD MOEHAMAD MUHAMMADH",
    "SITI": "ST SITI SITTI SITHI",
    "ABDUL": "ABD ABDUL ABDOEL ABDUL",
    "NUR": "NUR NOER NOOR NURR",
}.items():
    for _v in _variants.split():
        CANONICAL_TOKENS[_v] = _key

#: Honorifics and titles dropped wherever they stand as a token of their own.
TITLES = frozenset(
    "H HJ HAJI HAJJAH HAJAH KH KYAI KIAI DR DRS DRA IR PROF USTADZ USTAD UST USTADZAH TGK TEUNGKU "
    "BPK BAPAK IBU NY NYONYA SDR SDRI ALM ALMH ALMARHUM ALMARHUMAH".split()
)
#: Academic degrees (after the name, often after a comma); dropped when not the first token.
DEGREES = frozenset(
    "SPD SPDI SAG SKOM SH SHI SE SEI ST STP SIP SSOS SHUT SKES SKEP SFARM SSI SPSI SAK SIKOM SKED "
    "SKM SKEB SGZ SSTP SSN SDS STH STR SPT SHUM SPSIC SIKP SPI SMB SAP SS SI MPD MPDI MAG MKOM MH MM "
    "MSI MT MSC MKES MKN MAP MBA MSE MA AMD AMDKEB AMKEB AMKEP AMDKEP AMK AMA AMPD BA BSC SARJANA "
    "MHUM MKM PHD".split()
)
_DEGREE_TEXT = re.compile(
    r"(?<![A-Z])(?:S|M|A|D[1-4]?)\s?\.\s?(?:PD\.?I|PD|AG|KOM|H\.?I|H|E\.?I|E|T\.?P|T|IP|SOS|HUT|KES|"
    r"KEP|FARM|SI|PSI|AK|I\.?KOM|KED|K\.?M|KEB|GZ|SN|DS|TH|TR|PT|HUM|SC|MB|PI|AP|MD|MA|BA|PSIC|IKP|"
    r"M|S)\b\.?"
)
_NON_LETTER = re.compile(r"[^A-Z' ]+")
_SPACES = re.compile(r"\s+")


def _split_name(raw: str) -> list[str]:
    text = raw.upper()
    head, comma, tail = text.partition(",")
    if comma:  # "AHMAD, S.PD., M.M." : what follows a comma is degrees
        tail = _DEGREE_TEXT.sub(" ", tail)
        text = head + " " + tail
    text = _DEGREE_TEXT.sub(lambda m: " " if m.start() > 0 else m.group(0), text)
    text = text.replace(".", ". ").replace("'", "")
    return _NON_LETTER.sub(" ", text).split()


@lru_cache(maxsize=None)
def normalize_token(token: str) -> str:
    return CANONICAL_TOKENS.get(token, token)


def normalize_name(raw: str) -> str:
    """Upper case, titles and degrees removed, Muhammad/Siti/Abdul spellings unified.

    >>> normalize_name("H. Moch. Rizki, S.Pd.")
    'MUHAMMAD RIZKI'
    """
    tokens = _split_name(raw or "")
    out = []
    for i, t in enumerate(tokens):
        if t in TITLES and len(tokens) > 1:
            continue
        if i > 0 and t in DEGREES and t not in CANONICAL_TOKENS:
            continue
        out.append(normalize_token(t))
    if not out and tokens:
        out = [normalize_token(t) for t in tokens]
    return " ".join(out)


_PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("NJ", "NY"), ("CH", "H"), ("KH", "H"),
    ("PH", "F"), ("DH", "D"), ("TH", "T"), ("SH", "SY"), ("Y", "J"), ("V", "F"), ("Q", "K"),
    ("X", "KS"), ("Z", "S"), ("AE", "AI"), ("OU", "U"), ("EY", "EI"),
)
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=None)
def phonetic_token(token: str) -> str:
    """A key for one name token suited to Indonesian spelling (old and new, EYD).

    OE/U, DJ/J, TJ/C, J/Y, KH/CH/H, double letters and a final H are folded:
    ``phonetic_token("DJOKO") == phonetic_token("JOKO")``,
    ``phonetic_token("SOEHARTO") == phonetic_token("SUHARTO")``.
    """
    t = token
    if len(t) > 2 and t.endswith("Y"):
        t = t[:-1] + "I"
    for old, new in _PHONETIC_RULES:
        if old in t:
            t = t.replace(old, new)
    t = _DOUBLE.sub(r"\1", t)
    if len(t) > 2 and t.endswith("H"):
        t = t[:-1]
    return t


#: Tokens so common they say little alone ("core" name leaves them out).
FILLER = frozenset({"MUHAMMAD", "SITI", "NUR", "ABDUL", "BIN", "BINTI", "BT", "BN"})


_PLAIN = re.compile(r"^[A-Z ]*$")


@lru_cache(maxsize=None)
def _token_info(token: str) -> tuple[str, str, bool, bool]:
    """(canonical token, phonetic key, is title, is degree) of one upper-case token."""
    canon = normalize_token(token)
    return canon, phonetic_token(canon), token in TITLES, token in DEGREES and token not in CANONICAL_TOKENS


def _norm_tokens(raw: str) -> list[str]:
    if _PLAIN.match(raw):
        toks = raw.split()
        info = [_token_info(t) for t in toks]
        kept = [i for k, i in enumerate(info) if not (i[2] and len(toks) > 1) and not (k > 0 and i[3])]
        if not kept:
            kept = info
        return [i[0] for i in kept]
    return normalize_name(raw).split()


def name_table(names: np.ndarray) -> dict[str, np.ndarray]:
    """Per distinct raw name: normalised text, phonetic word-order-free key, token keys.

    Returns arrays aligned with ``names``: ``norm`` (str), ``sorted`` (phonetic tokens sorted,
    joined), ``core`` (sorted, without MUHAMMAD/SITI/NUR...), plus CSR arrays ``tok_off`` /
    ``tok`` (distinct phonetic tokens of each name).
    """
    n = len(names)
    norm = [""] * n
    srt = [""] * n
    core = [""] * n
    lengths = np.zeros(n, dtype=np.int64)
    toks: list[str] = []
    for i, raw in enumerate(names):
        nt = _norm_tokens(raw.upper() if not raw.isupper() else raw)
        norm[i] = " ".join(nt)
        ph = [_token_info(t)[1] for t in nt]
        uniq = sorted(set(ph))
        srt[i] = " ".join(sorted(ph))
        c = [p for p, t in zip(ph, nt) if t not in FILLER]
        core[i] = " ".join(sorted(c)) if c else srt[i]
        lengths[i] = len(uniq)
        toks.extend(uniq)
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=off[1:])
    return {"norm": np.array(norm, dtype=object), "sorted": np.array(srt, dtype=object),
            "core": np.array(core, dtype=object), "tok_off": off,
            "tok": np.array(toks, dtype=object)}


# --- dates ---------------------------------------------------------------------------------------

def date_parts(values) -> np.ndarray:
    """``yyyymmdd`` as int64 (0 when unknown) from ISO strings, datetimes or digit strings.

    Impossible dates written in a valid shape (``1956-13-02``) are kept: a swapped day and month
    is exactly the error linkage needs to see.
    """
    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = (s.dt.year * 10000 + s.dt.month * 100 + s.dt.day).fillna(0).astype(np.int64)
        return out.to_numpy()
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    parsed = np.zeros(len(uniq) + 1, dtype=np.int64)
    for i, v in enumerate(uniq):
        parsed[i] = _parse_date(v if isinstance(v, str) else str(v))
    return parsed[codes]


_DATE_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _parse_date(v: str) -> int:
    v = v.strip()
    if not v:
        return 0
    m = _DATE_ISO.match(v)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif (m := _DATE_DMY.match(v)):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif len(v) == 8 and v.isdigit():
        y, mo, d = int(v[:4]), int(v[4:6]), int(v[6:])
    else:
        return 0
    if not (1800 <= y <= 2200) or not (0 < mo <= 31) or not (0 < d <= 31):
        return 0
    return y * 10000 + mo * 100 + d


def swap_day_month(ymd: np.ndarray) -> np.ndarray:
    """The same dates with day and month swapped (0 where the swap is the same date or none)."""
    y, m, d = ymd // 10000, (ymd // 100) % 100, ymd % 100
    out = y * 10000 + d * 100 + m
    return np.where((ymd > 0) & (m != d) & (d <= 12), out, 0)


# --- NIK -----------------------------------------------------------------------------------------

def id_digits(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Identifier columns as fixed-width bytes (vectorised: millions of rows).

    Returns ``(raw, is_nik, usable)``: ``raw`` the value without spaces or dots as ``S16`` bytes
    (longer values are not identifiers we can compare and become empty); ``is_nik`` where the
    value has the 16-digit NIK/NKK structure; ``usable`` where the value can identify someone
    (digits only, not a placeholder such as ``3333333333333333``, ``1234567890123456`` or a
    ``0000`` serial).
    """
    vals = np.asarray(values, dtype=object)
    try:
        arr = vals.astype("S24")
    except UnicodeEncodeError:
        arr = np.array([str(v).encode("ascii", "replace") for v in vals], dtype="S24")
    width = 24
    pos = np.arange(width)

    def scan(arr):
        codes = arr.view(np.uint8).reshape(len(arr), width)
        length = np.char.str_len(arr) if len(arr) else np.zeros(0, int)
        is_digit = (codes >= 48) & (codes <= 57)
        clean = (is_digit | (codes == 0)).all(axis=1) & (length <= 16)
        return codes, length, is_digit, clean

    codes, length, is_digit, clean = scan(arr)
    odd = np.flatnonzero(~clean & (length > 0))
    if len(odd):  # spaces, dots, quotes: clean those few in Python
        arr = arr.copy()
        arr[odd] = np.array([re.sub(rb"[\s.'`-]", b"", v) for v in arr[odd]], dtype="S24")
        codes, length, is_digit, clean = scan(arr)
    ok = clean & (length > 0)
    digits = np.where(is_digit, codes - 48, 0)[:, :16].astype(np.int8)
    raw = np.where(ok, arr, b"").astype("S16")
    is16 = ok & (length == 16)
    # placeholders: at most two distinct digits, runs 1234... / 9876..., serial 0000
    masked = np.where(pos[:16] < length[:, None], digits, digits[:, :1])
    srt = np.sort(masked, axis=1)
    few = (np.diff(srt, axis=1) != 0).sum(axis=1) <= 1
    step = (digits[:, 1:].astype(np.int16) - digits[:, :-1]) % 10
    in_len = pos[1:16] < length[:, None]
    ascending = ((step == 1) | ~in_len).all(axis=1)
    descending = ((step == 9) | ~in_len).all(axis=1)
    zero_serial = is16 & (digits[:, 12:16] == 0).all(axis=1)
    placeholder = few | ascending | descending | zero_serial
    usable = ok & ~placeholder
    return raw, is16, usable


def nik_parts(raw: np.ndarray, is_nik: np.ndarray) -> dict[str, np.ndarray]:
    """NIK decomposed: region (6 digits), birth part DDMMYY (day + 40 for women), serial.

    Values are int64 (``-1`` where the value is not a 16-digit NIK).
    """
    digits = raw.view(np.uint8).reshape(-1, 16).astype(np.int64) - 48
    digits = np.where((digits >= 0) & (digits <= 9), digits, 0)
    w = 10 ** np.arange(5, -1, -1, dtype=np.int64)
    region = digits[:, 0:6] @ w
    birth = digits[:, 6:12] @ w
    serial = digits[:, 12:16] @ w[2:]
    neg = np.int64(-1)
    return {
        "region": np.where(is_nik, region, neg),
        "birth": np.where(is_nik, birth, neg),
        "serial": np.where(is_nik, serial, neg),
    }


def nik_birth_and_sex(birth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day, month, two-digit year and sex (1 L, 2 P, 0 unknown) encoded in the NIK birth part."""
    dd, mm, yy = birth // 10000, (birth // 100) % 100, birth % 100
    sex = np.where(birth < 0, 0, np.where(dd > 40, 2, 1))
    return np.where(dd > 40, dd - 40, dd), mm, yy, sex


# --- addresses -----------------------------------------------------------------------------------

_ADDR_WORDS = {
    "JALAN": "JL", "JLN": "JL", "KAMPUNG": "KP", "KMP": "KP", "KAMP": "KP", "DUSUN": "DSN",
    "PERUMAHAN": "PERUM", "NOMOR": "NO", "NOMER": "NO", "BLOK": "BLK", "GANG": "GG", "LINGKUNGAN": "LINK",
    "LINGK": "LINK", "LK": "LINK",
}
_RT_RW = re.compile(r"\bRT\.?\s*\d+|\bRW\.?\s*\d+")


def normalize_address(raw: str) -> str:
    text = _RT_RW.sub(" ", (raw or "").upper())
    text = re.sub(r"[^A-Z0-9 ]+", " ", text)
    return " ".join(_ADDR_WORDS.get(t, t) for t in text.split())


def normalize_place(raw: str) -> str:
    text = re.sub(r"[^A-Z ]+", " ", (raw or "").upper())
    text = re.sub(r"^(KAB|KABUPATEN|KOTA|KOTAMADYA)\s+", "", text.strip())
    return _SPACES.sub(" ", text).strip()


def digits_int(values) -> np.ndarray:
    """RT / RW as integers (0 when unknown): ``'003'``, ``'3'`` and ``'RT 03'`` agree."""
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    parsed = np.zeros(len(uniq) + 1, dtype=np.int64)
    for i, v in enumerate(uniq):
        d = re.sub(r"\D", "", str(v))
        parsed[i] = int(d[-6:]) if d else 0
    return parsed[codes]
