"""``link``, ``deduplicate`` and ``link_files``: the engine end to end."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import blocking, compare, decide, features, index, model
from .classifier import FellegiSunterClassifier
from .config import LinkConfig
from .prepare import FIELDS, USED, Records, prepare

log = logging.getLogger(__name__)


@dataclass
class Scored:
    """Every candidate pair with its levels, weights and probability (arrays, not frames)."""
    pairs: blocking.Pairs
    levels: np.ndarray
    weights: np.ndarray
    tf: np.ndarray
    total: np.ndarray
    #: pairwise probability from ``_score``; after ``decide.resolve``: the feed row's posterior
    prob: np.ndarray
    fs: model.FSModel
    capped: np.ndarray   # reason a pair can at most be reviewed ('' when none)


def _level_dist(levels: np.ndarray, j: int) -> np.ndarray:
    k = len(compare.COMPARISONS[j].levels) - 1
    counts = np.bincount(levels[:, j], minlength=k + 1)[:k].astype(float) + 0.5
    return counts / counts.sum()


def random_u(rec: Records, left: np.ndarray, right: np.ndarray, n: int, seed: int = 0
             ) -> list[np.ndarray]:
    """u probabilities from random pairs (almost all non-matches), as Splink estimates them."""
    rng = np.random.default_rng(seed)
    a = left[rng.integers(0, len(left), n)]
    b = right[rng.integers(0, len(right), n)]
    keep = a != b
    levels, _ = compare.compare(rec, a[keep], b[keep])
    return [_level_dist(levels, j) for j in range(len(compare.COMPARISONS))]


NIK, DOB = compare.NAMES.index("nik"), compare.NAMES.index("tanggal_lahir")
NAME = compare.NAMES.index("nama")


def _set_level_u(dist: np.ndarray, level: int, value: float) -> None:
    rest = np.delete(np.arange(len(dist)), level)
    dist[rest] *= (1 - value) / dist[rest].sum()
    dist[level] = value


def _share_u(keys: np.ndarray, n: int) -> float:
    """Chance that two different random records share a key: sum c(c-1) / N^2 (floor 0.001/N)."""
    keys = keys[keys >= 0]
    if not len(keys):
        return 1e-3 / n
    _, c = np.unique(keys, return_counts=True)
    c = c.astype(np.float64)
    return max(float((c * (c - 1)).sum()) / float(n) ** 2, 1e-3 / n)


def _exact_u(u: list[np.ndarray], rec: Records, ref: np.ndarray) -> None:
    """u of exact agreement on NIK, name and birth date from the value frequencies of the roll.

    A random sample of 50,000 pairs cannot see a chance of one in a million: two different
    records share a value with probability sum(c_k (c_k - 1)) / N^2 over the values' counts
    (for a NIK that is only where the roll holds one NIK for several rows: copies, misuse).
    """
    n = len(ref)
    if n < 2:
        return
    _set_level_u(u[NIK], 0, _share_u(rec.nik_key[ref], n))
    _set_level_u(u[NAME], 0, _share_u(rec.name_sorted_code[ref], n))
    _set_level_u(u[DOB], 0, _share_u(np.where(rec.dob[ref] > 0, rec.dob[ref], -1), n))


def _member_u(u: list[np.ndarray], rec: Records, left: np.ndarray, right: np.ndarray) -> None:
    """u of ``milik_anggota_keluarga`` from the household sizes: a random roll record lives with
    the holder of a feed row's NIK with probability (household size - 1) / N (mean over the feed
    rows; too rare for the random pairs to see)."""
    if rec.nik_home_nkk is None or not len(left) or len(right) < 2:
        return
    hn, ha = rec.nik_home_nkk[left], rec.nik_home_addr[left]
    size = np.zeros(len(left))
    for home, key in ((hn, rec.nkk_key[right]), (ha, rec.home_addr[right])):
        sel = home >= 0
        if not sel.any():
            continue
        k = np.sort(key[key >= 0])
        size[sel] += np.searchsorted(k, home[sel], "right") - np.searchsorted(k, home[sel], "left")
    share = float(np.maximum(size - 1, 0).sum()) / (len(left) * float(len(right)))
    _set_level_u(u[NIK], compare.level("nik", "milik_anggota_keluarga"), max(share, 1e-3 / len(right)))


def row_share(a: np.ndarray, total: np.ndarray, n_left: int, n_right: int,
              iterations: int = 50, cap: float = 0.99) -> float:
    """Share f of feed rows that are on the roll, by EM over the rows with the weights fixed.

    Row i is on the roll with posterior f S_i / ((1 - f) + f S_i), S_i = sum_j 2^w_ij / N over
    its candidates (non-candidates add nothing); f is the mean posterior. At most ``cap``.
    """
    if not len(a) or not n_left:
        return 1e-6
    order = np.argsort(a, kind="stable")
    aa, w = a[order], total[order]
    first = np.ones(len(aa), bool)
    first[1:] = aa[1:] != aa[:-1]
    starts = np.flatnonzero(first)
    peak = np.maximum.reduceat(w, starts)
    rel = np.add.reduceat(np.exp2(np.clip(w - np.repeat(peak, np.diff(np.append(starts, len(w)))), -60, 0)), starts)
    log_s = peak + np.log2(rel) - np.log2(max(n_right, 1))      # log2 S_i of rows with candidates
    f = 0.5
    for _ in range(iterations):
        z = np.clip(log_s + np.log2(f / (1 - f)), -60, 60)
        new = float((1.0 / (1.0 + np.exp2(-z))).sum() / n_left)
        new = min(max(new, 1e-6), cap)
        if abs(new - f) < 1e-6:
            f = new
            break
        f = new
    return f


def dob_training_pairs(rec: Records, left: np.ndarray, right: np.ndarray, n: int,
                       self_join: bool, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sharing a birth date (a training block), at most ``n`` of them."""
    if self_join and left is right and len(left) > 4 * n:
        # a self-join of a big roll: sample the rows first (each same-day pair is kept with
        # probability q^2, so the sample stays uniform) instead of building every same-day pair
        key = np.where(rec.dob[left] > 0, rec.dob[left], -1)
        _, c = np.unique(key[key >= 0], return_counts=True)
        c = np.minimum(c, 200).astype(np.float64)
        pairs_all = float((c * (c - 1) / 2).sum())
        if pairs_all > 4 * n:
            q = min(1.0, float(np.sqrt(4 * n / pairs_all)))
            rows = left[np.random.default_rng(seed + 1).random(len(left)) < q]
            k = np.where(rec.dob[rows] > 0, rec.dob[rows], -1)
            a, b = blocking.self_join_pairs(k, rows, 200)
            if len(a) > n:
                pick = np.random.default_rng(seed).choice(len(a), n, replace=False)
                a, b = a[pick], b[pick]
            return a, b
    lk, rk = rec.dob[left], rec.dob[right]
    a, b = blocking.join(np.where(lk > 0, lk, -1), left, np.where(rk > 0, rk, -1), right, 200)
    if self_join:
        keep = a < b
        a, b = a[keep], b[keep]
    if len(a) > n:
        pick = np.random.default_rng(seed).choice(len(a), n, replace=False)
        a, b = a[pick], b[pick]
    return a, b


