"""Normalisation of the fields linkage compares: Indonesian names, dates, NIK parts, addresses.

Everything here works on *unique* values (a roll of a million rows has far fewer distinct names,
tokens and dates), so the Python work is per distinct value and the per-row work is numpy.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd

from ..domain.nik import placeholder_rows

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


_LETTERS = re.compile(r"[A-Z]+")


@lru_cache(maxsize=None)
def _token_info(token: str) -> tuple[str, str, bool, bool]:
    """(canonical token, phonetic key, is title, is degree) of one upper-case token."""
    canon = normalize_token(token)
    return canon, phonetic_token(canon), token in TITLES, token in DEGREES and token not in CANONICAL_TOKENS


def _join_groups(tokens: list, owner: np.ndarray, n: int) -> np.ndarray:
    """``" ".join`` of the tokens of each group (``owner`` sorted ascending), as an object array.

    One ``str.join`` over all tokens and one ``split`` instead of a join per group.
    """
    out = np.full(n, "", dtype=object)
    if not len(tokens):
        return out
    last = np.ones(len(owner), dtype=bool)
    last[:-1] = owner[1:] != owner[:-1]
    seps = np.array([" ", "\x00"], dtype=object)[last.view(np.int8)].tolist()
    parts = [None] * (2 * len(tokens))
    parts[0::2] = tokens
    parts[1::2] = seps
    joined = "".join(parts).split("\x00")[:-1]
    out[owner[last]] = joined
    return out


def _string_codes(values: np.ndarray) -> np.ndarray:
    """Codes of distinct strings, -1 for the empty string."""
    codes, uniq = pd.factorize(values)
    codes = codes.astype(np.int64)
    empty = [i for i, u in enumerate(uniq) if u == ""]
    return np.where(codes == empty[0], -1, codes) if empty else codes


def name_table(names: np.ndarray) -> dict[str, np.ndarray]:
    """Per distinct raw name: normalised text, phonetic word-order-free key, token keys.

    Returns arrays aligned with ``names``: ``norm`` (str), ``sorted`` (phonetic tokens sorted,
    joined), ``core`` (sorted, without MUHAMMAD/SITI/NUR...), their exact integer codes
    ``sorted_code`` / ``core_code`` (-1 for an empty name), plus CSR arrays ``tok_off`` /
    ``tok_rank`` (distinct phonetic tokens of each name, alphabetical, as indices into
    ``tok_uniq``, the distinct tokens in alphabetical order).

    Vectorised: the Python work is per distinct *token* (a few thousand); names are handled as
    flat token arrays. Names with anything but letters and spaces (dots, commas, apostrophes:
    titles and degrees written out) go through ``normalize_name`` one by one.
    """
    n = len(names)
    names = [v if isinstance(v, str) else "" for v in names]
    # one upper() and one split() over all names; "\x01" (not whitespace) separates names
    flat = " \x01 ".join(names).upper().split() if n else []
    tcode, tuniq = pd.factorize(np.array(flat, dtype=object)) if flat else (np.zeros(0, np.int64), [])
    tcode = tcode.astype(np.int64)
    sep = [i for i, t in enumerate(tuniq) if t == "\x01"]
    is_sep = tcode == sep[0] if len(sep) else np.zeros(len(tcode), dtype=bool)
    if int(is_sep.sum()) != n - 1 or any("\x01" in v for v in tuniq if v != "\x01"):
        # the separator inside a name: split one by one
        split = [v.upper().split() for v in names]
        flat = list(chain.from_iterable(split))
        tcode, tuniq = pd.factorize(np.array(flat, dtype=object)) if flat else (np.zeros(0, np.int64), [])
        tcode = tcode.astype(np.int64)
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=n)
    else:
        lengths = np.diff(np.concatenate([[-1], np.flatnonzero(is_sep), [len(tcode)]])) - 1
        tcode = tcode[~is_sep]
    plain_tok = np.array([bool(_LETTERS.fullmatch(t)) for t in tuniq], dtype=bool)
    info = [_token_info(t) for t in tuniq]
    is_title = np.array([i[2] for i in info], dtype=bool)
    is_degree = np.array([i[3] for i in info], dtype=bool)
    canon = np.array([i[0] for i in info], dtype=object)
    owner = np.repeat(np.arange(n), lengths)
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(len(owner)) - np.repeat(starts, lengths)
    # a name is plain when all its tokens are letters only
    bad = np.zeros(n, dtype=bool)
    if len(tcode):
        bad[owner[~plain_tok[tcode]]] = True
    # plain names: titles dropped (when not alone), degrees dropped (when not first), canonical
    drop = (is_title[tcode] & (lengths[owner] > 1)) | ((pos > 0) & is_degree[tcode])
    kept = np.bincount(owner[~drop], minlength=n) if len(owner) else np.zeros(n, np.int64)
    drop &= kept[owner] > 0
    keep = ~drop & ~bad[owner]
    odd = np.flatnonzero(bad)
    odd_toks = [normalize_name(names[i].upper()).split() for i in odd]
    nt_owner = np.concatenate([owner[keep], np.repeat(odd, [len(t) for t in odd_toks]).astype(np.int64)])
    nt_tok = np.concatenate([canon[tcode[keep]],
                             np.array(list(chain.from_iterable(odd_toks)), dtype=object)])
    order = np.argsort(nt_owner, kind="stable")
    nt_owner, nt_tok = nt_owner[order], nt_tok[order]
    norm = _join_groups(nt_tok.tolist(), nt_owner, n)
    # phonetic keys per distinct normalised token; ranks in alphabetical order of the key
    ncode, nuniq = pd.factorize(nt_tok) if len(nt_tok) else (np.zeros(0, np.int64), [])
    ph_of = np.array([_token_info(t)[1] for t in nuniq], dtype=object)
    filler = np.array([t in FILLER for t in nuniq], dtype=bool)
    ph_code, ph_uniq = pd.factorize(ph_of) if len(ph_of) else (np.zeros(0, np.int64), np.zeros(0, object))
    alpha = np.empty(len(ph_uniq), dtype=np.int64)
    alpha[np.argsort(np.asarray(ph_uniq, dtype=str), kind="stable")] = np.arange(len(ph_uniq))
    rank = alpha[ph_code][ncode] if len(ncode) else np.zeros(0, np.int64)
    ph_sorted_str = np.sort(np.asarray(ph_uniq, dtype=str)).astype(object) if len(ph_uniq) else np.zeros(0, object)
    o = np.lexsort((rank, nt_owner))
    s_owner, s_rank, s_fill = nt_owner[o], rank[o], filler[ncode[o]] if len(o) else np.zeros(0, bool)
    srt = _join_groups(ph_sorted_str[s_rank].tolist(), s_owner, n)
    sorted_code = _string_codes(srt)
    # core: without filler tokens; a name of fillers only keeps them all
    has_core = np.zeros(n, dtype=bool)
    has_core[s_owner[~s_fill]] = True
    ck = ~s_fill | ~has_core[s_owner]
    c_owner, c_rank = s_owner[ck], s_rank[ck]
    core = _join_groups(ph_sorted_str[c_rank].tolist(), c_owner, n)
    core_code = np.where(sorted_code >= 0, _string_codes(core), -1)
    # distinct phonetic tokens of each name (alphabetical)
    dup = np.zeros(len(s_owner), dtype=bool)
    dup[1:] = (s_owner[1:] == s_owner[:-1]) & (s_rank[1:] == s_rank[:-1])
    u_owner, u_rank = s_owner[~dup], s_rank[~dup]
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u_owner, minlength=n), out=off[1:])
    return {"norm": norm, "sorted": srt, "core": core, "sorted_code": sorted_code,
            "core_code": core_code, "tok_off": off, "tok_rank": u_rank, "tok_uniq": ph_sorted_str}


# --- dates ---------------------------------------------------------------------------------------

def swap_day_month(ymd: np.ndarray) -> np.ndarray:
    """The same dates with day and month swapped (0 where the swap is the same date or none)."""
    y, m, d = ymd // 10000, (ymd // 100) % 100, ymd % 100
    out = y * 10000 + d * 100 + m
    return np.where((ymd > 0) & (m != d) & (d <= 12), out, 0)


# --- NIK -----------------------------------------------------------------------------------------

_ONES = np.uint64(0x0101010101010101)


def _all16(mask: np.ndarray) -> np.ndarray:
    """Row-wise ``all`` of an (n, 16) bool matrix (as two 8-byte words per row)."""
    v = np.ascontiguousarray(mask).view(np.uint64)
    return (v[:, 0] == _ONES) & (v[:, 1] == _ONES)


def _decimal16(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values of the first and last 8 digits of each row of an (n, 16) uint8 matrix of 0-9.

    Eight digits at a time in one 64-bit word (little-endian: the first digit is the lowest byte).
    """
    x = np.ascontiguousarray(digits).view("<u8").astype(np.uint64, copy=False)
    m8, m16, m32 = np.uint64(0x00FF00FF00FF00FF), np.uint64(0x0000FFFF0000FFFF), np.uint64(0xFFFFFFFF)
    y = (x & m8) * np.uint64(10) + ((x >> np.uint64(8)) & m8)
    z = (y & m16) * np.uint64(100) + ((y >> np.uint64(16)) & m16)
    w = ((z & m32) * np.uint64(10000) + (z >> np.uint64(32))).astype(np.int64)
    return w[:, 0], w[:, 1]


