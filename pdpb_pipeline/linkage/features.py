"""The comparisons of ``compare.COMPARISONS`` as recordlinkage ``BaseCompareFeature`` classes.

``LevelFeature(rec, "nama")`` calls the kernel of ``compare`` (rapidfuzz inside) for the pairs
``recordlinkage.Compare`` hands it. The frames are the thin frames of ``index.record_frames``
(column ``row``: record row numbers), so recordlinkage gathers one integer per pair and side and
no string is copied per pair; the kernels read the prepared ``Records``::

    import recordlinkage
    from pdpb_pipeline.linkage.features import LevelFeature
    cmp = recordlinkage.Compare()
    for name in compare.NAMES:
        cmp.add(LevelFeature(rec, name))
    levels = cmp.compute(pairs, feed_rows, roll_rows)   # one column per comparison, 0 = best

The engine's path (``levels``) runs the same features in ``recordlinkage.base.BaseCompare`` (the
class ``recordlinkage.Compare`` extends with its string/numeric shortcuts, which import
scikit-learn) and turns the frame into the int8 level matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import compare
from .index import load_base, record_frame, to_multiindex
from .prepare import Records

_base = load_base()

#: The kernel of each comparison: levels (int8, 0 = best, last = ``kosong``) of pairs (a, b).
KERNELS = {
    "nik": compare.nik_levels,
    "nama": lambda rec, a, b: compare.name_levels(rec, a, b)[0],
    "tanggal_lahir": compare.date_levels,
    "jenis_kelamin": compare.sex_levels,
    "tempat_lahir": compare.place_levels,
    "rumah_tangga": compare.household_levels,
}


class LevelFeature(_base.BaseCompareFeature):
    """Comparison level of one of ``compare.COMPARISONS`` for every pair (0 = best)."""

    def __init__(self, rec: Records, comparison: str, left_on: str = "row", right_on: str = "row",
                 label: str | None = None):
        if comparison not in compare.NAMES:
            raise KeyError(f"unknown comparison {comparison!r}")
        super().__init__(left_on, right_on, label=label or comparison)
        self.rec, self.comparison = rec, comparison

    def _compute_vectorized(self, rows_a: pd.Series, rows_b: pd.Series) -> np.ndarray:
        a = np.asarray(rows_a, dtype=np.int64)
        b = np.asarray(rows_b, dtype=np.int64)
        return KERNELS[self.comparison](self.rec, a, b)


def comparator(rec: Records):
    """``recordlinkage.base.BaseCompare`` with one ``LevelFeature`` per comparison."""
    return _base.BaseCompare([LevelFeature(rec, c) for c in compare.NAMES])


def level_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The int8 level matrix (pairs x ``compare.COMPARISONS``) of a ``Compare`` result."""
    return np.ascontiguousarray(frame[list(compare.NAMES)].to_numpy(dtype=np.int8))


def levels(rec: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Level matrix of pairs (a, b) computed by ``recordlinkage`` Compare with ``LevelFeature``:
    the same matrix as ``compare.compare(rec, a, b)[0]``."""
    if not len(a):
        return np.empty((0, len(compare.COMPARISONS)), np.int8)
    rows = record_frame(np.arange(rec.n))
    frame = comparator(rec).compute(to_multiindex(a, b, rec.n), rows, rows)
    return level_matrix(frame)


def one_hot(frame: pd.DataFrame, drop_constant: bool = True) -> pd.DataFrame:
    """Levels as 0/1 columns ``<comparison>=<level>`` (``kosong`` dropped: no evidence), for
    supervised classifiers (``LogisticRegressionClassifier``). Not for ``ECMClassifier``: its
    ``jaro`` start takes every 1 for agreement, "different" too, and its EM does not converge."""
    cols = {}
    for comp in compare.COMPARISONS:
        if comp.name not in frame:
            continue
        v = frame[comp.name].to_numpy()
        for i, lv in enumerate(comp.levels[:-1]):
            cols[f"{comp.name}={lv}"] = (v == i).astype(np.int8)
    return _drop_constant(pd.DataFrame(cols, index=frame.index), drop_constant)


def at_least(frame: pd.DataFrame, drop_constant: bool = True) -> pd.DataFrame:
    """Levels as cumulative 0/1 columns ``<comparison><=<level>`` (the pair agrees at least that
    well; ``kosong`` is 0 everywhere): binary agreement features whose 1 always means "more alike",
    which is what the ``jaro`` start of ``ECMClassifier`` assumes."""
    cols = {}
    for comp in compare.COMPARISONS:
        if comp.name not in frame:
            continue
        v = frame[comp.name].to_numpy()
        for i, lv in enumerate(comp.levels[:-2]):   # "<= worst real level" is "not empty": no evidence
            cols[f"{comp.name}<={lv}"] = (v <= i).astype(np.int8)
    return _drop_constant(pd.DataFrame(cols, index=frame.index), drop_constant)


def _drop_constant(frame: pd.DataFrame, drop: bool) -> pd.DataFrame:
    """Without the columns that are the same for every pair (a field empty in a whole file): they
    carry no evidence, and ``ECMClassifier`` turns them into NaN probabilities."""
    if not drop or not len(frame):
        return frame
    v = frame.to_numpy()
    keep = (v != v[:1]).any(axis=0)
    # ... nor a column equal to the one before it (a level no pair is at: ``at_least`` repeats
    # the previous column, and ECM's estimate of one of the two goes to 0: log 0)
    comp = np.array([str(c).split("<=")[0] for c in frame.columns], dtype=object)
    keep[1:] &= (v[:, 1:] != v[:, :-1]).any(axis=0) | (comp[1:] != comp[:-1])
    return frame.loc[:, keep]
