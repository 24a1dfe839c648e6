"""Turns person frames into the numpy arrays blocking and comparison work on.

Feed and roll are stacked into one record space (feed rows first) so that every code (name,
desa, place) means the same thing on both sides; deduplication uses the roll alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..domain.dates import date_parts
from ..domain.transliterate import to_ascii_values
from . import normalize as nz

FIELDS = ("id", "nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
          "status_kawin", "alamat", "rt", "rw", "kode_desa")
#: The columns linkage reads (``status_kawin`` is part of the schema but compared by nobody;
#: ``agency``, optional, names the source of a feed row: the model estimates how reliable each
#: source's NIKs are; absent or empty: one group).
USED = tuple(c for c in FIELDS if c != "status_kawin") + ("agency",)


@dataclass
class Records:
    n: int
    ids: np.ndarray            # object: record id as given
    nik: np.ndarray            # S16 bytes
    nik_is16: np.ndarray       # bool: 16-digit NIK structure
    nik_ok: np.ndarray         # bool: usable identifier (not empty / placeholder)
    nik_key: np.ndarray        # int64 (-1 when not usable)
    nik_region: np.ndarray     # int64 (-1 when not a 16-digit NIK)
    nik_birth: np.ndarray
    nik_serial: np.ndarray
    nkk_key: np.ndarray        # int64 (-1 when not usable)
    name_code: np.ndarray      # int64 index into the name table (-1 empty)
    names: dict                # name table (normalize.name_table) over distinct raw names
    name_sorted_code: np.ndarray  # int64 code of the phonetic word-order-free key (-1 empty)
    name_core_code: np.ndarray
    tf_sorted: np.ndarray      # float: share of reference records with this phonetic key
    dob: np.ndarray            # int64 yyyymmdd (0 unknown)
    dob_placeholder: np.ndarray  # bool: the date's day and month are a placeholder of the roll
    sex: np.ndarray            # int8 1 L, 2 P, 0 unknown
    place_code: np.ndarray     # int64 (-1 empty)
    places: np.ndarray         # normalised places
    desa_code: np.ndarray      # int64 (-1 empty)
    rtrw: np.ndarray           # int64 rt*1000+rw (0 unknown)
    addr_code: np.ndarray      # int64 (-1 empty)
    addrs: np.ndarray          # normalised addresses
    addr_norm_code: np.ndarray  # int64 code of the normalised address (-1 empty or too short)
    raw_names: np.ndarray      # object: names as given (for explanations)
    #: Household key of a record for the household-NIK rules: its address (normalised, with desa
    #: and RT/RW) where it has no NKK (-1 none). With ``nkk_key`` it says who lives together.
    home_addr: np.ndarray
    #: For a row outside the reference side (a feed row): the NKK / ``home_addr`` of the
    #: reference record(s) holding this row's NIK (-1: nobody, or a reference row itself).
    nik_home_nkk: np.ndarray
    nik_home_addr: np.ndarray
    #: Source group of each row (code into ``groups``; 0 = no agency given).
    group: np.ndarray
    groups: tuple

    def take_tokens(self, rows: np.ndarray, prefix: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(row, token code) for every phonetic token (or 3-letter token prefix) of ``rows``."""
        codes = self.name_code[rows]
        ok = codes >= 0
        rows, codes = rows[ok], codes[ok]
        off = self.names["tok_off"]
        lengths = off[codes + 1] - off[codes]
        rep = np.repeat(rows, lengths)
        start = np.repeat(off[codes], lengths)
        within = np.arange(len(rep)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return rep, self.names["pre_code" if prefix else "tok_code"][start + within]


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    col = frame[name]
    if name == "tanggal_lahir" and pd.api.types.is_datetime64_any_dtype(col):
        return col.to_numpy(dtype=object)  # Timestamps (NaT when unknown): date_parts reads them as they are
    if col.dtype == object:
        return col.to_numpy(dtype=object)  # NaN / None are handled per distinct value
    return col.astype(str).to_numpy(dtype=object)


def _strip_codes(codes: np.ndarray, uniq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values stripped (str); codes of values empty or missing become -1."""
    uniq = np.array([u.strip() if isinstance(u, str) else "" for u in uniq], dtype=object)
    empty = np.flatnonzero(uniq == "")
    if len(empty):
        codes = codes.copy()
        codes[np.isin(codes, empty)] = -1
    return codes, uniq


#: The columns coded per frame (``FramePrep.codes``): each one's distinct raw values.
CODED = ("nama", "jenis_kelamin", "tempat_lahir", "kode_desa", "alamat", "tanggal_lahir", "rt", "rw", "agency")


def _frame_raw_codes(f: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 missing) of one column's distinct raw values in one frame, and the values."""
    col = f[name] if name in f.columns else None
    if col is None:  # as the factorisation of the empty strings ``_column`` gives for it
        return np.zeros(len(f), dtype=np.int64), np.array([""] if len(f) else [], dtype=object)
    if isinstance(col.dtype, pd.CategoricalDtype):
        c = col.cat.codes.to_numpy().astype(np.int64)
        cats = col.cat.categories
        u = (cats.to_numpy(dtype=object) if cats.dtype == object
             else np.array([str(x) for x in cats], dtype=object))
    elif name == "tanggal_lahir" and pd.api.types.is_datetime64_any_dtype(col):
        # Factorised as datetime64: only the distinct dates become Timestamps (what
        # ``_column`` gives per row, two seconds for a million-voter roll), NaT missing.
        c, u = pd.factorize(col, use_na_sentinel=True)
        c, u = np.asarray(c, dtype=np.int64), np.asarray(pd.Index(u).astype(object), dtype=object)
    else:
        c, u = pd.factorize(_column(f, name), use_na_sentinel=True)
        c, u = c.astype(np.int64), np.asarray(u, dtype=object)
    return c, u


@dataclass
class FramePrep:
    """What ``prepare`` needs of one frame that does not depend on the other frames: its
    identifiers scanned (``normalize.id_scan``, row by row) and each coded column's distinct
    raw values. ``prepare_frame`` of the roll can run while the feed rows are still being read."""
    n: int
    ids: np.ndarray
    nik: tuple                 # id_scan of the NIK column
    nkk: tuple                 # id_scan of the NKK column
    codes: dict                # column -> (codes, distinct raw values), ``CODED``
    has_agency: bool


#: The name a roll's ``prepare_frame`` is kept under beside the roll (``DpbTables.roll_derived``).
ROLL_PREPARATION = "linkage.prepare_frame"


def prepare_frame(frame: pd.DataFrame) -> FramePrep:
    return FramePrep(n=len(frame), ids=_column(frame, "id"), nik=nz.id_scan(_column(frame, "nik")),
                     nkk=nz.id_scan(_column(frame, "nkk")),
                     codes={name: _frame_raw_codes(frame, name) for name in CODED},
                     has_agency="agency" in frame.columns)


def _raw_codes(frames: list[FramePrep], name: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 missing) of one column's distinct raw values over the stacked frames, and the
    values: each frame is factorised alone (a categorical column gives its codes for free) and
    only the distinct values are merged, so millions of strings are never concatenated."""
    parts, uniqs = zip(*[f.codes[name] for f in frames])
    if len(frames) == 1:
        return parts[0], uniqs[0]
    glob, guniq = pd.factorize(np.concatenate(uniqs), use_na_sentinel=True)
    out, off = [], 0
    for c, u in zip(parts, uniqs):
        remap = np.append(glob[off:off + len(u)].astype(np.int64), -1)
        out.append(remap[c])
        off += len(u)
    return np.concatenate(out), np.asarray(guniq, dtype=object)


def _frame_codes(frames: list[FramePrep], name: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 empty or missing) and stripped distinct values of one column, all frames."""
    return _strip_codes(*_raw_codes(frames, name))


def _per_value(frames: list[FramePrep], name: str, parse) -> np.ndarray:
    """``parse`` (distinct raw values -> array) applied once per distinct value, per row (0 where
    the value is missing)."""
    codes, raw = _raw_codes(frames, name)
    return np.append(parse(raw), 0)[codes]


#: A day and month is a placeholder when the roll holds at least this many times as many
#: birth dates on it as a day of the year gets on average ...
PLACEHOLDER_FACTOR = 4.0
#: ... and at least this many of them (a small roll cannot tell a placeholder from chance).
PLACEHOLDER_MIN = 30


def placeholder_days(dob: np.ndarray) -> np.ndarray:
    """Day-and-month codes (``mmdd``) that stand in for an unknown birth date, found from the
    dates themselves.

    Birthdays spread almost evenly over the year (seasons move a month by some percent, not by
    a factor). Registry offices give people without a birth certificate a fixed date (1 July,
    31 December, 1 January: which one varies by office and era), so a day and month holding
    ``PLACEHOLDER_FACTOR`` times its even share is such a convention, whichever it is. 29 February
    has a quarter of a day's share and is judged on that.
    """
    known = dob[dob > 0]
    if not len(known):
        return np.empty(0, np.int64)
    mmdd = known % 10000
    codes, counts = np.unique(mmdd, return_counts=True)
    expected = len(known) / 365.25 * np.where(codes == 229, 0.25, 1.0)
    hit = (counts >= PLACEHOLDER_FACTOR * expected) & (counts >= PLACEHOLDER_MIN)
    return codes[hit]


def prepare(frames: list[pd.DataFrame | FramePrep], tf_rows: slice | None = None) -> Records:
    """Stacks frames (canonical columns, any may be missing or empty; or their ``prepare_frame``)
    into one ``Records``.

    ``tf_rows``: the rows whose name frequencies define how common a name is (the roll).
    """
    frames = [f if isinstance(f, FramePrep) else prepare_frame(f) for f in frames]
    ids = np.concatenate([f.ids for f in frames])
    n = len(ids)
    # (id_scan works row by row: the frames' scans stacked are the scan of the stacked column)
    nik, is16, ok, nik_key = (np.concatenate(part) for part in zip(*[f.nik for f in frames]))
    parts = nz.nik_parts(nik, is16)
    _, nkk16, _, nkk_key = (np.concatenate(part) for part in zip(*[f.nkk for f in frames]))

    raw_name_code, raw_names = _raw_codes(frames, "nama")
    name_code, raw_uniq = _strip_codes(raw_name_code, raw_names)
    raw_uniq = to_ascii_values(raw_uniq)  # JOSÉ in the DPT is JOSE in a feed
    names = nz.name_table(raw_uniq)
    tok_uniq = names.pop("tok_uniq")
    names["tok_code"] = names.pop("tok_rank")
    pre_code, _ = pd.factorize(np.array([t[:3] for t in tok_uniq], dtype=object))
    names["pre_code"] = pre_code.astype(np.int64)[names["tok_code"]] if len(tok_uniq) else names["tok_code"]
    srt_code, core_code = names["sorted_code"], names["core_code"]
    safe = np.maximum(name_code, 0)
    name_sorted_code = np.where(name_code >= 0, srt_code[safe], -1)
    name_core_code = np.where(name_code >= 0, core_code[safe], -1)

    rows = np.arange(n) if tf_rows is None else np.arange(n)[tf_rows]
    ref = name_sorted_code[rows]
    ref = ref[ref >= 0]
    counts = np.bincount(ref, minlength=int(srt_code.max()) + 2 if len(srt_code) else 1).astype(float)
    total = max(len(ref), 1)
    tf = np.where(name_sorted_code >= 0, counts[np.maximum(name_sorted_code, 0)] / total, 0.0)

    sex_codes, sex_uniq = _frame_codes(frames, "jenis_kelamin")
    sex_map = np.array([{"L": 1, "P": 2}.get(u[:1].upper(), 0) for u in sex_uniq] + [0], dtype=np.int8)
    sex = sex_map[sex_codes]  # code -1 -> the trailing 0

    place_code, place_uniq = _frame_codes(frames, "tempat_lahir")
    places = np.array([nz.normalize_place(p) for p in to_ascii_values(place_uniq)], dtype=object)
    desa_code, _ = _frame_codes(frames, "kode_desa")
    addr_code, addr_uniq = _frame_codes(frames, "alamat")
    addrs = nz.normalize_addresses(to_ascii_values(addr_uniq))
    norm_codes, _ = pd.factorize(addrs)
    norm_codes = np.where(np.char.str_len(addrs.astype(str)) >= 5, norm_codes, -1)
    addr_norm_code = np.where(addr_code >= 0, norm_codes[np.maximum(addr_code, 0)], -1) if len(addrs) else addr_code
    dob = _per_value(frames, "tanggal_lahir", date_parts)
    dob_placeholder = np.isin(dob % 10000, placeholder_days(dob[rows])) & (dob > 0)
    rt, rw = _per_value(frames, "rt", nz.digits_int), _per_value(frames, "rw", nz.digits_int)
    rtrw = np.where((rt > 0) | (rw > 0), rt * 1000 + rw, 0)

    home_addr = np.where((addr_norm_code >= 0) & (desa_code >= 0),
                         (addr_norm_code * 1_000_003 + desa_code) * 1_000_000 + rtrw % 1_000_000,
                         np.int64(-1))
    nkk = np.where(nkk16, nkk_key, np.int64(-1))
    home_nkk, home_adr = nik_homes(nik_key, nkk, home_addr, rows)
    group, groups = _groups(frames)

    return Records(
        n=n, ids=ids, nik=nik, nik_is16=is16, nik_ok=ok,
        nik_key=nik_key, nik_region=parts["region"], nik_birth=parts["birth"],
        nik_serial=parts["serial"], nkk_key=nkk,
        name_code=name_code, names=names, name_sorted_code=name_sorted_code,
        name_core_code=name_core_code, tf_sorted=tf, dob=dob, dob_placeholder=dob_placeholder,
        sex=sex, place_code=place_code, places=places, desa_code=desa_code, rtrw=rtrw,
        addr_code=addr_code, addrs=addrs, addr_norm_code=addr_norm_code, raw_names=np.append(raw_names, "")[raw_name_code],
        home_addr=home_addr, nik_home_nkk=home_nkk, nik_home_addr=home_adr, group=group, groups=groups,
    )


def nik_homes(nik_key: np.ndarray, nkk: np.ndarray, home_addr: np.ndarray, ref: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """For every row outside ``ref``: the household (NKK, else address key) of the reference
    record holding its NIK; -1 where no reference record holds it (and on ``ref`` rows).

    Vectorised: the reference NIKs sorted once, every other row looked up by binary search.
    Where several reference records hold one NIK, the first in NIK order is taken."""
    n = len(nik_key)
    out_n = np.full(n, np.int64(-1))
    out_a = np.full(n, np.int64(-1))
    ref_mask = np.zeros(n, dtype=bool)
    ref_mask[ref] = True
    keys = nik_key[ref]
    sel = keys >= 0
    rk, rr = keys[sel], ref[sel]
    others = np.flatnonzero(~ref_mask & (nik_key >= 0))
    if not len(rk) or not len(others):
        return out_n, out_a
    order = np.argsort(rk, kind="stable")
    rk, rr = rk[order], rr[order]
    pos = np.searchsorted(rk, nik_key[others])
    pos = np.minimum(pos, len(rk) - 1)
    hit = rk[pos] == nik_key[others]
    rows, owner = others[hit], rr[pos[hit]]
    out_n[rows] = nkk[owner]
    out_a[rows] = np.where(nkk[owner] >= 0, np.int64(-1), home_addr[owner])
    return out_n, out_a


def _groups(frames: list[FramePrep]) -> tuple[np.ndarray, tuple]:
    """Code per row of the optional ``agency`` column (0: none given)."""
    if not any(f.has_agency for f in frames):
        return np.zeros(sum(f.n for f in frames), dtype=np.int32), ("",)
    codes, uniq = _frame_codes(frames, "agency")
    named = np.array([bool(str(u)) for u in uniq] + [False])
    if not named.any():
        return np.zeros(len(codes), dtype=np.int32), ("",)
    # codes of the named values only (empty strings are no group)
    remap = np.append(np.cumsum(named[:-1]), 0) * named
    names = ("",) + tuple(str(u) for u, k in zip(uniq, named[:-1]) if k)
    return remap[codes].astype(np.int32), names
