"""The engine's comparison kernels as recordlinkage ``BaseCompareFeature`` classes.

The fast path (``link``) calls the kernels on numpy arrays directly and does not import
recordlinkage (its import alone takes ~1.8 s). These adapters let the same comparisons run inside
``recordlinkage.Compare`` for notebooks and cross-checks (e.g. against its ``ECMClassifier``)::

    import recordlinkage
    from pdpb_pipeline.linkage.rl import LevelFeature
    cmp = recordlinkage.Compare()
    for name in ("nik", "nama", "tanggal_lahir", "rumah_tangga"):
        cmp.add(LevelFeature(name))
    features = cmp.compute(pairs_multiindex, feed_df, roll_df)   # levels 0 = best
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from recordlinkage.base import BaseCompareFeature

from . import compare
from .prepare import FIELDS, prepare

_KERNELS = {
    "nik": compare.nik_levels,
    "nama": lambda rec, a, b: compare.name_levels(rec, a, b)[0],
    "tanggal_lahir": compare.date_levels,
    "jenis_kelamin": compare.sex_levels,
    "tempat_lahir": compare.place_levels,
    "rumah_tangga": compare.household_levels,
}


class LevelFeature(BaseCompareFeature):
    """Comparison level (0 = best, last = empty) of one engine comparison for each pair."""

    def __init__(self, comparison: str, label: str | None = None):
        cols = list(FIELDS[1:])
        super().__init__(cols, cols, label=label or comparison)
        self.comparison = comparison

    def _compute_vectorized(self, *args):
        n = len(args) // 2
        left = pd.DataFrame({c: v.to_numpy() for c, v in zip(FIELDS[1:], args[:n])})
        right = pd.DataFrame({c: v.to_numpy() for c, v in zip(FIELDS[1:], args[n:])})
        left["id"], right["id"] = "", ""
        rec = prepare([left, right])
        a = np.arange(len(left))
        return pd.Series(_KERNELS[self.comparison](rec, a, a + len(left)))
