"""``pdpb link --explain FEED_ID``: the match weights of a feed row's best candidates as a
waterfall in text (what Splink draws as its waterfall chart): the prior, each comparison's level
and weight, the name frequency, the running total, the final match weight, the probability and
the decision. NIK and NKK are masked."""

from __future__ import annotations

import numpy as np

from . import decide
from .blocking import rule_names
from .compare import COMPARISONS


def _row(step: str, level: str, weight: float | None, running: float, values: str = "") -> str:
    w = "" if weight is None else f"{weight:+8.2f}"
    return f"  {step:<40} {level:<24} {w:>8} {running:+9.2f}  {values}".rstrip()


def _candidate(result, ia: int, p: int, decision: str, reason: str, upper: float, lower: float) -> str:
    s, rec = result.scored, result.rec
    ib = int(s.pairs.b[p])
    rows = (result.feed.iloc[ia] if result.feed is not None else None,
            result.roll.iloc[ib - result.n_feed] if result.roll is not None else None)
    prior = float(s.fs.prior_weight)
    total = float(s.total[p]) + prior
    lines = [f"feed {rec.ids[ia]} -> roll {rec.ids[ib]}: {decision.upper()}",
             f"  found by blocking rule(s): {', '.join(rule_names(int(s.pairs.rules[p])))}"]
    reason = reason or str(s.capped[p] or "")
    if reason:
        lines.append(f"  note: {reason}")
    lines.append(f"  {'step':<40} {'level':<24} {'weight':>8} {'running':>9}  [feed | roll]")
    running = prior
    lines.append(_row("prior (a random feed x roll pair)", "", prior, running))
    summed = 0.0
    for j, comp in enumerate(COMPARISONS):
        w = float(s.weights[p, j])
        running += w
        summed += w
        values = f"[{decide._values(rec, rows[0], ia, comp.name)} | {decide._values(rec, rows[1], ib, comp.name)}]"
        lines.append(_row(comp.label, comp.levels[int(s.levels[p, j])], w, running, values))
    tf = float(s.tf[p])
    running += tf
    lines.append(_row("name frequency (term frequency)", "", tf, running))
    rest = float(s.total[p]) - summed - tf
    if abs(rest) >= 0.005:  # a guard took evidence out (e.g. a relative's household)
        running += rest
        lines.append(_row("not counted (see note)", "", rest, running))
    prob = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    lines.append(_row("final match weight", "", None, total))
    lines.append(f"  probability {prob:.6f} = 1 / (1 + 2^-({total:+.2f})) for this pair alone")
    lines.append(f"  posterior {float(s.prob[p]):.6f} among the row's candidates (one person is one "
                 f"roll record; copies of one person count together); match at >= {upper:g}, "
                 f"review at >= {lower:g}: {decision}")
    return "\n".join(lines)


def waterfall(result, feed_id: str, top: int = 3) -> str:
    """The waterfall of ``feed_id``'s ``top`` best candidates; KeyError for an unknown id."""
    s, rec = result.scored, result.rec
    upper, lower = result.thresholds["upper"], result.thresholds["lower"]
    hits = np.flatnonzero(rec.ids[: result.n_feed] == feed_id)
    if not len(hits):
        raise KeyError(feed_id)
    ia = int(hits[0])
    cand = np.flatnonzero(s.pairs.a == ia)
    if not len(cand):
        return f"feed {feed_id}: NON-MATCH (no roll record shares any blocking key)"
    chosen = {int(p): (d, r) for p, d, r in zip(result.chosen, result.decision, result.reason)
              if s.pairs.a[p] == ia}
    cand = cand[np.argsort(-s.total[cand], kind="stable")][:top]
    parts = []
    if not chosen:
        parts.append(f"feed {feed_id}: NON-MATCH (best candidate below the review threshold {lower:g})")
    for p in cand:
        d, r = chosen.get(int(p), ("candidate, not chosen" if chosen else "non-match", ""))
        parts.append(_candidate(result, ia, int(p), d, r, upper, lower))
    return "\n\n".join(parts)