def id_scan(values) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Identifier columns as fixed-width bytes and keys (vectorised: millions of rows).

    Returns ``(raw, is_nik, usable, key)``: ``raw`` the value without spaces, dots, quotes or
    dashes as ``S16`` bytes (longer values are not identifiers we can compare and become empty);
    ``is_nik`` where the value has the 16-digit NIK/NKK structure; ``usable`` where the value can
    identify someone (digits only, not a placeholder of ``domain.nik.placeholder_rows`` such as
    ``3333333333333333``, ``1234567890123456`` or a ``0000`` serial); ``key`` the identifier as
    an int64 (-1 where not usable).
    """
    vals = np.asarray(values)
    if vals.dtype.kind != "S":
        vals = np.asarray(values, dtype=object)
    try:
        arr = vals.astype("S24")
    except UnicodeEncodeError:
        arr = np.array([str(v).encode("ascii", "replace") for v in vals], dtype="S24")
    n = len(arr)

    def scan(arr):
        head = np.ascontiguousarray(arr.view(np.uint8).reshape(n, 24)[:, :16])
        length = np.char.str_len(arr) if n else np.zeros(0, int)
        d = head - np.uint8(48)
        is_digit = d <= 9
        clean = _all16(is_digit | (head == 0)) & (length <= 16)
        return head, d, length, is_digit, clean

    head, d, length, is_digit, clean = scan(arr)
    odd = np.flatnonzero(~clean & (length > 0))
    if len(odd):  # spaces, dots, quotes: clean those few in Python
        arr = arr.copy()
        arr[odd] = np.array([re.sub(rb"[\s.'`-]", b"", v) for v in arr[odd]], dtype="S24")
        head, d, length, is_digit, clean = scan(arr)
    ok = clean & (length > 0)
    head[~ok] = 0
    raw = head.view("S16").ravel()
    is16 = ok & (length == 16)
    digits = np.where(is_digit, d, np.uint8(0))
    placeholder = placeholder_rows(digits, np.where(ok, length, 0))
    hi, lo = _decimal16(digits)
    usable = ok & ~placeholder
    key = np.where(usable & (length == 16), hi * 100_000_000 + lo, np.int64(-1))
    short = np.flatnonzero(usable & (length < 16))
    if len(short):
        key[short] = raw[short].astype(np.int64)
    return raw, is16, usable, key


def nik_parts(raw: np.ndarray, is_nik: np.ndarray) -> dict[str, np.ndarray]:
    """NIK decomposed: region (6 digits), birth part DDMMYY (day + 40 for women), serial.

    Values are int64 (``-1`` where the value is not a 16-digit NIK).
    """
    u8 = np.ascontiguousarray(raw).view(np.uint8).reshape(-1, 16) - np.uint8(48)
    hi, lo = _decimal16(np.where(u8 <= 9, u8, np.uint8(0)))
    neg = np.int64(-1)
    return {
        "region": np.where(is_nik, hi // 100, neg),
        "birth": np.where(is_nik, (hi % 100) * 10_000 + lo // 10_000, neg),
        "serial": np.where(is_nik, lo % 10_000, neg),
    }


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


_ADDR_JUNK = re.compile("[^A-Z0-9 \x01]+")
_ADDR_SPACES = re.compile(" {2,}")


def normalize_addresses(values) -> np.ndarray:
    """``normalize_address`` of many distinct values at once (regexes over one joined text)."""
    values = [v if isinstance(v, str) else "" for v in values]
    if not values or any("\x01" in v for v in values):
        return np.array([normalize_address(v) for v in values], dtype=object)
    text = "\x01".join(values).upper()
    text = _ADDR_JUNK.sub(" ", _RT_RW.sub(" ", text))
    # whole words only: every word is between spaces now; none of the replacements is itself
    # replaced, so their order is free; twice for a word repeated next to itself
    text = " " + text.replace("\x01", " \x01 ") + " "
    for word, short in _ADDR_WORDS.items():
        if f" {word} " in text:
            text = text.replace(f" {word} ", f" {short} ").replace(f" {word} ", f" {short} ")
    text = _ADDR_SPACES.sub(" ", text).replace(" \x01", "\x01").replace("\x01 ", "\x01")
    out = text.split("\x01")
    if len(out) != len(values):  # upper() made a separator of something: one by one
        return np.array([normalize_address(v) for v in values], dtype=object)
    return np.array([v.strip(" ") for v in out], dtype=object)


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
