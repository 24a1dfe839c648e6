"""Blocking rules as recordlinkage index algorithms (``recordlinkage.base.BaseIndexAlgorithm``).

Every rule of ``blocking.RULES`` is a ``BlockingRule(rec, rule)``: an index algorithm over the
engine's prepared ``Records``. The frames recordlinkage hands to it are *thin frames* whose index
labels are record row numbers (``record_frames`` builds them), so a user writes::

    import recordlinkage
    from pdpb_pipeline.linkage.index import BlockingRule, record_frames
    rec, feed_rows, roll_rows = record_frames(feed_df, roll_df)
    indexer = recordlinkage.Index()
    for rule in ("nik", "lahir_nama", "nama_desa"):
        indexer.add(BlockingRule(rec, rule))
    pairs = indexer.index(feed_rows, roll_rows)          # pandas.MultiIndex of record rows

The engine (``link_records``, ``duplicates_of``) goes through the same classes but calls
``BlockingRule.arrays`` (numpy row arrays) and ``candidate_pairs`` (one sort-based union of all
rules with their rule bits): ``recordlinkage.Index`` unions one ``MultiIndex`` per rule with
``MultiIndex.union``, which is far slower at millions of pairs (see README, "recordlinkage").

``import recordlinkage`` runs the package's ``__init__``, which imports every classifier and with
them scikit-learn and SciPy (about 1.5 s). ``load_base`` imports ``recordlinkage.base`` (the base
classes, joblib, no scikit-learn) without it; the rest of the package is loaded the first time
anything else is asked of it (``recordlinkage.Index``, ``recordlinkage.ECMClassifier``...).
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd

from . import blocking
from .prepare import Records, prepare


def load_base():
    """``recordlinkage.base`` without the package ``__init__`` (scikit-learn) until it is needed."""
    if "recordlinkage" not in sys.modules:
        spec = importlib.util.find_spec("recordlinkage")
        if spec is None:
            raise ImportError("recordlinkage is not installed")
        pkg = importlib.util.module_from_spec(spec)

        def __getattr__(name):
            # ``from recordlinkage import rl_logging`` (inside the submodules): the submodule
            if not name.startswith("__") and importlib.util.find_spec(f"recordlinkage.{name}"):
                return importlib.import_module(f"recordlinkage.{name}")
            # first use of anything else: run the package's own __init__ in this module object,
            # as ``import recordlinkage`` would have
            pkg.__dict__.pop("__getattr__", None)
            spec.loader.exec_module(pkg)
            return getattr(pkg, name)

        pkg.__getattr__ = __getattr__
        sys.modules["recordlinkage"] = pkg
    import recordlinkage.config_init  # noqa: F401  (the options BaseClassifier reads)
    import recordlinkage.base

    return recordlinkage.base


_base = load_base()


def record_frame(rows: np.ndarray, name: str | None = None) -> pd.DataFrame:
    """A thin frame for recordlinkage: index and column ``row`` are record row numbers."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (len(rows) == 1 or (np.diff(rows) == 1).all()):
        idx = pd.RangeIndex(int(rows[0]), int(rows[-1]) + 1, name=name)
    else:
        idx = pd.Index(rows, name=name)
    return pd.DataFrame({"row": rows}, index=idx, copy=False)


def record_frames(feed: pd.DataFrame, roll: pd.DataFrame | None = None
                  ) -> tuple[Records, pd.DataFrame, pd.DataFrame | None]:
    """``prepare`` as ``link`` does (feed rows first) and the thin frames of both sides.

    ``roll`` None: deduplication of ``feed`` alone (one frame)."""
    feed = feed.reset_index(drop=True)
    if roll is None:
        rec = prepare([feed])
        return rec, record_frame(np.arange(len(feed)), "roll"), None
    roll = roll.reset_index(drop=True)
    nf, nr = len(feed), len(roll)
    rec = prepare([feed, roll], tf_rows=slice(nf, None))
    return rec, record_frame(np.arange(nf), "feed"), record_frame(np.arange(nf, nf + nr), "roll")


