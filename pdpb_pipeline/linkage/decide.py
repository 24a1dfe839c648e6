"""From scored pairs to decisions: thresholds, one-to-one resolution, evidence, explanations."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .blocking import rule_names
from .compare import COMPARISONS, col, empty_level, level, levels_of
from .prepare import Records

MATCH, REVIEW = "match", "review"

GLOSS = {
    "sama": "identical", "salah_satu_digit": "one digit wrong or two swapped (typo)",
    "serial_beda_satu_digit": "same region and birth part, serial one digit apart (twin or typo)",
    "excel_terpotong": "first 15 digits agree, the 16th is 0 on one side (Excel cut the number)",
    "kembar_beda_kelamin": "same region, birth day differs by the +40 of sex (opposite-sex twin?)",
    "milik_anggota_keluarga": "the NIK of another member of this household (a relative's NIK typed)",
    "serial_beda": "same region and birth part, other serial (another person born that day)",
    "beda": "different", "kosong": "empty on one side (no evidence)",
    "ejaan_atau_urutan": "same after spelling/word-order normalisation",
    "sangat_mirip": "very similar (typo)", "mirip": "similar or one name contains the other",
    "sebagian": "partly similar", "hari_bulan_tertukar": "day and month swapped",
    "satu_unsur_beda": "one of day, month, year typed differently",
    "dalam_sebulan": "dates within a month of each other",
    "tahun_sama": "same year only (day and month differ, or a placeholder day of the roll)", "nkk_sama": "same family card (NKK)",
    "alamat_sama": "same desa, RT/RW and address", "desa_dan_alamat_atau_rt":
    "same desa and address or RT/RW", "desa_sama": "same desa only",
    "alamat_mirip": "similar address, other or unknown desa",
}


NAME_SIMILAR = level("nama", "mirip")            # name level "mirip" or better
NAME_DIFFERENT = level("nama", "beda")
NAME_EMPTY = empty_level("nama")
HOUSEHOLD_SAME = level("rumah_tangga", "alamat_sama")   # NKK, or same desa, RT/RW and address
HOUSEHOLD_NEAR = level("rumah_tangga", "desa_dan_alamat_atau_rt")
NIK_SAME = level("nik", "sama")
NIK_MEMBER = level("nik", "milik_anggota_keluarga")
NIK_EMPTY = empty_level("nik")
#: NIK levels of "the same region and birth part, another serial" (a sibling or neighbour born
#: that day, or a serial typo)
NIK_SERIAL = levels_of("nik", "serial_beda_satu_digit", "serial_beda", "kembar_beda_kelamin")
DOB_CLOSE = level("tanggal_lahir", "dalam_sebulan")   # this level or better: the date or a slip of it
DOB_DIFFERENT = level("tanggal_lahir", "tahun_sama")  # "tahun_sama" and "beda" (not "kosong")
DOB_YEARS_APART = level("tanggal_lahir", "beda")
DOB_EMPTY = empty_level("tanggal_lahir")


def guards(levels: np.ndarray, weights: np.ndarray, total: np.ndarray, a: np.ndarray,
           nik16: np.ndarray, dob_typed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dependence the Fellegi-Sunter sum cannot see, made explicit.

    * family: same household (NKK or address) but the names are not similar and the NIK is not
      the same: relatives (twins, a new 17-year-old, a son with his father's name are caught by
      the birth date) share the household, so its evidence is dropped and the pair can at most
      be reviewed;
    * the NIK of another household member (``milik_anggota_keluarga``) already says "this
      household": the household comparison's weight is not counted on top of it;
    * household-NIK trap: the same NIK, but name and birth date disagree and the household
      agrees (or another record of the NIK holder's household, a candidate of the same feed row
      ``a``, has the name and birth date): a relative's NIK typed for the person. The NIK's
      evidence is not counted and the pair can at most be reviewed. Only where both NIKs are
      16-digit NIKs (``nik16``): the family card is an Indonesian fact, and an opaque identifier
      (FEBRL's) of a record with a changed first name and birth date is still the person's;
    * same NIK but the name and birth date differ otherwise: one NIK used by two people? review.

    Returns (adjusted total weight, capped-at-review flag with reason).
    """
    nik, nama, dob, hh = (levels[:, col(c)] for c in
                          ("nik", "nama", "tanggal_lahir", "rumah_tangga"))
    total = total.copy()
    reason = np.full(len(total), "", dtype=object)
    name_differs = (nama > NAME_SIMILAR) & (nama < NAME_EMPTY)
    serial_differs = np.isin(nik, NIK_SERIAL)
    hh_w = weights[:, col("rumah_tangga")]
    # a father and the son named after him are born years apart ("beda"); a date mistyped
    # within the year ("tahun_sama") is no sign of a relative
    family = ((hh <= HOUSEHOLD_SAME) & (nik != NIK_SAME) & (nik != NIK_MEMBER)
              & (name_differs | (dob == DOB_YEARS_APART) | (serial_differs & (nama > 1))))
    total[family] -= hh_w[family]
    reason[family] = ("same household but another name, birth date or NIK serial: a relative? "
                      "household evidence not counted")
    member = (nik == NIK_MEMBER) & (hh_w > 0)
    total[member] -= hh_w[member]
    # another person: the name wholly different and the birth date too, or the name only partly
    # alike (relatives share a family or clan name) and born years apart
    # (16-digit NIKs only: the trap is the family card's; an opaque identifier keeps the rule
    # "name wholly different, birth date too, another place")
    # (where the NIKs are the same the typed dates decide: the shared NIK encodes one date and
    # would vouch for itself; ``dob_typed``: date levels without the NIK, for those pairs)
    dob_same_nik = np.where(nik == NIK_SAME, dob_typed, dob)
    dob_differs_t = (dob_same_nik >= DOB_DIFFERENT) & (dob_same_nik < DOB_EMPTY)
    years_apart = dob_same_nik == DOB_YEARS_APART
    wholly = (nik == NIK_SAME) & (nama == NAME_DIFFERENT) & dob_differs_t
    other_person = nik16 & (wholly | ((nik == NIK_SAME) & name_differs & years_apart))
    misuse = other_person | (wholly & (hh > HOUSEHOLD_NEAR))
    reason[misuse] = "same NIK but name and birth date differ: NIK used by two people?"
    trap = other_person & (hh <= HOUSEHOLD_NEAR)
    if len(a):
        # feed rows with a candidate that holds a household member's place: the NIK's own
        # holder is then a relative whose NIK was typed
        right_member = (nik == NIK_MEMBER) & (nama <= NAME_SIMILAR) & (dob <= DOB_CLOSE)
        rows = np.unique(a[right_member])
        trap |= (nik == NIK_SAME) & (name_differs | years_apart) & np.isin(a, rows) & nik16
    nik_w = weights[:, col("nik")]
    total[trap] -= nik_w[trap]
    reason[trap] = ("the NIK of another member of this household (name and birth date disagree): "
                    "NIK evidence not counted")
    return total, reason