def _score(rec: Records, pairs: blocking.Pairs, config: LinkConfig, tf_rows: np.ndarray,
           left: np.ndarray, self_join: bool = False, levels: np.ndarray | None = None) -> Scored:
    """Fits the model on the candidate pairs and scores them (``classifier.FellegiSunterClassifier``
    ``fit``); ``levels``: their level matrix (``features.levels``) when already computed."""
    if levels is None:
        levels, _ = compare.compare(rec, pairs.a, pairs.b)
    u = random_u(rec, left, tf_rows, config.u_sample)
    # session 1: pairs with the same NIK (NIK switched off)
    # (their birth dates compared as typed: the NIK they share would otherwise vouch for them,
    # and m of the date's error levels would be learnt as zero)
    same_nik = levels[:, NIK] == 0
    s1 = levels[same_nik].copy()
    s1[:, DOB] = compare.date_levels(rec, pairs.a[same_nik], pairs.b[same_nik], use_nik=False)
    # session 2: pairs born the same day (birth date switched off). Among them the NIK's
    # birth part agrees by construction, so the u of "same region and birth part, other serial"
    # is taken from them, not from random pairs (where it would look like strong evidence).
    ta, tb = dob_training_pairs(rec, left, tf_rows, config.u_sample, self_join)
    s2, _ = compare.compare(rec, ta, tb)
    if len(s2):
        dob_u = _level_dist(s2, NIK)
        nik_u = u[NIK].copy()
        # a 16-digit NIK one digit off is, among people born the same day, often a neighbouring
        # kecamatan's code: that u too comes from the same-day pairs. Opaque identifiers (not
        # NIK-structured) keep the random-pair u for a one-digit typo.
        ok = rec.nik_ok[tf_rows]
        nik_like = bool(ok.any()) and rec.nik_is16[tf_rows][ok].mean() > 0.5
        same_day = compare.levels_of("nik", *(("salah_satu_digit",) if nik_like else ()),
                                     "excel_terpotong", "serial_beda_satu_digit",
                                     "kembar_beda_kelamin", "serial_beda")
        nik_u[same_day] = dob_u[same_day]
        u[NIK] = nik_u / nik_u.sum()
    _exact_u(u, rec, tf_rows)
    if not self_join:
        _member_u(u, rec, left, tf_rows)
    on = [True] * len(u)
    off_nik = on.copy()
    off_nik[NIK] = False
    off_dob = on.copy()
    off_dob[DOB] = False
    # session 3: candidate pairs with the same name (name switched off): the only session that
    # trains the birth date's m where NIKs are missing (a feed without NIKs, FEBRL without ids)
    off_name = on.copy()
    off_name[NAME] = False
    s3 = levels[levels[:, NAME] == 0]
    fs = model.fit_sessions([(s1, off_nik), (s2, off_dob), (s3, off_name)], u, levels,
                            config.em_max_iter)
    # NIK reliability per source (agency): EM in the same-day session, shrunk toward the pooled m
    group = rec.group[pairs.a] if rec.group is not None and len(rec.groups) > 1 else None
    if group is not None and len(s2):
        model.fit_group_m(s2, rec.group[ta], fs, off_dob, rec.groups, config.group_prior_strength)
        # ... and how often a source's NIK is someone else's (u of NIK agreement per source)
        per_group = np.bincount(rec.group[left], minlength=len(rec.groups))
        model.fit_group_u(s1, rec.group[pairs.a[same_nik]], fs, off_nik, per_group, len(tf_rows))
    dob_typed = levels[:, DOB].copy()
    dob_typed[same_nik] = s1[:, DOB]
    w, tf, total, capped = _weigh(rec, fs, pairs, levels, config, tf_rows, dob_typed)
    # The prior of a pair. Per feed row the hypotheses are "not on the roll" (1 - f) and "is roll
    # record j" (f / N each), f being the share of feed rows on the roll; the odds of one pair
    # are f / ((1 - f) N). The weights (u from random pairs) count the blocking agreement
    # themselves, so the share of matches among the candidates must not be the prior.
    n_left, n_right = len(left), len(tf_rows)
    if self_join:
        # the pairs a self-join can form: every left record with every other right one, the
        # pairs of two left records counted once (n (n - 1) / 2 when both sides are the roll)
        possible = n_left * (n_right - 1) - n_left * (n_left - 1) / 2
        odds = max(fs.lam * len(levels), 1.0) / max(possible, 1.0)
    else:
        odds = (f := row_share(pairs.a, total, n_left, n_right)) / ((1 - f) * max(n_right, 1))
    fs.pair_prior = float(odds / (1 + odds))
    return Scored(pairs, levels, w, tf, total, _pair_probability(fs, total), fs, capped)


