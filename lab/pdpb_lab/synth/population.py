"""The synthetic population: households, persons, identities (NIK, NKK), all vectorised.

Households are built from member slots (head, spouse, up to seven children, a grandparent) so
that the age pyramid, household sizes and marital statuses follow from how Indonesian
households form: couples with children who leave home in their twenties, young single workers,
widowed elders living alone or with a child's family. Calibrated to ~27% under 17, mean
household size ~3.6, sex ratio ~101, most people married by 25-30.

Besides the residents at baseline the table holds two pools generated up front (so that NIK
serials are unique across everybody): households that will move into the regency during the
simulated months (``pendatang``) and persons from other regencies who will pass through the
regency's prisons (``luar``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import names as N
from .profiles import population as population_profile
from .config import SynthConfig
from .places import OTHER_CITIES, Geo, addresses, rw_rt_capacity

# status_baseline codes
PENDUDUK, LUAR_NEGERI, MENINGGAL, PINDAH, PENDATANG, LUAR = range(6)
STATUS_NAMES = ("penduduk", "luar_negeri", "meninggal", "pindah", "pendatang", "luar")
ROLE_NAMES = ("KEPALA KELUARGA", "ISTRI", "ANAK", "ORANG TUA", "MENANTU", "CUCU")
NIK_SRC_NAMES = ("kecamatan_sendiri", "kecamatan_lain", "kabupaten_lain", "kode_lama")
MARITAL = np.array(["B", "S", "P"], dtype=object)
DAYS_PER_YEAR = 365.2425


@dataclass
class Persons:
    """Column arrays of the population; index = person number (person_id P0000001 = 0)."""

    cols: dict[str, np.ndarray] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["cols"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __len__(self) -> int:
        return len(self.cols["hh"])

    def set(self, name: str, values: np.ndarray) -> None:
        self.cols[name] = values


# ---------------------------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------------------------
def _head_age(rng: np.random.Generator, n: int) -> np.ndarray:
    ages = np.arange(20, 91)
    rise = np.clip((ages - 21) / 10.0, 0, 1) ** 1.5
    fall = np.exp(-np.clip(ages - 42, 0, None) / 15.0)
    w = rise * fall
    return ages[rng.choice(len(ages), size=n, p=w / w.sum())] + rng.random(n)


def make_households(rng: np.random.Generator, n_hh: int, young_adults: bool = False):
    """Persons of ``n_hh`` households. Returns dict of arrays (age in years at baseline).

    ``young_adults`` shifts the mix towards young couples and single workers (people who move).
    """
    u = rng.random(n_hh)
    p_single, p_lone_parent = (0.22, 0.06) if young_adults else (0.075, 0.08)
    kind = np.where(u < p_single, 0, np.where(u < p_single + p_lone_parent, 2, 1))  # 0 single, 1 couple, 2 lone parent
    head_age = _head_age(rng, n_hh)
    if young_adults:
        head_age = np.minimum(head_age, 20 + rng.gamma(3.0, 5.0, n_hh))
    # Singles: young workers or old widowed people.
    single = kind == 0
    young_single = single & (rng.random(n_hh) < (0.8 if young_adults else 0.55))
    head_age = np.where(young_single, 18 + rng.gamma(2.0, 4.0, n_hh), head_age)
    old_single = single & ~young_single
    head_age = np.where(old_single, 52 + rng.gamma(2.0, 5.5, n_hh), head_age)
    head_age = np.minimum(head_age, 98)
    head_female = np.where(
        kind == 1, rng.random(n_hh) < 0.03,
        np.where(kind == 2, rng.random(n_hh) < 0.8,
                 np.where(young_single, rng.random(n_hh) < 0.25, rng.random(n_hh) < 0.62)))
    head_marital = np.where(kind == 1, 1, np.where(kind == 2, 2, np.where(young_single, np.where(
        rng.random(n_hh) < 0.9, 0, 2), 2)))
    # Spouse
    gap = np.clip(np.round(rng.normal(4.0, 3.5, n_hh)), -4, 15)
    gap = gap + rng.random(n_hh) - 0.5
    spouse_age = np.where(head_female, head_age + gap, head_age - gap)
    # Brides under 19 are few (child marriage is the exception, not the rule).
    floor = np.where(rng.random(n_hh) < 0.06, 16.2 + rng.random(n_hh), 18.5 + rng.gamma(2.0, 1.5, n_hh))
    spouse_age = np.maximum(spouse_age, floor)
    has_spouse = kind == 1
    mother_age = np.where(kind == 1, np.where(head_female, head_age, spouse_age), head_age)
    # Children: births spaced 2-4.5 years from the mother's age 18-24; each leaves home at
    # marriage (daughters ~22, sons ~25).
    older = (mother_age > 45)
    births = np.minimum(rng.poisson(np.where(older, 2.5, 2.0)), 7)
    births = np.where(kind == 0, 0, births)
    first_birth = 18.5 + rng.gamma(2.0, 1.6, n_hh)
    slots = 7
    spacing = 2.0 + rng.random((n_hh, slots)) * 2.8
    birth_age = first_birth[:, None] + np.cumsum(spacing, axis=1) - spacing[:, :1]
    child_age = mother_age[:, None] - birth_age
    child_female = rng.random((n_hh, slots)) < (100 / 205)
    leave_age = np.where(child_female, rng.normal(26.5, 5.0, (n_hh, slots)), rng.normal(29.5, 5.5, (n_hh, slots)))
    child_exists = ((np.arange(slots)[None, :] < births[:, None]) & (child_age >= 0)
                    & (child_age < leave_age) & (birth_age < 44))
    # Grandparent living with the family.
    has_gp = (kind == 1) & (head_age > 26) & (head_age < 60) & (rng.random(n_hh) < 0.18)
    gp_age = np.minimum(np.maximum(head_age, spouse_age) + 22 + rng.gamma(3.0, 3.0, n_hh), 99)
    gp_female = rng.random(n_hh) < 0.6
    # Extended households: a married child with spouse and small children stays with parents.
    has_ext = (kind == 1) & (head_age > 44) & (head_age < 72) & (rng.random(n_hh) < 0.28)
    mc_age = np.maximum(20.0 + rng.random(n_hh) * 3, mother_age - 23 - rng.gamma(2.0, 2.5, n_hh))
    mc_female = rng.random(n_hh) < 0.6
    inlaw_age = np.maximum(19.0 + rng.gamma(2.0, 1.5, n_hh),
                           np.where(mc_female, mc_age + 4, mc_age - 4) + rng.normal(0, 2.5, n_hh))
    young_mother = np.where(mc_female, mc_age, inlaw_age)
    gc_n = np.where(has_ext, np.minimum(rng.poisson(1.1, n_hh), 3), 0)
    gc_age = young_mother[:, None] - 19.5 - rng.gamma(2.0, 1.8, (n_hh, 3)) - 2.5 * np.arange(3)[None, :]
    gc_exists = (np.arange(3)[None, :] < gc_n[:, None]) & (gc_age >= 0)

    hh_idx = np.arange(n_hh)
    parts = []
    # head
    parts.append(dict(hh=hh_idx, role=np.zeros(n_hh, np.int8), female=head_female, age=head_age,
                      marital=head_marital.astype(np.int8), order=rng.integers(0, 4, n_hh)))
    sp = np.flatnonzero(has_spouse)
    parts.append(dict(hh=sp, role=np.ones(len(sp), np.int8), female=~head_female[sp], age=spouse_age[sp],
                      marital=np.ones(len(sp), np.int8), order=rng.integers(0, 4, len(sp))))
    ch_h, ch_s = np.nonzero(child_exists)
    c_age = child_age[ch_h, ch_s] + 0.0
    parts.append(dict(hh=ch_h, role=np.full(len(ch_h), 2, np.int8), female=child_female[ch_h, ch_s],
                      age=c_age, marital=np.zeros(len(ch_h), np.int8), order=ch_s))
    gp = np.flatnonzero(has_gp)
    parts.append(dict(hh=gp, role=np.full(len(gp), 3, np.int8), female=gp_female[gp], age=gp_age[gp],
                      marital=np.where(rng.random(len(gp)) < 0.85, 2, 1).astype(np.int8),
                      order=rng.integers(0, 4, len(gp))))
    ex = np.flatnonzero(has_ext)
    parts.append(dict(hh=ex, role=np.full(len(ex), 2, np.int8), female=mc_female[ex], age=mc_age[ex],
                      marital=np.ones(len(ex), np.int8), order=rng.integers(0, 4, len(ex))))
    parts.append(dict(hh=ex, role=np.full(len(ex), 4, np.int8), female=~mc_female[ex], age=inlaw_age[ex],
                      marital=np.ones(len(ex), np.int8), order=rng.integers(0, 4, len(ex))))
    gc_h, gc_s = np.nonzero(gc_exists)
    parts.append(dict(hh=gc_h, role=np.full(len(gc_h), 5, np.int8), female=rng.random(len(gc_h)) < (100 / 205),
                      age=gc_age[gc_h, gc_s] + 0.0, marital=np.zeros(len(gc_h), np.int8), order=gc_s))
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # Order: by household, then role (head, spouse, children eldest first, child-in-law,
    # grandchildren, parent).
    role_key = np.array([0, 1, 2, 5, 3, 4])[out["role"]]
    order = np.lexsort((-out["age"], role_key, out["hh"]))
    out = {k: v[order] for k, v in out.items()}
    # At most eight members: drop the last ones of bigger households.
    h = out["hh"]
    starts = np.r_[0, np.flatnonzero(h[1:] != h[:-1]) + 1]
    pos = np.arange(len(h)) - np.repeat(starts, np.diff(np.r_[starts, len(h)]))
    out = {k: v[pos < 8] for k, v in out.items()}
    # A few married children still at home (incl. the rare girl married before 17).
    ch = out["role"] == 2
    married_child = ch & (out["age"] >= 19) & (rng.random(len(ch)) < 0.04)
    married_child |= ch & out["female"] & (out["age"] >= 15) & (out["age"] < 17) & (rng.random(len(ch)) < 0.01)
    out["marital"] = np.where(married_child, 1, out["marital"]).astype(np.int8)
    return out


# ---------------------------------------------------------------------------------------------
# Identity numbers
# ---------------------------------------------------------------------------------------------
def ymd(dates: np.ndarray):
    """Year, month, day int arrays of a datetime64[D] array."""
    y = dates.astype("datetime64[Y]").astype(int) + 1970
    m = dates.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    return y, m, d


def add_years(dates: np.ndarray, years: int) -> np.ndarray:
    """Same day ``years`` later (29 February -> 1 March)."""
    y, m, d = ymd(dates)
    base = (np.array(y + years - 1970, dtype="datetime64[Y]").astype("datetime64[M]")
            + (m - 1).astype("timedelta64[M]"))
    out = base.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    return out


def nik_dates(birth: np.ndarray, female: np.ndarray) -> np.ndarray:
    """DDMMYY of the NIK as an int (day + 40 for women)."""
    y, m, d = ymd(birth)
    return (d + 40 * female) * 10000 + m * 100 + (y % 100)


def unique_serials(rng: np.random.Generator, key: np.ndarray, start_max: int = 3) -> np.ndarray:
    """Serial 1.. per group of ``key`` in random order, each group offset by 0..start_max."""
    n = len(key)
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((rng.random(n), key))
    sk = key[order]
    new_group = np.r_[True, sk[1:] != sk[:-1]]
    group_id = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    rank = np.arange(n) - starts[group_id]
    offset = rng.integers(0, start_max + 1, len(starts))[group_id]
    serial = np.empty(n, np.int64)
    serial[order] = 1 + rank + offset
    return serial


def format_nik(values: np.ndarray) -> np.ndarray:
    """int64 NIK/NKK -> 16-character strings (object); 0 -> ''."""
    from pdpb_pipeline.output.fastio import zfill_int

    s = zfill_int(values, 16).astype(object)
    s[np.asarray(values) == 0] = ""
    return s


# ---------------------------------------------------------------------------------------------
# The population
# ---------------------------------------------------------------------------------------------
def annual_death_prob(age: np.ndarray) -> np.ndarray:
    """Age-dependent yearly death probability (unscaled Gompertz plus child mortality)."""
    return 0.0009 * np.exp(0.075 * (np.maximum(age, 10) - 20)) + np.where(age < 5, 0.004, 0.0)


def _eligible_at(birth: np.ndarray, marital: np.ndarray, on: np.datetime64) -> np.ndarray:
    return (add_years(birth, 17) <= on) | (marital > 0)


def build_population(cfg: SynthConfig, geo: Geo, rng: np.random.Generator) -> Persons:
    base = np.datetime64(cfg.baseline_date, "D")
    n_ganda = int(round(cfg.voters * cfg.ganda_share))
    target = cfg.voters - n_ganda  # eligible residents plus stale entries

    # 1. Residents: households until the eligible count reaches the target.
    n_hh = int(target / 2.45 * 1.08) + 20
    while True:
        hh = make_households(rng, n_hh)
        birth = base - np.round(hh["age"] * DAYS_PER_YEAR).astype("timedelta64[D]")
        elig = _eligible_at(birth, hh["marital"], base)
        # Active TNI/Polri members and migrant workers abroad are residents but not on the DPT.
        m = len(birth)
        age = hh["age"]
        member = ~hh["female"] & (age >= 20) & (age < cfg.retire_age) & (rng.random(m) < cfg.tni_polri_share)
        p_abroad = np.where(hh["female"], 1.3, 0.7) * cfg.abroad_share
        abroad = (age >= 20) & (age < 45) & ~member & (rng.random(m) < p_abroad)
        hh["member"], hh["abroad"] = member, abroad
        per_hh = np.bincount(hh["hh"], weights=(elig & ~member & ~abroad).astype(float), minlength=n_hh)
        cum = np.cumsum(per_hh)
        if cum[-1] >= target:
            break
        n_hh = int(n_hh * 1.3)
    keep_hh = int(np.searchsorted(cum, target)) + 1
    sel = hh["hh"] < keep_hh
    res = {k: v[sel] for k, v in hh.items()}
    n_res_hh = keep_hh

    # 2. Pool of households that will move in during the months.
    pop_est = len(res["hh"])
    n_in = int(np.ceil(cfg.move_in_monthly * pop_est * max(cfg.months, 0) * 1.15 / 2.6)) + (3 if cfg.months else 0)
    pool = make_households(rng, n_in, young_adults=True) if n_in else None
    # 3. Outsiders passing through the regency's prisons: single men (and a few women).
    n_out = int(np.ceil(cfg.inmate_share * pop_est * cfg.inmate_outsider_share
                        * (1 + cfg.months * cfg.prison_release_monthly * 1.6))) + 2
    luar = make_households(rng, n_out, young_adults=True)
    luar = {k: v[luar["role"] == 0] for k, v in luar.items()}
    luar["age"] = 19 + rng.gamma(3.0, 4.5, len(luar["age"]))
    luar["female"] = rng.random(len(luar["age"])) < 0.06

    chunks = [(res, PENDUDUK, 0)]
    if pool is not None:
        chunks.append((pool, PENDATANG, n_res_hh))
    chunks.append((luar, LUAR, n_res_hh + (n_in if pool is not None else 0)))
    cols: dict[str, list] = {k: [] for k in ("hh", "role", "female", "age", "marital", "order", "status")}
    for part, status, hh_off in chunks:
        for k in ("role", "female", "age", "marital", "order"):
            cols[k].append(part[k])
        cols["hh"].append(part["hh"].astype(np.int64) + hh_off)
        cols["status"].append(np.full(len(part["hh"]), status, np.int8))
    P = {k: np.concatenate(v) for k, v in cols.items()}
    n = len(P["hh"])
    n_hh_total = int(P["hh"].max()) + 1
    P["birth"] = base - np.round(P["age"] * DAYS_PER_YEAR).astype("timedelta64[D]")
    female = P["female"]

    # Twins: a child with the same birth date as the elder sibling just before it.
    prev_same_hh = np.r_[False, (P["hh"][1:] == P["hh"][:-1]) & (P["role"][1:] == 2) & (P["role"][:-1] == 2)]
    twin = prev_same_hh & (rng.random(n) < cfg.twin_share)
    ti = np.flatnonzero(twin)
    P["birth"][ti] = P["birth"][ti - 1]
    P["age"][ti] = P["age"][ti - 1]
    P["twin"] = twin.copy()
    P["twin"][ti - 1] = True

    # Household-level attributes.
    hh_status = np.zeros(n_hh_total, np.int8)
    hh_status[P["hh"]] = P["status"]
    hh_desa = rng.choice(geo.n_desa, size=n_hh_total, p=geo.desa_weight)
    n_rw, n_rt = rw_rt_capacity(geo.desa_weight)
    hh_rw = 1 + (rng.random(n_hh_total) * n_rw[hh_desa]).astype(np.int16)
    hh_rt = 1 + (rng.random(n_hh_total) * n_rt[hh_desa]).astype(np.int16)
    hh_estate = rng.random(n_hh_total) < cfg.housing_estate_share
    hh_alamat = addresses(rng, geo, hh_desa, hh_rw, hh_estate)
    style_mix = population_profile(cfg.profile).get("style_mix")
    hh_style = N.style_codes(rng, geo.province, n_hh_total, style_mix)
    hh_origin = rng.choice(len(geo.origin_kec_num), size=n_hh_total, p=geo.origin_weight)
    outside = hh_status != PENDUDUK
    hh_desa_out = np.where(outside, -1, hh_desa)

    hh = P["hh"]
    P["desa"] = hh_desa_out[hh].astype(np.int32)
    P["rw"] = np.where(outside[hh], 0, hh_rw[hh]).astype(np.int16)
    P["rt"] = np.where(outside[hh], 0, hh_rt[hh]).astype(np.int16)
    P["alamat"] = hh_alamat[hh]
    P["alamat"][outside[hh]] = ""
    style = hh_style[hh].copy()
    spouse_other = (P["role"] == 1) & (rng.random(n) < 0.15)
    style[spouse_other] = N.style_codes(rng, geo.province, int(spouse_other.sum()), style_mix)
    P["style"] = style.astype(np.int8)

    # NIK region of first issue.
    cur_kec = geo.kec_num[geo.desa_kec[hh_desa[hh]]]
    u = rng.random(n)
    p1, p2, p3 = cfg.nik_other_kecamatan, cfg.nik_other_regency, cfg.nik_old_code
    adult = (P["role"] != 2) & (P["role"] != 5)
    src = np.where(u < p1, 1, np.where(u < p1 + p2, 2, np.where(u < p1 + p2 + p3, 3, 0)))
    # Children were mostly born here; a child's NIK comes from the parents' old place otherwise.
    src = np.where(~adult & (rng.random(n) < 0.85), 0, src)
    src = np.where(P["status"] != PENDUDUK, 2, src).astype(np.int8)
    other_kec = geo.kec_num[rng.integers(0, len(geo.kec_num), n)]
    origin = geo.origin_kec_num[hh_origin[hh]]
    old = geo.old_kec_num[rng.integers(0, len(geo.old_kec_num), n)]
    region = np.select([src == 0, src == 1, src == 2], [cur_kec, other_kec, origin], old)
    region[ti] = region[ti - 1]
    src[ti] = src[ti - 1]
    P["nik_src"] = src
    nik_birth = P["birth"].copy()
    beda = rng.random(n) < cfg.nik_date_differs
    shift = rng.integers(-400, 400, n)
    shift = np.where(shift == 0, 31, shift).astype("timedelta64[D]")
    nik_birth[beda] = P["birth"][beda] + shift[beda]
    P["nik_tgl_beda"] = beda
    ddmmyy = nik_dates(nik_birth, female)
    key = region * 1_000_000 + ddmmyy
    serial = unique_serials(rng, key)
    P["nik"] = region * 10_000_000_000 + ddmmyy.astype(np.int64) * 10_000 + serial

    # NKK: region + registration date + serial, one per household.
    head_region = np.zeros(n_hh_total, np.int64)
    head_region[hh[P["role"] == 0]] = region[P["role"] == 0]
    hh_cur_kec = geo.kec_num[geo.desa_kec[hh_desa]]
    nkk_region = np.where(outside, geo.origin_kec_num[hh_origin],
                          np.where(rng.random(n_hh_total) < 0.92, hh_cur_kec, head_region))
    reg_days = (rng.beta(2.2, 1.0, n_hh_total) * 365 * 14).astype(int)
    reg_date = base - reg_days.astype("timedelta64[D]")
    ry, rm, rd = ymd(reg_date)
    reg_code = rd * 10000 + rm * 100 + ry % 100
    nkk_serial = unique_serials(rng, nkk_region * 1_000_000 + reg_code, start_max=20)
    hh_nkk = nkk_region * 10_000_000_000 + reg_code.astype(np.int64) * 10_000 + nkk_serial
    P["nkk"] = hh_nkk[hh]

    # Names.
    by = ymd(P["birth"])[0]
    given = N.given_names(rng, P["style"], female, by, P["order"].astype(int))
    fam = N.family_names(rng, P["style"])
    head_pos = np.flatnonzero(P["role"] == 0)
    hh_fam = np.full(n_hh_total, "", dtype=object)
    hh_fam[hh[head_pos]] = fam[head_pos]
    children = P["role"] == 2
    fam = np.where(((P["role"] == 2) | (P["role"] == 5)) & (hh_fam[hh] != ""), hh_fam[hh], fam)
    boru = children & female & (fam != "") & (rng.random(n) < N.boru_prob(P["style"]))
    fam = np.where(boru, "BR. " + fam, fam)
    # Sons carrying the father's name.
    head_first = np.full(n_hh_total, "", dtype=object)
    hf = np.char.partition(given[head_pos].astype(str), " ")[:, 0].astype(object)
    head_first[hh[head_pos]] = hf
    single_word = np.char.find(given.astype(str), " ") < 0
    father = (children & ~female & single_word & ~P["female"][head_pos][np.searchsorted(hh[head_pos], hh)]
              & (rng.random(n) < N.uses_father_name(P["style"])))
    given = np.where(father, given + " " + head_first[hh], given)
    P["nama"] = np.where(fam != "", given + " " + fam, given)

    # Place of birth.
    origin_name = geo.origin_name[hh_origin[hh]]
    tl = np.full(n, geo.name, dtype=object)
    u = rng.random(n)
    pos = np.clip(np.searchsorted(geo.kec_num, region), 0, len(geo.kec_num) - 1)  # kec_num is sorted
    local_kec = geo.kec_num[pos] == region
    kec_map = geo.kec_name[pos]
    tl = np.where(local_kec & (u < 0.4), kec_map, tl)
    tl = np.where((u > 0.85) & (src != 2), OTHER_CITIES[rng.integers(0, len(OTHER_CITIES), n)], tl)
    tl = np.where(src == 2, origin_name, tl)
    P["tempat_lahir"] = tl

    # Statuses at baseline among residents: TNI/Polri, abroad, in prison, stale.
    resident = P["status"] == PENDUDUK
    age = P["age"]
    member = np.zeros(n, bool)
    abroad = np.zeros(n, bool)
    member[: len(res["hh"])] = res["member"]
    abroad[: len(res["hh"])] = res["abroad"]
    P["tni"] = np.where(member, np.where(rng.random(n) < cfg.tni_share_of_members, 1, 2), 0).astype(np.int8)
    P["status"][abroad] = LUAR_NEGERI
    inmate_pool = resident & ~abroad & ~member & (age >= 18) & (age < 55)
    p_in = cfg.inmate_share * resident.sum() / max(inmate_pool.sum(), 1) * np.where(female, 0.12, 1.9)
    P["inmate"] = inmate_pool & (rng.random(n) < p_in)
    n_luar_inmates = int(round(P["inmate"].sum() * cfg.inmate_outsider_share / (1 - cfg.inmate_outsider_share)))
    luar_idx = np.flatnonzero(P["status"] == LUAR)
    P["inmate"][luar_idx[:n_luar_inmates]] = True

    P["status_date"] = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    elig = _eligible_at(P["birth"], P["marital"], base)
    candidates = (P["status"] == PENDUDUK) & elig & (P["tni"] == 0) & ~P["inmate"]
    n_dead = int(round(cfg.voters * cfg.stale_dead_share))
    n_moved = int(round(cfg.voters * cfg.stale_moved_share))
    cand = np.flatnonzero(candidates)
    w_dead = annual_death_prob(age[cand])
    dead = rng.choice(cand, size=min(n_dead, len(cand)), replace=False, p=w_dead / w_dead.sum())
    P["status"][dead] = MENINGGAL
    P["status_date"][dead] = base - rng.integers(20, 1400, len(dead)).astype("timedelta64[D]")
    # The surviving spouse is widowed.
    for role_dead, role_other, step in ((0, 1, 1), (1, 0, -1)):
        d = dead[P["role"][dead] == role_dead]
        o = d + step
        ok = (o >= 0) & (o < n)
        d, o = d[ok], o[ok]
        ok = (P["hh"][o] == P["hh"][d]) & (P["role"][o] == role_other)
        P["marital"][o[ok]] = 2
    is_dead = np.zeros(n, bool)
    is_dead[dead] = True
    cand = cand[~is_dead[cand]]
    w_move = np.exp(-((age[cand] - 28) / 9.0) ** 2) + 0.05
    moved = rng.choice(cand, size=min(n_moved, len(cand)), replace=False, p=w_move / w_move.sum())
    P["status"][moved] = PINDAH
    P["status_date"][moved] = base - rng.integers(20, 1000, len(moved)).astype("timedelta64[D]")

    P["age"] = age
    P["region"] = region
    P["origin"] = hh_origin[hh]
    # Arrival months of the movers-in pool, household by household, ~move_in rate a month.
    P["arrival"] = np.full(n, -1, np.int16)
    if pool is not None and cfg.months:
        pool_mask = P["status"] == PENDATANG
        pool_hh = np.unique(hh[pool_mask])
        sizes = np.bincount(hh[pool_mask], minlength=n_hh_total)[pool_hh]
        perm = rng.permutation(len(pool_hh))
        cum = np.cumsum(sizes[perm])
        per_month = cfg.move_in_monthly * resident.sum()
        month_of = np.floor((cum - sizes[perm] / 2) / max(per_month, 1e-9)).astype(int)
        hh_month = np.full(n_hh_total, -1, np.int16)
        hh_month[pool_hh[perm]] = np.where(month_of < cfg.months, month_of, -1)
        P["arrival"] = np.where(pool_mask, hh_month[hh], -1).astype(np.int16)
    P["hh_desa_all"] = hh_desa[hh].astype(np.int32)  # planned desa (movers-in: destination)
    P["hh_rw_all"] = hh_rw[hh]
    P["hh_rt_all"] = hh_rt[hh]
    P["hh_estate"] = hh_estate[hh]
    P["n_rw"] = n_rw
    P["n_rt"] = n_rt
    del P["order"]
    P["namesake"] = np.zeros(n, bool)
    pop = population_profile(cfg.profile)
    if pop.get("namesake_share"):
        namesakes(P, pop["namesake_share"], pop.get("namesake_same_year", 0.0),
                  np.random.default_rng([cfg.seed, 0x5A3E]))
    return Persons(P)


def namesakes(P: dict, share: float, same_year: float, rng: np.random.Generator) -> None:
    """Residents renamed after another person of their desa and sex in another household
    (``same_year`` of them born the same year): different persons with the same name."""
    n = len(P["hh"])
    adult = (P["status"] == PENDUDUK) & (P["age"] >= 17)
    by = ymd(P["birth"])[0]
    names = P["nama"].copy()
    for level, p in ((0, share * same_year), (1, share * (1 - same_year))):
        key = P["hh_desa_all"].astype(np.int64) * 4 + P["female"]
        if level == 0:
            key = key * 300 + (by - 1850)
        cand = np.flatnonzero(adult)
        order = cand[np.argsort(key[cand], kind="stable")]
        k = key[order]
        start = np.searchsorted(k, k, side="left")
        size = np.searchsorted(k, k, side="right") - start
        chosen = (rng.random(len(order)) < p) & (size >= 2)
        for pos in np.flatnonzero(chosen):
            i = order[pos]
            for _ in range(4):
                j = order[start[pos] + int(rng.integers(0, size[pos]))]
                if j != i and P["hh"][j] != P["hh"][i] and names[j] != P["nama"][i]:
                    P["nama"][i] = names[j]
                    P["namesake"][i] = P["namesake"][j] = True
                    break


def eligible_at(persons: Persons, on: np.datetime64) -> np.ndarray:
    return _eligible_at(persons.birth, persons.marital, on)


def to_date(d: np.datetime64) -> dt.date:
    return d.astype("datetime64[D]").astype(object)
