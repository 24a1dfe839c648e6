"""The engine's Fellegi-Sunter model as a recordlinkage classifier (``BaseClassifier``).

``FellegiSunterClassifier`` has the ``fit / predict / prob / fit_predict`` interface of
recordlinkage's classifiers. It is unsupervised: ``fit`` estimates u from random feed x roll pairs
and from the roll's value frequencies, m by EM in training sessions (same NIK; same birth date;
same name),
the name term-frequency adjustment, the guards (household, NIK misuse) and the pair prior: all of
``training.score_pairs``. It needs the prepared records besides the comparison vectors (they are not the
only evidence: name frequencies and random pairs come from the records), so it is built on them::

    rec, feed_rows, roll_rows = index.record_frames(feed, roll)
    clf = FellegiSunterClassifier(rec, feed_rows.index, roll_rows.index)
    matches = clf.fit_predict(levels)   # levels: recordlinkage Compare with features.LevelFeature
    clf.prob(levels)                    # probability of every pair
    clf.decide(levels)                  # match and review links, one per feed row (as ``link``)

``predict`` is 1 for the pairs ``link`` decides ``match`` (one roll record per feed row at most:
the best candidate by its row posterior, roll records claimed twice), not a threshold on ``prob``.

To compare with recordlinkage's own classifiers on the same index and comparisons, ``link_with``
runs the engine's blocking and comparisons, fits any classifier with that interface (e.g.
``recordlinkage.ECMClassifier()`` on ``features.at_least`` columns,
``recordlinkage.LogisticRegressionClassifier()`` with ``true_links``) and decides one link per
feed row with the engine's thresholds from the classifier's ``prob``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import blocking, compare, decide, features
from .config import LinkConfig
from .index import from_multiindex, load_base, record_frame, record_frames, rows_of, to_multiindex
from .prepare import Records
from .training import Scored, pair_probability, score_pairs, weigh

_base = load_base()
from recordlinkage.utils import LearningError  # noqa: E402  (after load_base: no sklearn)


class FellegiSunterClassifier(_base.BaseClassifier):
    """Unsupervised Fellegi-Sunter of ``link`` (``left`` rows linked to ``right`` rows of ``rec``).

    ``self_join``: deduplication (``right`` may be None: the same rows); ``predict`` is then
    ``prob >= decide.pair_upper`` (``config.upper`` when given; ``deduplicate`` adds its own ganda
    rules on top).
    Fitted attributes: ``model_`` (``model.FSModel``: m, u, prior) and ``scored_`` (the fitted
    pairs' levels, weights and probabilities)."""

    def __init__(self, rec: Records, left, right=None, config: LinkConfig | None = None,
                 self_join: bool = False):
        self.rec = rec
        self.left = left if isinstance(left, np.ndarray) else np.asarray(left, dtype=np.int64)
        if right is None:
            right = self.left
        self.right = right if isinstance(right, np.ndarray) else np.asarray(right, dtype=np.int64)
        self.config = config or LinkConfig()
        self.self_join = self_join
        self.model_ = None
        self.scored_ = None
        self.thresholds_: dict = {}
        self._pending: tuple[np.ndarray, np.ndarray] | None = None

    # --- numpy path (the engine) -------------------------------------------------------------

    def fit_pairs(self, pairs: blocking.Pairs, levels: np.ndarray):
        """Fits on candidate pairs and their level matrix; returns the scored pairs."""

        self.scored_ = score_pairs(self.rec, pairs, self.config, self.right, self.left,
                              self_join=self.self_join, levels=levels)
        self.model_ = self.scored_.fs
        return self.scored_

    def score_pairs(self, pairs: blocking.Pairs, levels: np.ndarray):
        """Weights and probabilities of pairs under the fitted model (the fitted pairs: as fitted)."""

        if self.model_ is None:
            raise LearningError("FellegiSunterClassifier is not fitted; call fit first")
        s = self.scored_
        if len(pairs) == len(s.pairs) and np.array_equal(pairs.a, s.pairs.a) and np.array_equal(
                pairs.b, s.pairs.b) and np.array_equal(levels, s.levels):
            return s
        w, tf, total, capped = weigh(self.rec, self.model_, pairs, levels, self.config, self.right)
        return Scored(pairs, levels, w, tf, total, pair_probability(self.model_, total), self.model_, capped)

    def resolve(self, scored) -> decide.Resolved:
        """One decision per left row (``decide.resolve``, with the thresholds chosen from these
        pairs: ``decide.choose_thresholds``, kept in ``thresholds_``): chosen pair, decision,
        reason, and every pair's posterior among its row's candidates."""
        nik_level = scored.levels[:, compare.col("nik")]
        self.thresholds_ = _thresholds(scored.pairs, scored.total, scored.fs.prior_weight, self.rec,
                                       len(self.left), scored.capped, self.config, nik_level)
        p = scored.pairs
        return decide.resolve(p.a, p.b, scored.total, scored.fs.prior_weight, self.rec,
                              self.thresholds_["upper"], self.thresholds_["lower"], scored.capped,
                              nik_level)

    # --- recordlinkage interface -------------------------------------------------------------

    def _vectors(self, comparison_vectors: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in compare.NAMES if c not in comparison_vectors.columns]
        if missing:
            raise KeyError(f"comparison vectors lack the level columns {missing} "
                           "(recordlinkage Compare with features.LevelFeature)")
        self._pending = from_multiindex(comparison_vectors.index)
        return comparison_vectors[list(compare.NAMES)]

    def _pairs(self) -> blocking.Pairs:
        a, b = self._pending
        return blocking.Pairs(a, b, np.zeros(len(a), np.int32))

    def fit(self, comparison_vectors: pd.DataFrame, match_index=None):
        """Unsupervised fit on the level columns of ``comparison_vectors`` (index: record pairs)."""
        if match_index is not None:
            raise ValueError("FellegiSunterClassifier is unsupervised: no match_index")
        super().fit(self._vectors(comparison_vectors))
        return self

    def _fit(self, levels: np.ndarray, y=None):
        self.fit_pairs(self._pairs(), np.ascontiguousarray(levels, dtype=np.int8))

    def predict(self, comparison_vectors: pd.DataFrame):
        return super().predict(self._vectors(comparison_vectors))

    def _predict(self, levels: np.ndarray) -> np.ndarray:
        s = self.score_pairs(self._pairs(), np.ascontiguousarray(levels, dtype=np.int8))
        out = np.zeros(len(s.prob), dtype=np.int64)
        if self.self_join:
            out[s.prob >= decide.pair_upper(s.prob, self.config)] = 1
            return out
        r = self.resolve(s)
        out[r.chosen[r.decision == decide.MATCH]] = 1
        return out

    def prob(self, comparison_vectors: pd.DataFrame, return_type=None) -> pd.Series:
        return super().prob(self._vectors(comparison_vectors), return_type)

    def _prob_match(self, levels: np.ndarray) -> np.ndarray:
        """Linking: every pair's posterior among its left row's candidates (as ``link``
        reports); deduplication: the pair's own probability."""
        s = self.score_pairs(self._pairs(), np.ascontiguousarray(levels, dtype=np.int8))
        return s.prob if self.self_join else self.resolve(s).probability

    def decide(self, comparison_vectors: pd.DataFrame) -> pd.DataFrame:
        """The links ``link`` makes from these pairs (match and review, one per left row):
        probability, decision and reason, indexed by the chosen pairs."""
        levels = self._vectors(comparison_vectors).to_numpy(dtype=np.int8)
        r = self.resolve(self.score_pairs(self._pairs(), levels))
        return pd.DataFrame({"probability": r.probability[r.chosen], "decision": r.decision,
                             "reason": r.reason}, index=comparison_vectors.index[r.chosen])


def link_with(classifier, feed: pd.DataFrame, roll: pd.DataFrame, config: LinkConfig | None = None,
              encode=features.at_least, true_links=None) -> pd.DataFrame:
    """``link`` with another classifier of recordlinkage's interface in place of ours
    (``classifier`` None: ours, ``FellegiSunterClassifier``).

    Blocking and comparisons are the engine's (``BlockingRule`` index, ``LevelFeature`` run by
    recordlinkage Compare); ``encode`` turns the level frame into the classifier's features
    (``features.at_least`` for ECM, whose ``jaro`` start needs binary columns where 1 means
    "more alike"; ``features.one_hot`` for logistic regression; ``None``: the levels as they are). A supervised classifier gets ``true_links``: pairs of
    (feed id, roll id). One link per feed row: the candidate with the highest ``prob``, a
    ``match`` and review by the same row posterior and thresholds as ``link``, from the
    classifier's pair probabilities (the engine's household guard is not applied: it works on the
    engine's weights). Returns feed_id, roll_id, probability, decision, reason."""
    from .api import block

    config = config or LinkConfig()
    rec, feed_rows, roll_rows = record_frames(feed, roll)
    left, right = rows_of(feed_rows), rows_of(roll_rows)
    pairs = block(rec, left, right, config)
    allrows = record_frame(np.arange(rec.n))
    mi = to_multiindex(pairs.a, pairs.b, rec.n)
    levels = features.comparator(rec).compute(mi, allrows, allrows)
    if classifier is None:   # ours, on these records: exactly ``link`` (weights, guards)
        ours = FellegiSunterClassifier(rec, left, right, config)
        d = ours.fit(levels).decide(levels)
        a, b = from_multiindex(d.index)
        return pd.DataFrame({"feed_id": rec.ids[a], "roll_id": rec.ids[b],
                             "probability": d["probability"].to_numpy(),
                             "decision": d["decision"].to_numpy(), "reason": d["reason"].to_numpy()})
    X = encode(levels) if encode is not None else levels
    if true_links is not None:
        row = pd.Series(np.arange(rec.n), index=pd.Index(rec.ids))
        ids = pd.MultiIndex.from_tuples(list(true_links)) if not isinstance(
            true_links, pd.MultiIndex) else true_links
        a = row.reindex(ids.get_level_values(0)).to_numpy()
        b = row.reindex(ids.get_level_values(1)).to_numpy()
        ok = ~(np.isnan(a) | np.isnan(b))
        classifier.fit(X, to_multiindex(a[ok].astype(np.int64), b[ok].astype(np.int64), rec.n))
    else:
        classifier.fit(X)
    p = np.clip(np.asarray(classifier.prob(X), dtype=np.float64), 0.0, 1.0)
    # the classifier's pair odds, prior included (weight + prior 0)
    weight = np.log2(np.clip(p, 1e-18, None)) - np.log2(np.clip(1 - p, 1e-18, None))
    th = _thresholds(pairs, weight, 0.0, rec, len(left), None, config)
    r = decide.resolve(pairs.a, pairs.b, weight, 0.0, rec, th["upper"], th["lower"], None)
    c = r.chosen
    return pd.DataFrame({"feed_id": rec.ids[pairs.a[c]], "roll_id": rec.ids[pairs.b[c]],
                         "probability": r.probability[c], "decision": r.decision, "reason": r.reason})


def _thresholds(pairs: blocking.Pairs, weight: np.ndarray, prior: float, rec: Records, n_rows: int,
                capped, config: LinkConfig, nik_level: np.ndarray | None = None) -> dict:
    c = config
    return decide.choose_thresholds(pairs.a, pairs.b, weight, prior, rec, n_rows, capped,
                                    c.target_precision, c.review_budget, c.upper_floor,
                                    c.lower_floor, c.upper, c.lower, nik_level)