def _weigh(rec: Records, fs: model.FSModel, pairs: blocking.Pairs, levels: np.ndarray,
           config: LinkConfig, tf_rows: np.ndarray, dob_typed: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights of pairs under a fitted model: (per comparison, name frequency, total, capped).

    ``dob_typed``: the birth-date levels with the dates as typed where the NIK is shared (the
    shared NIK encodes the holder's date and would vouch for it), for the guards; computed here
    when not given."""
    ref = rec.name_sorted_code[tf_rows]
    ref = ref[ref >= 0]
    if len(ref):
        p = np.bincount(ref).astype(float) / len(ref)
        u_avg = float((p ** 2).sum())
    else:
        u_avg = 1.0
    tf = model.tf_adjustment(levels, rec.tf_sorted[pairs.a], rec.tf_sorted[pairs.b], u_avg,
                             config.tf_min, config.tf_max)
    group = rec.group[pairs.a] if fs.group_m is not None else None
    w, total, _ = model.score(fs, levels, tf, group)
    if dob_typed is None:
        dob_typed = levels[:, DOB].copy()
        same_nik = np.flatnonzero(levels[:, NIK] == 0)
        dob_typed[same_nik] = compare.date_levels(rec, pairs.a[same_nik], pairs.b[same_nik], use_nik=False)
    total, _, capped = decide.guards(
        levels, w, total, 0.0, pairs.a, rec.nik_is16[pairs.a] & rec.nik_is16[pairs.b], dob_typed)
    return w, tf, total, capped


def _pair_probability(fs: model.FSModel, total: np.ndarray) -> np.ndarray:
    """Probability of pairs from their total weight and the model's pair prior."""
    return 1.0 / (1.0 + np.exp2(-np.clip(total + fs.prior_weight, -60, 60)))


@dataclass
class LinkResult:
    """Decisions of one linkage run; frames are built on first access."""
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
        if s.fs.group_m is not None and rec.group is not None:
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


def read_canonical_csv(path, columns=FIELDS) -> pd.DataFrame:
    """Reads a person CSV as text (extra columns ignored, missing ones empty)."""
    wanted = set(columns)
    frame = pd.read_csv(path, dtype=str, na_filter=False, encoding="utf-8-sig", engine="c",
                        usecols=lambda c: c in wanted)
    if "id" not in frame.columns:
        raise ValueError(f"{path}: no 'id' column")
    for c in columns:
        if c not in frame.columns:
            frame[c] = ""
    return frame


#: Columns with few distinct values (names repeat too): read as categoricals by the fast reader.
_CATEGORICAL = ("nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "rt", "rw",
                "kode_desa")


def read_link_csv(path, columns=USED, engine: str | None = None) -> pd.DataFrame:
    """``read_canonical_csv`` for the engine, same values (all text, empty stays empty).

    With ``pyarrow`` installed (it is optional, not a dependency) its multi-threaded CSV reader is
    used and the repetitive columns come back as categoricals: one Python string per distinct
    value instead of one per row, the slow part of reading a million-row roll (about 3 s of pandas
    reading become 1 s). ``engine`` (or the environment variable ``PDPB_LINK_READER``): ``pandas``
    or ``pyarrow`` to choose; default: pyarrow when importable.
    """
    engine = engine or os.environ.get("PDPB_LINK_READER") or "auto"
    if engine == "auto":
        try:
            import pyarrow.csv  # noqa: F401
            engine = "pyarrow"
        except ImportError:
            engine = "pandas"
    if engine != "pyarrow":
        return read_canonical_csv(path, columns)
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    if "id" not in header:
        raise ValueError(f"{path}: no 'id' column")
    if len(set(header)) != len(header):
        return read_canonical_csv(path, columns)
    include = [c for c in columns if c in header]
    table = pacsv.read_csv(
        path, read_options=pacsv.ReadOptions(use_threads=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=include, column_types={c: pa.string() for c in include},
            strings_can_be_null=False, quoted_strings_can_be_null=False))
    data = {}
    for c in columns:
        if c not in include:
            data[c] = np.full(table.num_rows, "", dtype=object)
        elif c in _CATEGORICAL:
            enc = table.column(c).combine_chunks().dictionary_encode()
            cats = pd.Index(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)
            data[c] = pd.Categorical.from_codes(enc.indices.to_numpy(zero_copy_only=False),
                                                categories=cats, validate=False)
        else:
            data[c] = table.column(c).to_numpy()
    del table
    return pd.DataFrame(data, copy=False)


def link_files(feed_csv, roll_csv, out_csv, config: LinkConfig | None = None) -> dict:
    """``pdpb link``: one output row per linked feed row: feed_id, roll_id, probability, decision,
    then the evidence of ``LinkResult.links`` (match weight, name term-frequency weight, level and
    weight of every comparison, blocking rules, reason); a feed row missing from the output is a
    non-match. Returns counts and timings."""
    t0 = time.perf_counter()
    feed = read_link_csv(feed_csv)
    roll = read_link_csv(roll_csv)
    t1 = time.perf_counter()
    result = link(feed, roll, config)
    out = result.links.copy()
    out["probability"] = np.round(out["probability"].astype(np.float64), 6)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_csv, index=False, lineterminator="\n")
    summary = {"feed_rows": len(feed), "roll_rows": len(roll), **result.counts(),
               "upper": result.thresholds["upper"], "lower": result.thresholds["lower"],
               "read_seconds": time.perf_counter() - t0 - (time.perf_counter() - t1),
               **{f"{k}_seconds" if k != "pairs" else "candidate_pairs": v
                  for k, v in result.timings.items()}}
    return summary
