"""Candidate pairs by hash joins on blocking keys (no cartesian product, no per-pair Python).

Every rule is an equi-join on one int64 key computed for both sides. A key shared by more than
``cap`` records on the reference side is skipped for that rule (it cannot separate anyone; the
other rules still see those records). Rules, cheapest and surest first:

``nik``               same usable identifier
``nik_tanpa_serial``  NIK region + birth part agree, serial differs (typo in serial; twins)
``nik_tanpa_tanggal`` NIK region + serial agree (typo in the birth part)
``nik_tanpa_wilayah`` NIK birth part + serial agree (typo in the region part)
``id_satu_digit``     identifiers that are not 16-digit NIKs, with any two neighbouring digits
                      masked (one wrong digit or two swapped)
``nik_serumah``       the feed NIK's holder(s) on the roll -> every roll record of their household
                      (same NKK; the same address, desa and RT/RW where the holder has no NKK):
                      agencies type the family head's or a relative's NIK for a person, and the
                      right member must be a candidate even when the feed row has no NKK
``nkk``               same family card
``alamat``            same normalised street address (a household)
``lahir_nama``        birth date + the first three letters of any phonetic name token
``lahir_tukar_nama``  birth date with day and month swapped + the same name-token prefixes
``nama_desa``         whole phonetic name (word order free) + desa
``inti_desa``         core name (without MUHAMMAD, SITI, NUR...) + desa
``token_desa``        any phonetic name token + desa
``nama_tahun``        whole phonetic name + birth year (moved desa and a wrong day)
``lahir_desa``        birth date + desa (name mangled beyond recognition, NIK missing)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .normalize import swap_day_month
from .prepare import Records

RULES = ("nik", "nik_tanpa_serial", "nik_tanpa_tanggal", "nik_tanpa_wilayah", "id_satu_digit",
         "nik_serumah", "nkk",
         "alamat", "lahir_nama",
         "lahir_tukar_nama", "nama_desa", "inti_desa", "token_desa", "nama_tahun", "lahir_desa")
RULE_BIT = {r: 1 << i for i, r in enumerate(RULES)}


@dataclass
class Pairs:
    a: np.ndarray      # int64 record index (feed side, or first record for dedupe)
    b: np.ndarray      # int64 record index (roll side)
    rules: np.ndarray  # int32 bitmask of RULES that produced the pair

    def __len__(self) -> int:
        return len(self.a)


def join(lk: np.ndarray, lrows: np.ndarray, rk: np.ndarray, rrows: np.ndarray,
         cap: int) -> tuple[np.ndarray, np.ndarray]:
    """All (left row, right row) with equal keys (keys < 0 never join)."""
    lsel = lk >= 0
    rsel = rk >= 0
    lk, lrows, rk, rrows = lk[lsel], lrows[lsel], rk[rsel], rrows[rsel]
    if not len(lk) or not len(rk):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if len(rk) > 4 * len(lk):  # keep only right keys the left side has (hash lookup)
        hit = pd.Series(rk, copy=False).isin(np.unique(lk)).to_numpy()
        rk, rrows = rk[hit], rrows[hit]
        if not len(rk):
            return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(rk, kind="stable")
    rk_sorted, rrows_sorted = rk[order], rrows[order]
    lo = np.searchsorted(rk_sorted, lk, "left")
    hi = np.searchsorted(rk_sorted, lk, "right")
    cnt = hi - lo
    cnt[cnt > cap] = 0
    total = int(cnt.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    a = np.repeat(lrows, cnt)
    start = np.repeat(lo, cnt)
    within = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return a, rrows_sorted[start + within]


def self_join_pairs(k: np.ndarray, rows: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """``join(k, rows, k, rows, cap)`` restricted to a < b, without the mirrored half.

    Sorts the keys once; each block of c <= ``cap`` records yields its c(c-1)/2 pairs.
    """
    sel = k >= 0
    k, rows = k[sel], rows[sel]
    if len(k) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(k, kind="stable")
    ks, rs = k[order], rows[order]
    first = np.ones(len(ks), dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    starts = np.flatnonzero(first)
    cnt = np.diff(np.append(starts, len(ks)))
    ok = (cnt >= 2) & (cnt <= cap)
    if not ok.any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts, cnt = starts[ok], cnt[ok]
    # members of the kept blocks: position i, partners at i+1 .. block end
    member = np.repeat(starts, cnt) + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    later = np.repeat(starts + cnt, cnt) - member - 1
    total = int(later.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    ia = np.repeat(member, later)
    ib = ia + 1 + (np.arange(total) - np.repeat(np.cumsum(later) - later, later))
    a, b = rs[ia], rs[ib]
    a, b = np.minimum(a, b), np.maximum(a, b)
    keep = a < b
    return a[keep], b[keep]


def _keys(rec: Records, rule: str, rows: np.ndarray, side: str, cache: dict | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """(key, row) for ``rows`` under ``rule``; token rules return several keys per row.

    ``cache`` (the right side of one ``index.candidate_pairs`` call): the right side of
    ``lahir_tukar_nama`` is the right side of ``lahir_nama``, computed once."""
    if cache is not None and side == "right" and rule in ("lahir_nama", "lahir_tukar_nama"):
        if "lahir" not in cache:
            cache["lahir"] = _keys(rec, rule, rows, side)
        return cache.pop("lahir") if rule == "lahir_tukar_nama" else cache["lahir"]
    neg = np.int64(-1)
    if rule.startswith("nik_tanpa"):
        ok = rec.nik_ok[rows] & rec.nik_is16[rows]
    if rule == "nik":
        return rec.nik_key[rows], rows
    if rule == "nik_tanpa_serial":
        return np.where(ok, rec.nik_region[rows] * 1_000_000 + rec.nik_birth[rows], neg), rows
    if rule == "nik_tanpa_tanggal":
        return np.where(ok, rec.nik_region[rows] * 10_000 + rec.nik_serial[rows], neg), rows
    if rule == "nik_tanpa_wilayah":
        return np.where(ok, rec.nik_birth[rows] * 10_000 + rec.nik_serial[rows], neg), rows
    if rule == "nkk":
        return rec.nkk_key[rows], rows
    if rule == "alamat":
        return rec.addr_norm_code[rows], rows
    if rule == "id_satu_digit":
        sel = rows[rec.nik_ok[rows] & ~rec.nik_is16[rows]]
        if not len(sel):
            return np.empty(0, np.int64), sel
        raw = rec.nik[sel]
        length = np.char.str_len(raw).astype(np.int64)
        mat = raw.view(np.uint8).reshape(-1, 16).astype(np.int64) - 48
        mat[mat < 0] = 0
        pw = 10 ** np.arange(15, -1, -1, dtype=np.int64)
        keys, krows = [], []
        for i in range(15):
            m2 = mat.copy()
            m2[:, i] = 0
            m2[:, i + 1] = 0
            k = m2 @ pw + i * 10**16 + length * 10**17
            valid = length >= i + 2
            keys.append(k[valid])
            krows.append(sel[valid])
        return np.concatenate(keys), np.concatenate(krows)
    if rule in ("lahir_nama", "lahir_tukar_nama"):
        trows, tok = rec.take_tokens(rows, prefix=True)
        dob = rec.dob[trows]
        if rule == "lahir_tukar_nama" and side == "left":
            dob = swap_day_month(dob)
        ntok = int(rec.names["pre_code"].max()) + 1 if len(rec.names["pre_code"]) else 1
        return np.where(dob > 0, dob * ntok + tok, neg), trows
    desa = rec.desa_code[rows]
    if rule == "nama_desa":
        nm = rec.name_sorted_code[rows]
        return np.where((nm >= 0) & (desa >= 0), nm * 1_000_003 + desa, neg), rows
    if rule == "inti_desa":
        nm = rec.name_core_code[rows]
        return np.where((nm >= 0) & (desa >= 0), nm * 1_000_003 + desa, neg), rows
    if rule == "token_desa":
        trows, tok = rec.take_tokens(rows)
        d = rec.desa_code[trows]
        return np.where(d >= 0, tok * 1_000_003 + d, neg), trows
    if rule == "nama_tahun":
        nm, year = rec.name_sorted_code[rows], rec.dob[rows] // 10000
        return np.where((nm >= 0) & (year > 0), nm * 10_000 + year, neg), rows
    if rule == "lahir_desa":
        dob = rec.dob[rows]
        return np.where((dob > 0) & (desa >= 0), dob * 1_000_003 + desa, neg), rows
    raise KeyError(rule)


CAPS = {"nik_serumah": 20, "id_satu_digit": 50, "alamat": 50, "nik": 50, "nik_tanpa_serial": 50, "nik_tanpa_tanggal": 50, "nik_tanpa_wilayah": 50,
        "nkk": 50, "lahir_nama": 200, "lahir_tukar_nama": 200, "nama_desa": 100, "inti_desa": 100,
        "token_desa": 60, "nama_tahun": 100, "lahir_desa": 100}


#: Rules for a self-join (``deduplicate``): only keys a duplicate row keeps. A ganda row is a copy
#: of one person with at most a mistyped NIK, a name variant or another address, so the household
#: rules (``nkk``, ``alamat``) and the broad desa rules (``token_desa``, ``inti_desa``,
#: ``lahir_desa``) only add relatives and neighbours: a self-join squares their blocks.
#: ``nik_tanpa_wilayah`` is left out too: birth part + serial (serials are small numbers) is
#: shared by everyone born that day across the regency, and a copy with a mistyped region keeps
#: its birth date and name (``lahir_nama`` finds it).
DEDUPE_RULES = ("nik", "nik_tanpa_serial", "nik_tanpa_tanggal", "id_satu_digit", "lahir_nama", "lahir_tukar_nama", "nama_desa", "nama_tahun")
#: Tighter block-size caps for the self-join (a block of c records yields c(c-1)/2 pairs).
DEDUPE_CAPS = {"nik": 20, "nik_tanpa_serial": 30, "nik_tanpa_tanggal": 20, "nik_tanpa_wilayah": 20,
               "id_satu_digit": 20, "lahir_nama": 30, "lahir_tukar_nama": 30, "nama_desa": 30,
               "nama_tahun": 30}


def rule_pairs(rec: Records, rule: str, left: np.ndarray, right: np.ndarray, cap: int,
               self_join: bool = False, cache: dict | None = None, cap_nik: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of one rule as record rows (a pair may repeat: token rules).

    ``self_join``: a < b only; ``left is right`` too: one sorted self-join per block (the rule
    whose two sides differ, ``lahir_tukar_nama``, is joined both ways; ``nik_serumah`` yields
    nothing: a household is no duplicate, and a self-join would square it). ``cache``: shared by
    the rules of one ``index.candidate_pairs`` call (right-side keys computed once). ``cap_nik``: ``nik_serumah``'s cap on
    the NIK holders (default ``CAPS["nik"]``)."""
    if rule == "nik_serumah":
        if self_join:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return household_of_nik(rec, left, right, CAPS["nik"] if cap_nik is None else cap_nik, cap)
    if self_join and left is right and rule != "lahir_tukar_nama":
        k, r = _keys(rec, rule, left, "left")
        return self_join_pairs(k, r, cap)
    lk, lr = _keys(rec, rule, left, "left")
    rk, rr = _keys(rec, rule, right, "right", cache)
    a, b = join(lk, lr, rk, rr, cap)
    if self_join:
        keep = a < b
        a, b = a[keep], b[keep]
    return a, b