class Resolved(NamedTuple):
    chosen: np.ndarray       # pair index of the chosen candidate, one per linked feed row
    decision: np.ndarray     # match / review
    reason: np.ndarray
    probability: np.ndarray  # per pair: the feed row's posterior (see ``resolve``)
    on_roll: np.ndarray      # per chosen row: the posterior that it is somebody on the roll


def resolve(a: np.ndarray, b: np.ndarray, weight: np.ndarray, prior: float, rec: Records,
            upper: float, lower: float, capped: np.ndarray | None = None,
            nik_level: np.ndarray | None = None) -> Resolved:
    """One decision per feed record, from the posterior of each feed row.

    A feed row is one person: not on the roll, or exactly one roll record. With the pair odds
    ``L_j = 2^(weight_j + prior)`` of its candidates, the posterior that it is candidate j is
    ``L_j / (1 + sum_k L_k)`` (roll records that are not candidates add nothing), and that it is
    on the roll at all ``sum_k L_k / (1 + sum_k L_k)``. Two copies of one person in the roll (a
    ganda pair: same usable NIK, or same name and birth date where they do not hold two different
    usable NIKs) are one hypothesis: linking to
    either is right, so their posteriors are added. Unlike a pairwise probability, this one
    falls when another roll record scores nearly as high.

    * a row is linked to its best candidate when the posterior that it is on the roll reaches
      ``lower``: ``match`` when the best candidate's own posterior reaches ``upper``, otherwise
      ``review`` (``ambiguous`` when competitors, not its own evidence, hold it back);
    * a roll record claimed by several feed rows stays a ``match`` only for the best claimant
      and for claimants that are the same person as it (same usable NIK, or same name and birth
      date: one person reported by two agencies; a similar name, the same household and NIKs a
      digit apart where one left the birth date blank; the same name and birth date in the same
      household whatever the NIKs; or a similar name and birth date where one row
      carries a NIK of the record's household, ``nik_level`` of its pair ``milik_anggota_keluarga``:
      one agency typed a relative's NIK); the others go to review.
    """
    n = len(a)
    post = np.zeros(n, dtype=np.float64)
    if not n:
        e = np.empty(0, np.int64)
        return Resolved(e, np.empty(0, object), np.empty(0, object), post, np.empty(0))
    order = np.lexsort((-weight, a))
    fa = a[order]
    first = np.ones(n, bool)
    first[1:] = fa[1:] != fa[:-1]
    pos = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    best_all = order[first]
    ob, bb = b[order], b[best_all][group]
    # (namesakes born the same day with two different NIKs are two people)
    both_nik = rec.nik_ok[ob] & rec.nik_ok[bb]
    copy = first | (both_nik & (rec.nik_key[ob] == rec.nik_key[bb])) | (
        ~both_nik & (rec.name_sorted_code[ob] >= 0)
        & (rec.name_sorted_code[ob] == rec.name_sorted_code[bb])
        & (rec.dob[ob] > 0) & (rec.dob[ob] == rec.dob[bb]))
    # in units of the row's best odds (no overflow whatever the weights)
    lo = weight[order] + prior
    top = lo[pos]
    rel = np.exp2(np.clip(lo - top[group], -1000, 0))
    none = np.exp2(np.clip(-top, -1000, 1000))
    mass = np.add.reduceat(rel, pos)
    denom = none + mass
    post[order] = rel / denom[group]
    best_post = np.add.reduceat(np.where(copy, rel, 0.0), pos) / denom
    on_roll = mass / denom
    post[best_all] = best_post
    pair_prob = 1.0 / (1.0 + np.exp2(-np.clip(top, -60, 60)))

    keep = on_roll >= lower
    best, best_post, pair_prob, on_roll = best_all[keep], best_post[keep], pair_prob[keep], on_roll[keep]
    # upper = 1 sends everything to review (a probability rounds to 1.0 in floating point)
    decision = np.where((best_post >= upper) & (upper < 1.0), MATCH, REVIEW).astype(object)
    reason = np.full(len(best), "", dtype=object)
    ambiguous = (best_post < upper) & ((pair_prob >= upper) | (best_post < lower))
    reason[ambiguous] = "ambiguous: another roll record scores almost as high"
    if capped is not None:
        cap = capped[best] != ""
        reason[cap] = capped[best][cap]
        decision[cap] = REVIEW

    # roll records claimed by several feed rows
    rb = b[best]
    w = weight[best]
    o = np.lexsort((-w, rb))
    rbo = rb[o]
    grp_first = np.ones(len(o), bool)
    grp_first[1:] = rbo[1:] != rbo[:-1]
    top = o[np.maximum.accumulate(np.where(grp_first, np.arange(len(o)), 0))]
    dup = o[~grp_first]
    if len(dup):
        head = top[~grp_first]
        fa_d, fa_h = a[best[dup]], a[best[head]]
        # one person reported twice (two agencies, or a repeated row with other noise)
        from .compare import compare
        lv, _ = compare(rec, fa_d, fa_h)
        relative = None if nik_level is None else (
            (nik_level[best[dup]] == NIK_MEMBER) | (nik_level[best[head]] == NIK_MEMBER))
        same_person = _one_person(lv, relative)
        demote = dup[~same_person]
        decision[demote] = REVIEW
        reason[demote] = "roll record also claimed by another feed row"
    return Resolved(best, decision, reason, post, on_roll)


