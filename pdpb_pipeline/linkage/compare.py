"""Field comparisons on candidate pairs: every comparison maps a pair to a discrete level.

Vectorised: gathers of numpy arrays plus rapidfuzz's ``process.cpdist`` kernels (pairwise,
multi-threaded). The last level of every comparison is ``kosong`` (a side is empty): it carries
no evidence either way. ``pdpb_pipeline.linkage.features`` runs these kernels as recordlinkage
``BaseCompareFeature`` classes inside ``recordlinkage.Compare`` (the engine's path: its base
class ``recordlinkage.base.BaseCompare``).

* ``nik`` compares the NIK by its parts (region, birth part, serial), never by string distance:
  people of one kecamatan born the same day have NIKs a digit or two apart.
* ``rumah_tangga`` (household) is ONE comparison for NKK, desa, RT/RW and address: they agree
  together for a whole family, so counting them as four independent pieces of evidence would
  make every relative look like the same person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist, cpdist

from .prepare import Records


@dataclass(frozen=True)
class Comparison:
    name: str
    label: str                 # what a reader sees
    levels: tuple[str, ...]    # best first; the last is always "kosong"


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("nik", "NIK", ("sama", "salah_satu_digit", "excel_terpotong", "serial_beda_satu_digit",
                              "kembar_beda_kelamin", "serial_beda", "milik_anggota_keluarga", "beda",
                              "kosong")),
    Comparison("nama", "Nama", ("sama", "ejaan_atau_urutan", "sangat_mirip", "mirip", "sebagian",
                                "beda", "kosong")),
    Comparison("tanggal_lahir", "Tanggal lahir", ("sama", "hari_bulan_tertukar", "satu_unsur_beda",
                                                  "dalam_sebulan", "tahun_sama", "beda", "kosong")),
    Comparison("jenis_kelamin", "Jenis kelamin", ("sama", "beda", "kosong")),
    Comparison("tempat_lahir", "Tempat lahir", ("sama", "mirip", "beda", "kosong")),
    Comparison("rumah_tangga", "Rumah tangga (NKK, alamat, RT/RW, desa)",
               ("nkk_sama", "alamat_sama", "desa_dan_alamat_atau_rt", "desa_sama", "alamat_mirip",
                "beda", "kosong")),
)
NAMES = tuple(c.name for c in COMPARISONS)
BY_NAME = {c.name: c for c in COMPARISONS}


def col(comparison: str) -> int:
    """Column of a comparison in the level matrix."""
    return NAMES.index(comparison)


def level(comparison: str, name: str) -> int:
    """Index of a level by its name: code never writes a level's number (adding a level would
    silently shift its meaning)."""
    return BY_NAME[comparison].levels.index(name)


def levels_of(comparison: str, *names: str) -> np.ndarray:
    """Indices of several levels (for ``np.isin``)."""
    return np.array([level(comparison, n) for n in names], dtype=np.int8)


def empty_level(comparison: str) -> int:
    return len(BY_NAME[comparison].levels) - 1


def similarity(a: np.ndarray, b: np.ndarray, scorer=JaroWinkler.normalized_similarity) -> np.ndarray:
    """Pairwise similarity of two equally long string arrays (rapidfuzz, all cores)."""
    if not len(a):
        return np.empty(0, dtype=np.float64)
    return np.asarray(cpdist(a, b, scorer=scorer, workers=-1), dtype=np.float64)


def coded_similarity(strings: np.ndarray, ca: np.ndarray, cb: np.ndarray,
                     scorer=JaroWinkler.normalized_similarity) -> np.ndarray:
    """``similarity(strings[ca], strings[cb])`` computed once per distinct pair of codes.

    Candidate pairs repeat the same two values often (places, addresses, common names), and
    one feed value meets many roll values: where the groups are big enough, each value of
    ``ca`` is prepared once as a query and scored against all its partners (``cdist``).
    """
    if not len(ca):
        return np.empty(0, dtype=np.float64)
    width = np.int64(len(strings) + 1)
    code, uniq = pd.factorize(ca.astype(np.int64) * width + cb)
    ua, ub = uniq // width, uniq % width
    order = np.argsort(ua, kind="stable")
    sa = ua[order]
    first = np.ones(len(sa), dtype=bool)
    first[1:] = sa[1:] != sa[:-1]
    starts = np.flatnonzero(first)
    if len(starts) * 16 > len(sa):
        out = similarity(strings[ua], strings[ub], scorer)
    else:
        ends = np.append(starts[1:], len(sa))
        queries = strings[sa[starts]].tolist()
        choices = strings[ub[order]].tolist()
        sims = np.empty(len(sa), dtype=np.float64)
        for q, i, j in zip(queries, starts.tolist(), ends.tolist()):
            sims[i:j] = cdist([q], choices[i:j], scorer=scorer, workers=1)[0]
        out = np.empty(len(sa), dtype=np.float64)
        out[order] = sims
    return out[code]


def nik_levels(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """NIK levels, by the NIK's parts (region 6 digits, birth part DDMMYY with day + 40 for women,
    serial 4 digits); ``a`` is the feed side where the sides differ.

    * ``sama``: the same usable identifier;
    * ``salah_satu_digit``: one digit wrong anywhere in the region or birth part, or two
      neighbouring digits swapped anywhere (typos);
    * ``excel_terpotong``: the first 15 digits agree and one side's 16th is 0 (Excel keeps 15
      significant digits of a number);
    * ``serial_beda_satu_digit`` / ``serial_beda``: region and birth part agree, the serial
      differs in one / more digits (another person born that day in the kecamatan, or a typo);
    * ``kembar_beda_kelamin``: same region, the birth parts differ only by the day +/- 40 (a boy
      and a girl born the same day there: opposite-sex twins), unless the two records' sexes
      agree (then the +40 is a typo of the day's tens digit and the rules above apply);
    * ``milik_anggota_keluarga``: ``a``'s NIK is the NIK of another person of ``b``'s household on
      the reference side (a relative's or the family head's NIK typed for the person);
    * ``beda``: anything else; ``kosong``: a side has no usable NIK (empty, placeholder,
      Excel's scientific notation).
    """
    L = lambda n: level("nik", n)  # noqa: E731
    lv = np.full(len(a), L("kosong"), dtype=np.int8)
    ok = rec.nik_ok[a] & rec.nik_ok[b]
    same = ok & (rec.nik_key[a] == rec.nik_key[b])
    idx = np.flatnonzero(ok & ~same)
    lv[ok] = L("beda")
    lv[same] = L("sama")
    if len(idx):
        ia, ib = a[idx], b[idx]
        mat = rec.nik.view(np.uint8).reshape(-1, 16)
        da, db = mat[ia], mat[ib]
        diff = da != db
        ham = diff.sum(1)
        head = diff[:, :12].sum(1)
        both16 = rec.nik_is16[ia] & rec.nik_is16[ib]
        # one adjacent transposition: two neighbouring positions differ and are swapped
        pos = np.argmax(diff, axis=1)
        nxt = np.minimum(pos + 1, 15)
        r = np.arange(len(idx))
        transposed = (ham == 2) & diff[r, nxt] & (da[r, pos] == db[r, nxt]) & (da[r, nxt] == db[r, pos])
        typo = ((ham == 1) & (~both16 | (head == 1))) | transposed
        level_ = np.full(len(idx), L("beda"), dtype=np.int8)
        serial_only = both16 & (head == 0)
        level_[serial_only & (ham == 1) & ~transposed] = L("serial_beda_satu_digit")
        level_[serial_only & (ham > 1) & ~transposed] = L("serial_beda")
        level_[typo & ~(serial_only & ~transposed)] = L("salah_satu_digit")
        level_[serial_only & transposed] = L("salah_satu_digit")
        # Excel: 15 significant digits kept, the 16th written as 0
        zero = np.uint8(48)
        excel = both16 & (ham == 1) & diff[:, 15] & ((da[:, 15] == zero) | (db[:, 15] == zero))
        level_[excel] = L("excel_terpotong")
        # opposite-sex twins: same region, birth part off by exactly 40 days (the sex offset)
        ba, bb = rec.nik_birth[ia], rec.nik_birth[ib]
        twin = (both16 & (rec.nik_region[ia] == rec.nik_region[ib])
                & (np.abs(ba - bb) == 400_000))
        sa, sb = rec.sex[ia], rec.sex[ib]
        twin &= ~((sa > 0) & (sa == sb))
        level_[twin] = L("kembar_beda_kelamin")
        hn, ha = rec.nik_home_nkk[ia], rec.nik_home_addr[ia]
        member = ((hn >= 0) & (hn == rec.nkk_key[ib])) | ((ha >= 0) & (ha == rec.home_addr[ib]))
        level_[member] = L("milik_anggota_keluarga")
        lv[idx] = level_
    return lv


def name_levels(rec: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Levels and the Jaro-Winkler similarity of the word-order-free phonetic names."""
    ca, cb = rec.name_code[a], rec.name_code[b]
    lv = np.full(len(a), 6, dtype=np.int8)
    sim = np.zeros(len(a))
    both = (ca >= 0) & (cb >= 0)
    names = rec.names
    norm, srt = names["norm"], names["sorted"]
    exact = both & (ca == cb)
    lv[exact] = 0
    sim[exact] = 1.0
    idx = np.flatnonzero(both & ~exact)
    if len(idx):
        ia, ib = ca[idx], cb[idx]
        level = np.full(len(idx), 5, dtype=np.int8)
        eq_norm = norm[ia] == norm[ib]
        eq_srt = names["sorted_code"][ia] == names["sorted_code"][ib]
        jw = coded_similarity(srt, ia, ib)
        jw_norm = coded_similarity(norm, ia, ib)
        jw = np.maximum(jw, jw_norm)
        rest = ~(eq_norm | eq_srt)
        core_eq = rec.name_core_code[a[idx]] == rec.name_core_code[b[idx]]
        # token-set similarity only decides where the Jaro-Winkler and the core name do not
        tset = np.zeros(len(idx))
        r_idx = np.flatnonzero(rest & (jw < 0.86) & ~core_eq)
        tset[r_idx] = coded_similarity(srt, ia[r_idx], ib[r_idx], fuzz.token_set_ratio) / 100.0
        level[rest & ((jw >= 0.75) | (tset >= 0.7))] = 4
        level[rest & ((jw >= 0.86) | (tset >= 0.999) | core_eq)] = 3
        level[rest & (jw >= 0.93)] = 2
        level[eq_srt] = 1
        level[eq_norm] = 0
        jw[eq_norm | eq_srt] = 1.0
        lv[idx] = level
        sim[idx] = jw
    return lv, sim


def _nik_dmy(rec: Records, rows: np.ndarray) -> np.ndarray:
    """The birth date a 16-digit NIK encodes as day*10000 + month*100 + two-digit year (-1)."""
    birth = rec.nik_birth[rows]
    dd, mm, yy = birth // 10000, (birth // 100) % 100, birth % 100
    dd = np.where(dd > 40, dd - 40, dd)
    ok = (birth >= 0) & rec.nik_ok[rows] & (dd >= 1) & (dd <= 31) & (mm >= 1) & (mm <= 12)
    return np.where(ok, dd * 10000 + mm * 100 + yy, -1)


def _dmy(dob: np.ndarray) -> np.ndarray:
    return np.where(dob > 0, (dob % 100) * 10000 + ((dob // 100) % 100) * 100 + (dob // 10000) % 100, -2)


#: Birth dates within this many days count as "dalam_sebulan" (a neighbouring date: a day
#: mistyped across a month's end, a date copied from the wrong document). The width is a
#: month, as in Splink's and most linkers' date comparisons; the weight of the level is
#: estimated by EM, so nothing assumes how often such dates occur.
DATE_NEAR_DAYS = 31


def _days(ymd: np.ndarray) -> np.ndarray:
    """Days since 1 Jan 1 of ``yyyymmdd`` values, for dates that may not exist (31 Feb): the
    parts are kept as written (dates.date_parts), so months count 31 days here."""
    y, m, d = ymd // 10000, (ymd // 100) % 100, ymd % 100
    return y * 372 + (m - 1) * 31 + (d - 1)


def date_levels(rec: Records, a: np.ndarray, b: np.ndarray, use_nik: bool = True) -> np.ndarray:
    """Birth dates; a date that the other side's NIK encodes counts as the same date.

    Levels: ``sama``; ``hari_bulan_tertukar`` (day and month exchanged: DD-MM read as MM-DD);
    ``satu_unsur_beda`` (exactly one of day, month, year typed differently); ``dalam_sebulan``
    (within ``DATE_NEAR_DAYS`` days); ``tahun_sama`` (same year only); ``beda``; ``kosong``.

    * A typed birth date that disagrees with the record's own NIK is the commonest date fault
      (the registry never reissues a NIK to fix it), so where one side's typed date is exactly
      the date the other side's NIK encodes, the dates agree (``sama``).
    * A date on a *placeholder day* (``Records.dob_placeholder``: a day and month far more
      frequent in the roll than birthdays are, found from the roll itself, whatever the
      office's convention) says only the year: agreement on it, or with it, is ``tahun_sama``.
    """
    da, db = rec.dob[a], rec.dob[b]
    lv = np.full(len(a), 6, dtype=np.int8)
    both = (da > 0) & (db > 0)
    ya, ma, dda = da // 10000, (da // 100) % 100, da % 100
    yb, mb, ddb = db // 10000, (db // 100) % 100, db % 100
    same_parts = (ya == yb).astype(int) + (ma == mb) + (dda == ddb)
    near = np.abs(_days(da) - _days(db)) <= DATE_NEAR_DAYS
    lv[both] = 5
    lv[both & (ya == yb)] = 4
    lv[both & near] = 3
    lv[both & (same_parts == 2)] = 2
    lv[both & (ya == yb) & (ma == ddb) & (dda == mb) & (ma != dda)] = 1
    lv[both & (da == db)] = 0
    # the other side's NIK says the same date (typed date mistyped on one side)
    alt = both & (da != db)
    if use_nik and alt.any():
        i = np.flatnonzero(alt)
        na, nb = _nik_dmy(rec, a[i]), _nik_dmy(rec, b[i])
        hit = (na == _dmy(db[i])) | (nb == _dmy(da[i]))
        lv[i[hit]] = 0
    # a placeholder day carries the year alone
    ph = both & (rec.dob_placeholder[a] | rec.dob_placeholder[b])
    if ph.any():
        lv[ph] = np.where(ya[ph] == yb[ph], 4, 5)
    return lv


def sex_levels(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    sa, sb = rec.sex[a], rec.sex[b]
    return np.where((sa == 0) | (sb == 0), 2, np.where(sa == sb, 0, 1)).astype(np.int8)


def place_levels(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ca, cb = rec.place_code[a], rec.place_code[b]
    lv = np.full(len(a), 3, dtype=np.int8)
    both = (ca >= 0) & (cb >= 0)
    sa, sb = np.maximum(ca, 0), np.maximum(cb, 0)
    pa, pb = rec.places[sa], rec.places[sb]
    both &= (pa != "") & (pb != "")
    same = both & (pa == pb)
    lv[both] = 2
    idx = np.flatnonzero(both & ~same)
    if len(idx):
        jw = coded_similarity(rec.places, sa[idx], sb[idx])
        lv[idx[jw >= 0.9]] = 1
    lv[same] = 0
    return lv


def household_levels(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ka, kb = rec.nkk_key[a], rec.nkk_key[b]
    dsa, dsb = rec.desa_code[a], rec.desa_code[b]
    ra, rb = rec.rtrw[a], rec.rtrw[b]
    aa, ab = rec.addr_code[a], rec.addr_code[b]
    known_a = (ka >= 0) | (dsa >= 0) | (aa >= 0)
    known_b = (kb >= 0) | (dsb >= 0) | (ab >= 0)
    addr_both = (aa >= 0) & (ab >= 0)
    addr_sim = np.zeros(len(a), dtype=bool)
    addr_sim[addr_both & (aa == ab)] = True
    idx = np.flatnonzero(addr_both & (aa != ab))
    if len(idx):
        xa, xb = rec.addrs[aa[idx]], rec.addrs[ab[idx]]
        addr_sim[idx] = (xa == xb) | (coded_similarity(rec.addrs, aa[idx], ab[idx]) >= 0.9)
    same_desa = (dsa >= 0) & (dsa == dsb)
    same_rt = (ra > 0) & (ra == rb)
    lv = np.full(len(a), 5, dtype=np.int8)
    lv[addr_sim] = 4
    lv[same_desa] = 3
    lv[same_desa & (addr_sim | same_rt)] = 2
    lv[same_desa & addr_sim & same_rt] = 1
    lv[(ka >= 0) & (ka == kb)] = 0
    lv[~(known_a & known_b)] = 6
    return lv


def compare(rec: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level matrix (pairs x comparisons, int8, in ``COMPARISONS`` order) and name similarity."""
    nm, sim = name_levels(rec, a, b)
    cols = [nik_levels(rec, a, b), nm, date_levels(rec, a, b), sex_levels(rec, a, b),
            place_levels(rec, a, b), household_levels(rec, a, b)]
    return np.stack(cols, axis=1) if len(a) else np.empty((0, len(cols)), np.int8), sim