def household_of_nik(rec: Records, left: np.ndarray, right: np.ndarray, cap_nik: int,
                     cap_home: int) -> tuple[np.ndarray, np.ndarray]:
    """``nik_serumah``: (left row, right row) for every right record living with a right record
    that holds the left row's NIK (NKK, else the address key ``Records.home_addr``); households
    of more than ``cap_home`` records are skipped. Two hash joins."""
    fa, owner = join(rec.nik_key[left], left, rec.nik_key[right], right, cap_nik)
    if not len(fa):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    nkk_o = rec.nkk_key[owner]
    nkk_r = rec.nkk_key[right]
    a1, b1 = join(np.where(nkk_o >= 0, nkk_o, -1), fa, nkk_r, right, cap_home)
    addr_o = np.where(nkk_o < 0, rec.home_addr[owner], -1)
    a2, b2 = join(addr_o, fa, rec.home_addr[right], right, cap_home)
    return np.concatenate([a1, a2]), np.concatenate([b1, b2])


def union(out_a, out_b, out_bits, n: int) -> Pairs:
    a = np.concatenate(out_a) if out_a else np.empty(0, np.int64)
    b = np.concatenate(out_b) if out_b else np.empty(0, np.int64)
    bits = np.concatenate(out_bits) if out_bits else np.empty(0, np.int32)
    if not len(a):
        return Pairs(a, b, bits)
    code = a.astype(np.int64) * n + b
    order = np.argsort(code, kind="stable")
    code, bits = code[order], bits[order]
    first = np.ones(len(code), dtype=bool)
    first[1:] = code[1:] != code[:-1]
    starts = np.flatnonzero(first)
    merged = np.bitwise_or.reduceat(bits, starts)
    code = code[starts]
    return Pairs(code // n, code % n, merged.astype(np.int32))


def rule_names(bits: int) -> list[str]:
    return [r for r in RULES if bits & RULE_BIT[r]]
