"""Quality of a links table against a truth table (feed_id -> roll_id, empty: not on the roll)."""

from __future__ import annotations

import pandas as pd


def quality(links: pd.DataFrame, truth: pd.DataFrame) -> dict:
    t = truth.set_index("feed_id")["roll_id"].fillna("").astype(str)
    m = links[links["decision"] == "match"]
    rv = links[links["decision"] == "review"]
    expected = t.reindex(m["feed_id"]).fillna("").to_numpy()
    correct = int((expected == m["roll_id"].to_numpy()).sum())
    true_links = int((t != "").sum())
    return {
        "feed_rows": len(t), "true_links": true_links, "match": len(m), "review": len(rv),
        "match_correct": correct,
        "precision": correct / max(len(m), 1),
        "recall": correct / max(true_links, 1),
        "review_share": len(rv) / max(len(t), 1),
    }


def errors(links: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(wrong matches, true links not decided match)."""
    t = truth.set_index("feed_id")["roll_id"].fillna("").astype(str)
    m = links[links["decision"] == "match"].copy()
    m["expected"] = t.reindex(m["feed_id"]).fillna("").to_numpy()
    wrong = m[m["expected"] != m["roll_id"]]
    got = dict(zip(m["feed_id"], m["roll_id"]))
    missed = t[(t != "") & (t.index.map(lambda f: got.get(f) != t[f]))]
    return wrong, missed.rename("expected").reset_index()