def _one_person(lv: np.ndarray, relative: np.ndarray | None) -> np.ndarray:
    """Two feed rows (their level vector ``lv``) that are one person reported twice: their sexes
    do not differ, and the same NIK with a similar name; a NIK typed wrong (or none) with a
    similar name and a close birth date; a serial a digit or more apart with the same name and
    birth date; in the same household a blank birth date with a NIK a digit apart (a serial only
    with the same name: twins get consecutive serials), or the same name and birth date whatever
    the NIKs (a relative's NIK, one not on the roll: a child's; nobody shares both with a
    relative); or, one row carrying a relative's NIK (``relative``), a similar name and a close
    birth date."""
    nik, nama, dob, sex, hh = (lv[:, col(c)] for c in
                               ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "rumah_tangga"))
    similar, same_name = nama <= NAME_SIMILAR, nama <= level("nama", "ejaan_atau_urutan")
    same_home = hh <= HOUSEHOLD_SAME
    typo = np.isin(nik, levels_of("nik", "salah_satu_digit", "excel_terpotong"))
    one = ((similar & (nik == NIK_SAME))
           | (similar & (typo | (nik == NIK_EMPTY)) & (dob <= DOB_CLOSE))
           | (same_name & np.isin(nik, levels_of("nik", "serial_beda_satu_digit", "serial_beda")) & (dob == 0))
           | (same_home & (dob == DOB_EMPTY)
              & ((typo & similar) | ((nik == level("nik", "serial_beda_satu_digit")) & same_name)))
           | (same_home & same_name & (dob == 0)))
    if relative is not None:
        one |= relative & similar & (dob <= DOB_CLOSE)
    return one & (sex != level("jenis_kelamin", "beda"))