def rows_of(frame: pd.DataFrame) -> np.ndarray:
    """Record row numbers of a thin frame (its index labels)."""
    return np.asarray(frame.index, dtype=np.int64)


def to_multiindex(a: np.ndarray, b: np.ndarray, n: int) -> pd.MultiIndex:
    """Pairs of record rows as a ``MultiIndex`` built from codes (no factorising, no sort)."""
    level = pd.RangeIndex(n)
    return pd.MultiIndex(levels=[level, level], codes=[np.asarray(a), np.asarray(b)],
                         names=[None, None], verify_integrity=False)


def from_multiindex(pairs: pd.MultiIndex) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) record rows of a ``MultiIndex`` of pairs (labels are record rows)."""
    return (np.asarray(pairs.get_level_values(0), dtype=np.int64),
            np.asarray(pairs.get_level_values(1), dtype=np.int64))


class BlockingRule(_base.BaseIndexAlgorithm):
    """One blocking rule of ``blocking.RULES`` (an equi-join on one key) over ``rec``.

    ``cap``: block-size cap of the rule (default ``blocking.CAPS``). Linking: pairs (feed row,
    roll row); deduplication (one frame): pairs (a, b) with a < b.
    """

    def __init__(self, rec: Records, rule: str, cap: int | None = None,
                 cap_nik: int | None = None, **kwargs):
        if rule not in blocking.RULE_BIT:
            raise KeyError(f"unknown blocking rule {rule!r}")
        super().__init__(**kwargs)
        self.rec, self.rule = rec, rule
        self.cap = blocking.CAPS[rule] if cap is None else int(cap)
        self.cap_nik = cap_nik   # nik_serumah: the cap on the NIK's holders
        self.bit = blocking.RULE_BIT[rule]

    def __repr__(self) -> str:
        return f"<BlockingRule {self.rule!r} cap={self.cap}>"

    def arrays(self, left: np.ndarray, right: np.ndarray, self_join: bool = False,
               cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The rule's pairs as numpy record rows (``blocking.rule_pairs``)."""
        return blocking.rule_pairs(self.rec, self.rule, left, right, self.cap, self_join, cache,
                                   self.cap_nik)

    def _pairs(self, left, right, self_join) -> pd.MultiIndex:
        a, b = self.arrays(left, right, self_join)
        p = blocking.union([a], [b], [np.full(len(a), self.bit, np.int32)], self.rec.n)
        return to_multiindex(p.a, p.b, self.rec.n)

    def _link_index(self, df_a: pd.DataFrame, df_b: pd.DataFrame) -> pd.MultiIndex:
        return self._pairs(rows_of(df_a), rows_of(df_b), False)

    def _dedup_index(self, df_a: pd.DataFrame) -> pd.MultiIndex:
        rows = rows_of(df_a)
        return self._pairs(rows, rows, True)


def algorithms(rec: Records, rules=blocking.RULES, caps: dict | None = None) -> list[BlockingRule]:
    """One ``BlockingRule`` per rule, with ``blocking.CAPS`` overridden by ``caps``."""
    caps = {**blocking.CAPS, **(caps or {})}
    return [BlockingRule(rec, r, caps[r], caps["nik"]) for r in rules]


def candidate_pairs(rec: Records, left: np.ndarray, right: np.ndarray, rules=blocking.RULES,
                    self_join: bool = False, caps: dict | None = None) -> blocking.Pairs:
    """The engine's index: the union of the rules' pairs with the bits of the rules that found
    each pair, by one sort over all of them (the pairs ``recordlinkage.Index`` gives with the
    same rules added)."""
    out_a, out_b, out_bits = [], [], []
    cache: dict = {}
    for alg in algorithms(rec, rules, caps):
        a, b = alg.arrays(left, right, self_join, cache)
        out_a.append(a)
        out_b.append(b)
        out_bits.append(np.full(len(a), alg.bit, dtype=np.int32))
    return blocking.union(out_a, out_b, out_bits, rec.n)
