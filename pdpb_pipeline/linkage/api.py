"""``link``, ``link_records`` and ``deduplicate``: the engine end to end on prepared records.

Blocking (``index``), comparison (``features``), training and scoring (``training``, through
``classifier.FellegiSunterClassifier``) and the decisions (``decide``). Reading and writing the
``pdpb link`` files is ``files``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import blocking, compare, decide, features, index, model
from .classifier import FellegiSunterClassifier
from .config import LinkConfig
from .prepare import Records, prepare
from .training import DOB, NAME, NIK, Scored

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    """Decisions of one linkage run; the ``links`` frame is built on first access."""
    rec: Records
    scored: Scored
    chosen: np.ndarray      # index into scored pairs, one per linked feed row
    decision: np.ndarray
    reason: np.ndarray
    feed: pd.DataFrame | None  # the frames ``link`` was given (``explain`` shows their rows)
    roll: pd.DataFrame | None
    n_feed: int
    timings: dict = field(default_factory=dict)
    #: The thresholds this run used (``decide.choose_thresholds``): upper, lower, where each
    #: came from (chosen / config), the target precision and review budget.
    thresholds: dict = field(default_factory=dict)
    _links: pd.DataFrame | None = None

    @property
    def model(self) -> model.FSModel:
        return self.scored.fs

    @property
    def links(self) -> pd.DataFrame:
        """One row per linked feed row: ids, probability, decision and the evidence per field."""
        if self._links is None:
            s, c = self.scored, self.chosen
            a, b = s.pairs.a[c], s.pairs.b[c]
            data = {"feed_id": self.rec.ids[a], "roll_id": self.rec.ids[b],
                    "probability": s.prob[c], "decision": self.decision,
                    "match_weight": np.round(s.total[c], 2), "name_tf_weight": np.round(s.tf[c], 2)}
            data.update(decide.evidence_frame(s.levels[c], s.weights[c]))
            data["blocking_rules"] = [",".join(blocking.rule_names(int(x))) for x in s.pairs.rules[c]]
            data["reason"] = self.reason
            self._links = pd.DataFrame(data)
        return self._links

    @property
    def candidates(self) -> pd.DataFrame:
        """Every scored candidate pair (feed_id, roll_id, match_weight, probability)."""
        s = self.scored
        return pd.DataFrame({"feed_id": self.rec.ids[s.pairs.a], "roll_id": self.rec.ids[s.pairs.b],
                             "match_weight": s.total, "probability": s.prob})

    def counts(self) -> dict[str, int]:
        d = pd.Series(self.decision).value_counts()
        return {"match": int(d.get(decide.MATCH, 0)), "review": int(d.get(decide.REVIEW, 0)),
                "non_match": self.n_feed - len(self.decision)}

    def explain(self, feed_id: str, top: int = 3) -> str:
        """Why this feed row was linked (or not): its decision and its best candidates."""
        s, rec = self.scored, self.rec
        hits = np.flatnonzero(rec.ids[: self.n_feed] == feed_id)
        if not len(hits):
            raise KeyError(f"no feed row with id {feed_id!r}")
        ia = int(hits[0])
        cand = np.flatnonzero(s.pairs.a == ia)
        chosen = {int(p): (d, r) for p, d, r in zip(self.chosen, self.decision, self.reason)
                  if s.pairs.a[p] == ia}
        if not len(cand):
            return f"feed {feed_id}: NON-MATCH (no roll record shares any blocking key)"
        cand = cand[np.argsort(-s.total[cand])][:top]
        source = ""
        if s.fs.group_m is not None:
            source = str(rec.groups[int(rec.group[ia])])
        parts = []
        if not chosen:
            parts.append(f"feed {feed_id}: NON-MATCH (best candidate below the review threshold)")
        for p in cand:
            d, r = chosen.get(int(p), ("candidate" if chosen else "non-match", ""))
            ib = int(s.pairs.b[p])
            rows = (self.feed.iloc[ia], self.roll.iloc[ib - self.n_feed])
            parts.append(decide.explain_pair(
                rec, ia, ib, s.levels[p], s.weights[p], float(s.total[p]), float(s.prob[p]),
                float(s.tf[p]), s.fs.prior_weight, int(s.pairs.rules[p]), rows, d, r,
                source=source))
        return "\n".join(parts)


def _as_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the index 0..n-1 (no copy of a million rows when it already has it)."""
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        return df
    return df.reset_index(drop=True)