def pair_upper(prob: np.ndarray, config) -> float:
    """``upper`` of a list of pairs (``deduplicate``: every pair, no review budget): the lowest
    probability at which the mean of 1 - p over the pairs above it stays within
    ``1 - config.target_precision``, at least ``config.upper_floor``; ``config.upper`` if given."""
    if config.upper is not None:
        return float(config.upper)
    p = np.sort(prob)[::-1]
    fits = np.flatnonzero(np.cumsum(1.0 - p) / np.arange(1, len(p) + 1) <= 1.0 - config.target_precision)
    return max(float(p[fits[-1]]) if len(fits) else 1.0, config.upper_floor)


def choose_thresholds(a: np.ndarray, b: np.ndarray, weight: np.ndarray, prior: float,
                      rec: Records, n_rows: int, capped: np.ndarray | None,
                      target_precision: float = 0.999, review_budget: float = 0.02,
                      upper_floor: float = 0.9, lower_floor: float = 0.5,
                      upper: float | None = None, lower: float | None = None,
                      nik_level: np.ndarray | None = None) -> dict:
    """Thresholds from the run's own probabilities and the review budget (no fixed constants).

    The probabilities are the feed rows' posteriors (``resolve``). ``upper``: the rows that can
    be a match (their best candidate not capped or claimed by another row) are taken in decreasing probability as long as the mean of 1 - p
    over the taken rows (the expected share of wrong links among the matches, if the
    probabilities are calibrated) stays within ``1 - target_precision``; the threshold is the
    probability of the last row taken, at least ``upper_floor``. ``lower``: ``lower_floor``,
    raised where the review queue would exceed ``review_budget * n_rows`` rows to the
    probability of the last review row that still fits. Given ``upper`` / ``lower`` are kept.
    """
    out = {"target_precision": target_precision, "review_budget": review_budget,
           "upper_source": "config" if upper is not None else "chosen",
           "lower_source": "config" if lower is not None else "chosen"}
    lo0 = lower if lower is not None else lower_floor
    r = None
    if upper is None:
        # (resolved once at upper 0: every row that can be a match is one; ``lower`` below
        # reads the same resolution, only which matches fall under ``upper`` changes)
        r = resolve(a, b, weight, prior, rec, 0.0, lo0, capped, nik_level)
        p = np.sort(r.probability[r.chosen[r.decision == MATCH]])[::-1]
        upper = 1.0
        if len(p):
            mean_wrong = np.cumsum(1.0 - p) / np.arange(1, len(p) + 1)
            fits = np.flatnonzero(mean_wrong <= 1.0 - target_precision)
            if len(fits):
                # the last row of the longest prefix that fits (a prefix mean only rises later
                # where lower probabilities join, so the longest prefix is the last fit)
                upper = float(p[fits[-1]])
        # (a probability that rounds to 1.0 must still reach it: resolve reads 1.0 as "review all")
        upper = min(max(upper, upper_floor), float(np.nextafter(1.0, 0.0)))
        out["expected_wrong_share"] = float(np.mean(1.0 - p[p >= upper])) if (p >= upper).any() else 0.0
    if lower is None:
        lower = lo0
        r = resolve(a, b, weight, prior, rec, upper, lower, capped, nik_level) if r is None else r
        # the reviews at ``upper``: the rows not matchable, and the matchable ones below it
        review = (r.decision != MATCH) | (r.probability[r.chosen] < upper)
        q = np.sort(r.on_roll[review])[::-1]   # what ``lower`` is compared with
        room = int(np.floor(review_budget * n_rows))
        if len(q) > room:
            # keep the ``room`` most probable reviews: lower = just above the first one left out
            lower = float(np.nextafter(q[room], np.inf)) if room < len(q) else lower
            lower = max(lower, lo0)
        lower = min(lower, upper)
    out["upper"], out["lower"] = float(upper), float(lower)
    return out


