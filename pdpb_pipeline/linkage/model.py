"""Unsupervised Fellegi-Sunter: m/u probabilities per comparison level estimated by EM.

EM runs over the *distinct level vectors* with their counts (a few hundred patterns whatever the
number of pairs), so it costs nothing at scale. A pair's match weight is the sum of
``log2(m/u)`` of its levels (a ``kosong`` level weighs 0) plus a term-frequency adjustment for
names (agreeing on a common name such as SITI AMINAH says less than agreeing on a rare one);
its probability is the posterior with the pair prior (``FSModel.pair_prior``, which
``training.score_pairs`` sets; ``lambda`` of EM without it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import COMPARISONS

NAME_COL = [c.name for c in COMPARISONS].index("nama")
NIK_COL = [c.name for c in COMPARISONS].index("nik")


@dataclass
class FSModel:
    m: list[np.ndarray]
    u: list[np.ndarray]
    lam: float
    #: Prior probability that two *random* records (one feed row, one roll record) are the same
    #: person. The weights use u from random pairs, so this is the prior they need: blocking
    #: selects pairs on the very agreements the weights count, and the share of matches among
    #: candidates (``lam``) as prior would count that agreement twice. ``None``: use ``lam``.
    pair_prior: float | None = None
    #: m of the NIK comparison per source group (groups x levels; ``None``: one m for all) with
    #: the group names and the expected number of matched training pairs behind each row.
    group_m: np.ndarray | None = None
    groups: tuple = ("",)
    group_pairs: np.ndarray | None = None
    #: u of the NIK comparison per group (``None``: the pooled u): see ``fit_group_u``.
    group_u: np.ndarray | None = None

    def level_weights(self) -> list[np.ndarray]:
        """log2(m/u) per level of each comparison; the ``kosong`` (last) level weighs 0."""
        out = []
        for m, u in zip(self.m, self.u):
            w = np.log2(m / u)
            out.append(np.append(w, 0.0))
        return out

    def group_weights(self) -> np.ndarray | None:
        """NIK weights per group (groups x levels, ``kosong`` 0), or ``None``."""
        if self.group_m is None:
            return None
        u = self.group_u if self.group_u is not None else self.u[NIK_COL][None, :]
        w = np.log2(self.group_m / u)
        return np.hstack([w, np.zeros((len(w), 1))])

    @property
    def prior_weight(self) -> float:
        p = self.lam if self.pair_prior is None else self.pair_prior
        return float(np.log2(p / (1 - p)))

    def table(self) -> list[dict]:
        """m, u and weight of every level: the model as a reader sees it."""
        rows = []
        for comp, m, u, w in zip(COMPARISONS, self.m, self.u, self.level_weights()):
            for i, level in enumerate(comp.levels[:-1]):
                rows.append({"comparison": comp.name, "level": level, "m": float(m[i]),
                             "u": float(u[i]), "weight": float(w[i]), "agency": ""})
        gw = self.group_weights()
        if gw is not None:
            gu = (self.group_u if self.group_u is not None
                  else np.tile(self.u[NIK_COL], (len(self.groups), 1)))
            comp = COMPARISONS[NIK_COL]
            for g, name in enumerate(self.groups):
                if not name or self.group_pairs[g] <= 0:
                    continue
                for i, level in enumerate(comp.levels[:-1]):
                    rows.append({"comparison": comp.name, "level": level,
                                 "m": float(self.group_m[g, i]), "u": float(gu[g, i]),
                                 "weight": float(gw[g, i]), "agency": name,
                                 "matched_pairs": float(self.group_pairs[g])})
        return rows


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = levels.shape[1]
    code = np.zeros(len(levels), dtype=np.int64)
    for j in range(k):
        code = code * 16 + levels[:, j].astype(np.int64)
    uniq, first, counts = np.unique(code, return_index=True, return_counts=True)
    return levels[first], counts.astype(np.float64)


def _init(nlev: int, match: bool) -> np.ndarray:
    if match:
        p = 0.5 ** (np.arange(nlev) * 2.0)
    else:
        p = 2.0 ** (np.arange(nlev) * 1.0)
    return p / p.sum()


def fit(levels: np.ndarray, u: list[np.ndarray], max_iter: int = 200, tol: float = 1e-7,
        lam: float = 0.3, active: list[bool] | None = None,
        fixed_m: list[np.ndarray] | None = None) -> FSModel:
    """EM for the two-class mixture over level vectors with u fixed (``kosong`` levels are
    skipped): m of the ``active`` comparisons (unless ``fixed_m``) and the share of matches
    ``lambda``."""
    pats, counts = _patterns(levels)
    nlev = [len(c.levels) - 1 for c in COMPARISONS]
    active = active or [True] * len(nlev)
    m = [_init(n, True) for n in nlev] if fixed_m is None else [x.copy() for x in fixed_m]
    u = [x.copy() for x in u]
    if not len(pats):  # no pairs: nothing to learn, the starting (or given) values stand
        return FSModel(m=m, u=u, lam=lam)
    onehots = []
    for j, n in enumerate(nlev):
        oh = np.zeros((len(pats), n))
        present = pats[:, j] < n
        oh[np.flatnonzero(present), pats[present, j]] = 1.0
        onehots.append(oh)
    log_u = [np.log(x) for x in u]
    for _ in range(max_iter):
        lm = np.full(len(pats), np.log(lam))
        lu = np.full(len(pats), np.log(1 - lam))
        for j in range(len(nlev)):
            if not active[j]:
                continue
            lm += onehots[j] @ np.log(m[j])
            lu += onehots[j] @ log_u[j]
        mx = np.maximum(lm, lu)
        g = np.exp(lm - mx) / (np.exp(lm - mx) + np.exp(lu - mx))
        cg = counts * g
        new_lam = float(cg.sum() / counts.sum())
        new_m = []
        for j, n in enumerate(nlev):
            if fixed_m is None and active[j]:
                mm = cg @ onehots[j] + 0.5
                new_m.append(mm / mm.sum())
            else:
                new_m.append(m[j])
        delta = abs(new_lam - lam) + sum(float(np.abs(a - b).sum()) for a, b in zip(new_m, m))
        m, lam = new_m, min(max(new_lam, 1e-6), 1 - 1e-6)
        if delta < tol:
            break
    return FSModel(m=m, u=u, lam=lam)


def fit_sessions(sessions: list[tuple[np.ndarray, list[bool]]], u: list[np.ndarray],
                 candidates: np.ndarray, max_iter: int = 200) -> FSModel:
    """m by EM in training sessions with u fixed (from random pairs), Splink style.

    Each session is a set of pairs chosen by one training block (same NIK; same birth date; same
    name);
    the comparisons that define the block are switched off in that session (their agreement is
    a given there, not evidence) and its other comparisons' m are estimated. m of a comparison is
    the mean over the sessions where it was active. Finally the prior (lambda) is estimated on
    the candidate pairs with m and u fixed.
    """
    sums = [np.zeros_like(x) for x in u]
    n = [0] * len(u)
    for levels, active in sessions:
        if not len(levels):
            continue
        fm = fit(levels, u, max_iter=max_iter, active=active, lam=0.5)
        for j, on in enumerate(active):
            if on:
                sums[j] += fm.m[j]
                n[j] += 1
    m = [s / k if k else _init(len(s), True) for s, k in zip(sums, n)]
    return fit(candidates, u, max_iter=max_iter, fixed_m=m, lam=0.3)


def fit_group_m(levels: np.ndarray, group: np.ndarray, model: FSModel, active: list[bool],
                groups: tuple, strength: float = 50.0, max_iter: int = 100, tol: float = 1e-6
                ) -> FSModel:
    """m of the NIK comparison per source group, by EM in one training session.

    Every group's pairs run their own EM in which only the NIK's m (and the group's share of
    matches) is free; the other comparisons keep the pooled m and u. The M-step is shrunk toward
    the pooled NIK m: ``m_g = (expected matched pairs per level + strength * m_pooled) /
    (expected matched pairs + strength)``, so a group with few pairs keeps (nearly) the pooled m
    and one with thousands of pairs gets its own. ``strength`` is in pseudo matched pairs.
    """
    nlev = [len(c.levels) - 1 for c in COMPARISONS]
    G = len(groups)
    pooled = model.m[NIK_COL]
    gm = np.tile(pooled, (G, 1))
    n_match = np.zeros(G)
    if len(levels) and G > 1:
        log_m = [np.log(m) for m in model.m]
        log_u = [np.log(u) for u in model.u]
        for g in np.unique(group):
            sel = group == g
            pats, counts = _patterns(levels[sel])
            fixed_m = np.zeros(len(pats))
            fixed_u = np.zeros(len(pats))
            for j, n in enumerate(nlev):
                if not active[j] or j == NIK_COL:
                    continue
                present = pats[:, j] < n
                fixed_m[present] += log_m[j][pats[present, j]]
                fixed_u[present] += log_u[j][pats[present, j]]
            nik = pats[:, NIK_COL]
            present = nik < nlev[NIK_COL]
            oh = np.zeros((len(pats), nlev[NIK_COL]))
            oh[np.flatnonzero(present), nik[present]] = 1.0
            m_g, lam = pooled.copy(), 0.5
            for _ in range(max_iter):
                lm = np.log(lam) + fixed_m + oh @ np.log(m_g)
                lu = np.log(1 - lam) + fixed_u + oh @ log_u[NIK_COL]
                post = 1.0 / (1.0 + np.exp(np.clip(lu - lm, -700, 700)))
                cg = counts * post
                new = (cg @ oh + strength * pooled) / ((cg @ oh).sum() + strength)
                lam = min(max(float(cg.sum() / counts.sum()), 1e-6), 1 - 1e-6)
                done = float(np.abs(new - m_g).sum()) < tol
                m_g = new
                if done:
                    break
            gm[g] = m_g
            n_match[g] = float((cg @ oh).sum())
    model.group_m, model.groups, model.group_pairs = gm, tuple(groups), n_match
    return model


def fit_group_u(levels: np.ndarray, group: np.ndarray, model: FSModel, active: list[bool],
                n_left: np.ndarray, n_right: int, max_iter: int = 50) -> FSModel:
    """u of NIK agreement (``sama``) per source group, from how often its NIK is someone else's.

    ``levels``: the pairs sharing a NIK (session 1, the NIK itself switched off by ``active``).
    Per group, the share of those pairs that are matches (``lam_g``) is estimated by EM with the
    other comparisons' weights fixed; the rest, (1 - lam_g) * pairs_g non-matching pairs that
    agree on the NIK among the group's n_left_g * N possible pairs, is the group's chance that a
    NIK agrees by someone else's NIK being typed. The pooled u (from the roll's own NIK
    frequencies) is the floor. ``n_left``: feed rows per group."""
    G = len(model.groups)
    base = model.u[NIK_COL]
    gu = np.tile(base, (G, 1))
    same = COMPARISONS[NIK_COL].levels.index("sama")
    if len(levels) and G > 1 and n_right > 0:
        lw = model.level_weights()
        w = np.zeros(len(levels))
        for j, table in enumerate(lw):
            if active[j] and j != NIK_COL:
                w += table[levels[:, j]]
        for g in np.unique(group):
            wg = w[group == g]
            lam = 0.5
            for _ in range(max_iter):
                logit = np.clip(wg + np.log2(lam / (1 - lam)), -60, 60)
                new = float(np.mean(1.0 / (1.0 + np.exp2(-logit))))
                new = min(max(new, 1e-6), 1 - 1e-6)
                if abs(new - lam) < 1e-7:
                    lam = new
                    break
                lam = new
            other = (1 - lam) * len(wg) / max(float(n_left[g]) * n_right, 1.0)
            if other > base[same]:
                row = gu[g]
                rest = np.arange(len(row)) != same
                row[rest] *= (1 - other) / row[rest].sum()
                row[same] = other
    model.group_u = gu
    return model


def tf_adjustment(levels: np.ndarray, tf_a: np.ndarray, tf_b: np.ndarray,
                  u_avg: float, lo: float = -6.0, hi: float = 3.0) -> np.ndarray:
    """Extra weight for pairs whose names agree: ``log2(u_avg / tf)`` of the agreed name."""
    out = np.zeros(len(levels), dtype=np.float64)
    agree = levels[:, NAME_COL] <= 1
    tf = np.maximum(np.maximum(tf_a, tf_b), 1e-12)[agree]
    out[agree] = np.clip(np.log2(u_avg / tf), lo, hi)
    return out


def score(model: FSModel, levels: np.ndarray, tf_adj: np.ndarray | None = None,
          group: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(per-comparison weights, total match weight) of every pair; ``group`` (the source group
    of each pair) selects the NIK weights of that source. ``training.pair_probability`` turns
    the total into a probability."""
    lw = model.level_weights()
    w = np.empty(levels.shape, dtype=np.float32)
    for j, table in enumerate(lw):
        w[:, j] = table[levels[:, j]]
    gw = model.group_weights()
    if gw is not None and group is not None and len(levels):
        w[:, NIK_COL] = gw[group, levels[:, NIK_COL]]
    total = w.sum(axis=1, dtype=np.float64)
    if tf_adj is not None:
        total = total + tf_adj
    return w, total