def link(feed: pd.DataFrame, roll: pd.DataFrame, config: LinkConfig | None = None) -> LinkResult:
    """Links every feed row to at most one roll record (both frames in the canonical schema)."""
    t0 = time.perf_counter()
    feed, roll = _as_frame(feed), _as_frame(roll)
    nf, nr = len(feed), len(roll)
    rec = prepare([feed, roll], tf_rows=slice(nf, None))
    t_prepared = time.perf_counter()
    result = link_records(rec, np.arange(nf), np.arange(nf, nf + nr), config)
    result.feed, result.roll = feed, roll
    result.timings["prepare"] = t_prepared - t0
    return result


def link_records(rec: Records, left: np.ndarray, right: np.ndarray, config: LinkConfig | None = None,
                 ) -> LinkResult:
    """``link`` on records already prepared: every ``left`` row to at most one ``right`` row.

    One ``prepare`` of a million-row roll serves several linkages (the month's feeds, then the
    voters added last month against the rest of the roll). A row on both sides is never paired
    with itself; two rows on both sides may pair both ways (the caller keeps one).
    """
    config = config or LinkConfig()
    t1 = time.perf_counter()
    pairs = block(rec, left, right, config)
    t2 = time.perf_counter()
    levels = features.levels(rec, pairs.a, pairs.b)
    t_cmp = time.perf_counter()
    clf = FellegiSunterClassifier(rec, left, right, config)
    scored = clf.fit_pairs(pairs, levels)
    t3 = time.perf_counter()
    resolved = clf.resolve(scored)
    scored.prob = resolved.probability          # from here on: the feed rows' posteriors
    t4 = time.perf_counter()
    timings = {"blocking": t2 - t1, "score": t3 - t2, "decide": t4 - t3, "pairs": len(pairs),
               "compare": t_cmp - t2}
    th = clf.thresholds_
    log.info("linkage: %d left x %d right, %d candidate pairs, %s, thresholds upper %.6f lower %.6f",
             len(left), len(right), len(pairs), timings, th["upper"], th["lower"])
    return LinkResult(rec, scored, resolved.chosen, resolved.decision, resolved.reason, None, None,
                      len(left), timings, thresholds=th)


def block(rec: Records, left: np.ndarray, right: np.ndarray, config: LinkConfig) -> blocking.Pairs:
    """Candidate pairs of ``link_records``: the rules' index algorithms (``index.BlockingRule``).

    Cascade: feed rows whose NIK finds exactly one roll record with an agreeing name and birth
    date skip the other rules."""
    rules = list(config.rules)
    if config.cascade and "nik" in rules:
        p1 = _not_self(index.candidate_pairs(rec, left, right, ("nik",), caps=config.caps))
        nm, _ = compare.name_levels(rec, p1.a, p1.b)
        # (the dates as typed: the shared NIK encodes the holder's date and would vouch for
        # itself, and a relative's NIK typed for a person must not end the search at the holder)
        dt = compare.date_levels(rec, p1.a, p1.b, use_nik=False)
        good = (nm <= decide.NAME_SIMILAR) & (dt <= decide.DOB_CLOSE)
        n_per_feed = np.bincount(p1.a, minlength=rec.n)
        sure_rows = np.unique(p1.a[good])
        sure_rows = sure_rows[n_per_feed[sure_rows] == 1]
        rest = np.setdiff1d(left, sure_rows)
        others = [r for r in rules if r != "nik"]
        p2 = _not_self(index.candidate_pairs(rec, rest, right, others, caps=config.caps))
        return blocking.union([p1.a, p2.a], [p1.b, p2.b], [p1.rules, p2.rules], rec.n)
    return _not_self(index.candidate_pairs(rec, left, right, rules, caps=config.caps))