def evidence_frame(levels: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for j, comp in enumerate(COMPARISONS):
        labels = np.array(comp.levels, dtype=object)
        out[f"{comp.name}_level"] = labels[levels[:, j]]
        out[f"{comp.name}_weight"] = np.round(weights[:, j].astype(np.float64), 2)
    return out


def _fmt_date(v: int) -> str:
    return f"{v // 10000:04d}-{(v // 100) % 100:02d}-{v % 100:02d}" if v else ""


def _values(rec: Records, frame_row: pd.Series | None, i: int, comp: str) -> str:
    from ..domain.nik import mask  # imported here: it pulls in the PII detectors (~0.25 s)

    if comp == "nik":
        return mask(rec.nik[i].decode()) if rec.nik[i] else ""
    if comp == "nama":
        return repr(str(rec.raw_names[i]))
    if comp == "tanggal_lahir":
        return _fmt_date(int(rec.dob[i]))
    if comp == "jenis_kelamin":
        return {1: "L", 2: "P"}.get(int(rec.sex[i]), "")
    if comp == "tempat_lahir":
        return rec.places[rec.place_code[i]] if rec.place_code[i] >= 0 else ""
    if comp == "rumah_tangga":
        parts = []
        if rec.nkk_key[i] >= 0:
            parts.append("NKK " + mask(f"{rec.nkk_key[i]:016d}"))
        if frame_row is not None:
            desa = str(frame_row.get("kode_desa", "") or "")
            if desa:
                parts.append(desa)
            rt, rw = str(frame_row.get("rt", "") or ""), str(frame_row.get("rw", "") or "")
            if rt or rw:
                parts.append(f"RT {rt}/RW {rw}")
        if rec.addr_code[i] >= 0:
            parts.append(rec.addrs[rec.addr_code[i]])
        return ", ".join(parts)
    return ""


def explain_pair(rec: Records, ia: int, ib: int, levels: np.ndarray, weights: np.ndarray,
                 total: float, prob: float, tf: float, prior: float, rules: int,
                 rows: tuple[pd.Series | None, pd.Series | None], decision: str, reason: str = "",
                 source: str = "") -> str:
    """Why two records were (or were not) linked, field by field; NIK and NKK masked.

    ``source``: the agency whose NIK reliability weighed the NIK (per-agency m)."""
    head = (f"feed {rec.ids[ia]} -> roll {rec.ids[ib]}: {decision.upper()} "
            f"(probability {prob:.6f}, match weight {total:+.2f} bits, prior {prior:+.2f})")
    lines = [head]
    if reason:
        lines.append(f"  note: {reason}")
    lines.append(f"  found by blocking rule(s): {', '.join(rule_names(int(rules)))}")
    for j, comp in enumerate(COMPARISONS):
        lv = comp.levels[int(levels[j])]
        va = _values(rec, rows[0], ia, comp.name)
        vb = _values(rec, rows[1], ib, comp.name)
        extra = f" (name frequency {tf:+.2f})" if comp.name == "nama" and tf else ""
        if comp.name == "nik" and source:
            extra = f" (NIK weights of source {source!r})"
        lines.append(f"  {comp.label:<40} {lv:<24} {float(weights[j]):+7.2f}{extra}  "
                     f"[{va} | {vb}]  {GLOSS.get(lv, '')}")
    return "\n".join(lines)
