"""Training and scoring: the Fellegi-Sunter model fitted on a linkage's candidate pairs.

u comes from random pairs and the roll's value frequencies (exact agreement on NIK, name and
birth date; the household NIK from household sizes); m from EM in three sessions (pairs sharing
a NIK, pairs born the same day, pairs with the same name), per agency for the NIK; the pair
prior from the share of feed rows on the roll (``row_share``). ``score_pairs`` is what
``classifier.FellegiSunterClassifier.fit_pairs`` (and ``fit``) runs; ``weigh`` scores pairs
under a fitted model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import blocking, compare, decide, model
from .config import LinkConfig
from .prepare import Records


@dataclass
class Scored:
    """Every candidate pair with its levels, weights and probability (arrays, not frames)."""
    pairs: blocking.Pairs
    levels: np.ndarray
    weights: np.ndarray
    tf: np.ndarray
    total: np.ndarray
    #: pairwise probability from ``score_pairs``; after ``decide.resolve``: the feed row's posterior
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

    A random sample of ``LinkConfig.u_sample`` pairs cannot see a chance of one in a million: two different
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
    if not len(left) or len(right) < 2:
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


def score_pairs(rec: Records, pairs: blocking.Pairs, config: LinkConfig, tf_rows: np.ndarray,
           left: np.ndarray, self_join: bool = False, levels: np.ndarray | None = None) -> Scored:
    """Fits the model on the candidate pairs and scores them (``classifier.FellegiSunterClassifier``
    ``fit_pairs``); ``levels``: their level matrix (``features.levels``) when already computed."""
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
    if len(rec.groups) > 1 and len(s2):
        model.fit_group_m(s2, rec.group[ta], fs, off_dob, rec.groups, config.group_prior_strength)
        # ... and how often a source's NIK is someone else's (u of NIK agreement per source)
        per_group = np.bincount(rec.group[left], minlength=len(rec.groups))
        model.fit_group_u(s1, rec.group[pairs.a[same_nik]], fs, off_nik, per_group, len(tf_rows))
    dob_typed = levels[:, DOB].copy()
    dob_typed[same_nik] = s1[:, DOB]
    w, tf, total, capped = weigh(rec, fs, pairs, levels, config, tf_rows, dob_typed)
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
    return Scored(pairs, levels, w, tf, total, pair_probability(fs, total), fs, capped)


def weigh(rec: Records, fs: model.FSModel, pairs: blocking.Pairs, levels: np.ndarray,
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
    w, total = model.score(fs, levels, tf, group)
    if dob_typed is None:
        dob_typed = levels[:, DOB].copy()
        same_nik = np.flatnonzero(levels[:, NIK] == 0)
        dob_typed[same_nik] = compare.date_levels(rec, pairs.a[same_nik], pairs.b[same_nik], use_nik=False)
    total, capped = decide.guards(
        levels, w, total, pairs.a, rec.nik_is16[pairs.a] & rec.nik_is16[pairs.b], dob_typed)
    return w, tf, total, capped


def pair_probability(fs: model.FSModel, total: np.ndarray) -> np.ndarray:
    """Probability of pairs from their total weight and the model's pair prior."""
    return 1.0 / (1.0 + np.exp2(-np.clip(total + fs.prior_weight, -60, 60)))