def _not_self(pairs: blocking.Pairs) -> blocking.Pairs:
    keep = pairs.a != pairs.b
    return pairs if keep.all() else blocking.Pairs(pairs.a[keep], pairs.b[keep], pairs.rules[keep])


KELAS = ("identik_kecuali_alamat", "nik_sama_nama_beda", "mirip")


DEDUPE_SLICE = 1_000_000


def _worth_scoring(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Candidates sharing a usable NIK, or with a similar name and a close birth date."""
    nik_same = (rec.nik_key[a] >= 0) & (rec.nik_key[a] == rec.nik_key[b])
    sel = (compare.date_levels(rec, a, b) <= decide.DOB_CLOSE) & ~nik_same
    idx = np.flatnonzero(sel)
    sel[idx] = compare.name_levels(rec, a[idx], b[idx])[0] <= decide.NAME_SIMILAR
    return sel | nik_same


def deduplicate(roll: pd.DataFrame, config: LinkConfig | None = None) -> pd.DataFrame:
    """Likely duplicates (ganda) inside one roll, classed the SIDALIH way.

    ``kelas``: ``identik_kecuali_alamat`` (NIK, name, birth date and sex identical; the address
    may differ), ``nik_sama_nama_beda`` (same NIK, another name: a match only when the name is
    still related and birth date and sex agree, otherwise reviewed, one NIK may be used by two
    people), ``mirip`` (similar identity elements: a match only with a mistyped or missing NIK,
    the same birth date and a shared household or desa; see the rules below).

    Blocking uses ``config.dedupe_rules`` / ``dedupe_caps`` (a self-join squares every block);
    only candidates sharing the NIK or with a similar name and birth date are scored.
    """
    roll = _as_frame(roll)
    rec = prepare([roll])
    rows = np.arange(len(roll))
    return duplicates_of(rec, rows, rows, config)


def duplicates_of(rec: Records, fresh: np.ndarray, roll: np.ndarray, config: LinkConfig | None = None
                  ) -> pd.DataFrame:
    """``deduplicate`` of the records ``fresh`` against the whole ``roll`` (``fresh`` among them):
    every pair above the thresholds, not one candidate each, classed and decided by the same
    rules. ``fresh is roll``: the whole roll (the DPT at load); a few thousand new or changed
    records of a month: only their pairs, with each other and with the rest of the roll, are
    blocked and scored (the rest was deduplicated before). ``id_a`` is the record prepared
    first (the roll's id order)."""
    config = config or LinkConfig()
    caps = {**config.dedupe_caps, **config.caps}
    whole = fresh is roll
    pairs = index.candidate_pairs(rec, fresh, roll, config.dedupe_rules, self_join=whole, caps=caps)
    if not whole and len(pairs):
        # one pair per two records, whichever side each was found from (two fresh ones meet twice)
        a, b = np.minimum(pairs.a, pairs.b), np.maximum(pairs.a, pairs.b)
        keep = a != b
        pairs = blocking.union([a[keep]], [b[keep]], [pairs.rules[keep]], rec.n)
    cols = ["id_a", "id_b", "probability", "decision", "kelas", "match_weight"]
    if len(pairs):
        # a duplicate shares its NIK, or has a similar name and birth date (family members share
        # everything else): only those candidates are compared in full and scored
        # (the birth date first: cheap; the name's string similarity only where the date agrees)
        # (in slices: a DPT of millions yields tens of millions of candidates, and comparing
        # names builds several arrays per pair)
        sel = np.concatenate([_worth_scoring(rec, pairs.a[i:i + DEDUPE_SLICE], pairs.b[i:i + DEDUPE_SLICE])
                              for i in range(0, len(pairs), DEDUPE_SLICE)])
        pairs = blocking.Pairs(pairs.a[sel], pairs.b[sel], pairs.rules[sel])
    if not len(pairs):
        return pd.DataFrame(columns=cols)
    s = FellegiSunterClassifier(rec, fresh, roll, config, self_join=True).fit_pairs(
        pairs, features.levels(rec, pairs.a, pairs.b))
    lv = s.levels
    sex, hh = (lv[:, compare.NAMES.index(c)] for c in ("jenis_kelamin", "rumah_tangga"))
    nik, nama, dob = lv[:, NIK], lv[:, NAME], lv[:, DOB]
    nik_same = nik == decide.NIK_SAME
    sex_differs = sex == compare.level("jenis_kelamin", "beda")
    identical = nik_same & (nama == 0) & (dob == 0) & ~sex_differs
    kelas = np.where(identical, KELAS[0], np.where(nik_same, KELAS[1], KELAS[2]))
    # "similar identity elements": the name and the birth date must both be similar; family
    # members share everything else
    similar = (nama <= decide.NAME_SIMILAR) & (dob <= decide.DOB_CLOSE)
    # a mistyped NIK (one digit, the serial) or none; a wholly different NIK is another person
    NIK_OTHER = compare.level("nik", "beda")
    # mistyped (one digit, Excel's cut, the serial) or none; an opposite-sex twin is not a typo
    nik_typo = np.isin(nik, compare.levels_of("nik", "salah_satu_digit", "excel_terpotong",
                                              "serial_beda_satu_digit", "serial_beda", "kosong"))
    # ... but not a serial one apart: twins and siblings born the same day get consecutive serials
    nik_error = np.isin(nik, compare.levels_of("nik", "salah_satu_digit", "excel_terpotong",
                                               "serial_beda", "kosong"))
    close_name = nama <= 2                      # same, spelling/word order, or a typo
    same_house = hh <= 2                        # NKK, address, or desa with address or RT/RW
    same_desa = hh <= 3
    # the dedupe's own upper: the same target over its pairs (a pair list, no review budget)
    upper = decide.pair_upper(s.prob, config)
    lower = config.lower if config.lower is not None else config.lower_floor
    sure = s.prob >= upper
    # match: identical; the same NIK with a related name; a mistyped or missing NIK with the same
    # birth date and sex, a close name and the same household or desa (or, on the same family
    # card, a similar name). Everything else that is plausible is reviewed. Namesakes born the
    # same day are common in a big roll (and a NIK one digit off is common among them: serials
    # are small numbers), so a typed-NIK pair without a shared place is not a match on its
    # probability alone, and is reviewed only when the names agree after normalisation.
    match = sure & ~sex_differs & (dob == 0) & (
        identical
        | (nik_same & (nama <= 4))
        | (nik_typo & close_name & same_house)
        | (nik_error & ((close_name & same_desa) | ((nama <= decide.NAME_SIMILAR) & (hh == 0)))))
    review = ~match & (
        nik_same
        | ((s.prob >= lower) & similar
           & ((nik_typo & ((nama <= 1) | (close_name & same_desa))) | (same_house & (nik != NIK_OTHER)))))
    keep = match | review
    decision = np.where(match, decide.MATCH, decide.REVIEW)
    out = pd.DataFrame({"id_a": rec.ids[pairs.a], "id_b": rec.ids[pairs.b], "probability": s.prob,
                        "decision": decision, "kelas": kelas, "match_weight": np.round(s.total, 2)})
    out = pd.concat([out, pd.DataFrame(decide.evidence_frame(lv, s.weights))], axis=1)
    return out[keep].sort_values("probability", ascending=False).reset_index(drop=True)
