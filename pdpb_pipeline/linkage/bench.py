"""``pdpb bench link --voters N``: the linkage benchmark on the real path.

1. ``pdpb_pipeline.synth.generate`` builds the synthetic regency 32.01 with ``voters`` DPT rows
   (cached under ``workdir``; three months are generated so that a bigger feed can be built);
2. the real feed ingest (``pdpb_pipeline.feeds.ingest``) reads every agency file of a month, as
   the pipeline does; its accepted rows minus ``hasil_coktas`` are the feed ``link`` receives,
   written in the canonical schema (``schema.write_person_csv``);
3. ``link_files(feed_csv, dpt.csv, links.csv)`` (the ``pdpb link`` file contract) runs in a child
   process under ``/usr/bin/time -v``: wall time and peak memory are of the whole command,
   reading the CSVs included. Generation and ingest are not timed;
4. scoring is person-level against the generator's truth: a ``match`` is correct when the feed
   row's ``person_id`` is the ``person_id`` of the chosen roll record (either copy of a ganda
   pair counts); true links are feed rows whose truth ``roll_id`` is non-empty.

Quality is measured on the first month (one month of the generator, linked against the
baseline). When that month has fewer than ``voters // 50`` rows the speed is also measured on a
feed of exactly ``voters // 50`` rows made by concatenating the months (``padded``; ids get a
``<month>/`` prefix so they stay unique).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
REGENCY = "32.01"
START = "2026-01"


def case_dir(voters: int, seed: int, workdir=None, months: int = 3) -> Path:
    return Path(workdir or f"/tmp/pdpb-bench-real-{voters}-s{seed}-m{months}")


def generate_case(voters: int, seed: int, work: Path, months: int = 3) -> Path:
    """The generated regency under ``work/gen`` (generated once)."""
    gen = work / "gen"
    if not (gen / "truth" / REGENCY / "meta.json").exists() or not any(
            (gen / "truth" / REGENCY).glob("*-*.csv")):
        from pdpb_pipeline.synth import SynthConfig, generate

        generate(SynthConfig(regency=REGENCY, voters=voters, months=months, start=START, seed=seed),
                 out_dir=gen)
    return gen


def ingest_month(gen: Path, month: str) -> pd.DataFrame:
    """The month's feed as the pipeline builds it: every agency's accepted rows, no coktas."""
    from pdpb_pipeline.feeds.ingest import ingest
    from pdpb_pipeline.feeds.spec import AGENCIES, agency_of
    from pdpb_pipeline.resources.landing import LandingZone

    files = LandingZone(root=str(gen)).files(REGENCY, month)
    parts = []
    for spec in AGENCIES:
        mine = [p for p in files if (s := agency_of(p.stem)) is not None and s.key == spec.key]
        if mine:
            parts.append(ingest(spec, mine, REGENCY, month).rows)
    rows = pd.concat(parts, ignore_index=True)
    return rows[rows["jenis_peristiwa"] != "hasil_coktas"].reset_index(drop=True)


def feed_truth(gen: Path, month: str, feed: pd.DataFrame) -> pd.DataFrame:
    """feed_id, person_id, roll_id, noise for every feed row (from the generator's truth)."""
    t = pd.read_csv(gen / "truth" / REGENCY / f"{month}.csv", dtype=str, keep_default_na=False)
    t["feed_id"] = t["berkas"].str.rsplit(".", n=1).str[0] + "#" + (t["baris"].astype(int) + 1).astype(str)
    t = t.drop_duplicates("feed_id").set_index("feed_id")
    out = pd.DataFrame({"feed_id": feed["id"].to_numpy()})
    for c in ("person_id", "roll_id", "noise", "agency", "jenis_peristiwa"):
        out[c] = t[c].reindex(out["feed_id"]).fillna("").to_numpy()
    return out


def build_feeds(voters: int, seed: int, work: Path, months: int = 3) -> dict:
    """Writes (once) feed CSVs and their truth; returns the paths and sizes."""
    from pdpb_pipeline import schema

    meta_path = work / "feeds.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    gen = generate_case(voters, seed, work, months)
    labels = json.loads((gen / "truth" / REGENCY / "meta.json").read_text())["months"]
    target = max(voters // 50, 100)
    frames, truths = [], []
    for label in labels:
        f = ingest_month(gen, label)
        t = feed_truth(gen, label, f)
        if label != labels[0]:
            f["id"] = label + "/" + f["id"]
            t["feed_id"] = label + "/" + t["feed_id"]
        frames.append(f)
        truths.append(t)
    info = {"roll_csv": str(gen / "baseline" / REGENCY / "dpt.csv"),
            "baseline_truth": str(gen / "truth" / REGENCY / "baseline.csv"), "target_rows": target}
    schema.write_person_csv(frames[0], work / "feed_month1.csv")
    truths[0].to_csv(work / "truth_month1.csv", index=False)
    info["month1"] = {"feed_csv": str(work / "feed_month1.csv"), "truth_csv": str(work / "truth_month1.csv"),
                      "rows": len(frames[0]), "months": [labels[0]]}
    if len(frames[0]) < target:
        allf = pd.concat(frames, ignore_index=True)
        allt = pd.concat(truths, ignore_index=True)
        n = min(target, len(allf))
        used = sorted({lab for lab, k in zip(labels, np.cumsum([len(f) for f in frames]))
                       if k - len(frames[labels.index(lab)]) < n})
        schema.write_person_csv(allf.iloc[:n], work / "feed_padded.csv")
        allt.iloc[:n].to_csv(work / "truth_padded.csv", index=False)
        info["padded"] = {"feed_csv": str(work / "feed_padded.csv"), "truth_csv": str(work / "truth_padded.csv"),
                          "rows": n, "months": used}
    meta_path.write_text(json.dumps(info, indent=1))
    return info


def time_link(feed_csv: str, roll_csv: str, out_csv: Path) -> dict:
    """``link_files`` in a child process under ``/usr/bin/time -v``."""
    code = ("import sys, json; from pdpb_pipeline.linkage import link_files; "
            "print(json.dumps(link_files(sys.argv[1], sys.argv[2], sys.argv[3]), default=float))")
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", code, feed_csv, roll_csv, str(out_csv)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"link failed: {proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    shown = ["/usr/bin/time", "-v", sys.executable, "-c",
             "'from pdpb_pipeline.linkage import link_files; link_files(FEED, ROLL, OUT)'",
             feed_csv, roll_csv, str(out_csv)]
    return {"wall_seconds": round(seconds, 2), "peak_rss_mb": round(rss_kb / 1024, 1),
            "engine": summary, "command": " ".join(shown)}


def score(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> dict:
    """Person-level precision / recall / review share of a links table."""
    roll_person = dict(zip(baseline_truth["roll_id"], baseline_truth["person_id"]))
    t = truth.set_index("feed_id")
    m = links[links["decision"] == "match"]
    want = t["person_id"].reindex(m["feed_id"]).fillna("").to_numpy()
    got = m["roll_id"].map(roll_person).fillna("").to_numpy()
    correct = (want == got) & (want != "")
    true_links = int((t["roll_id"] != "").sum())
    matched_true = int((correct & (t["roll_id"].reindex(m["feed_id"]).fillna("").to_numpy() != "")).sum())
    n_review = int((links["decision"] == "review").sum())
    return {"feed_rows": len(t), "true_links": true_links, "match": len(m), "review": n_review,
            "match_correct": int(correct.sum()),
            "precision": round(float(correct.sum()) / max(len(m), 1), 5),
            "recall": round(matched_true / max(true_links, 1), 5),
            "review_share": round(n_review / max(len(t), 1), 5)}


def errors(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> pd.DataFrame:
    """Feed rows decided wrongly: wrong matches, and true links not decided ``match``."""
    roll_person = dict(zip(baseline_truth["roll_id"], baseline_truth["person_id"]))
    t = truth.set_index("feed_id").copy()
    lk = links.set_index("feed_id")
    t["got_roll"] = lk["roll_id"].reindex(t.index).fillna("")
    t["decision"] = lk["decision"].reindex(t.index).fillna("")
    t["probability"] = lk["probability"].reindex(t.index)
    t["got_person"] = t["got_roll"].map(roll_person).fillna("")
    wrong = (t["decision"] == "match") & (t["got_person"] != t["person_id"])
    missed = (t["roll_id"] != "") & ~((t["decision"] == "match") & (t["got_person"] == t["person_id"]))
    t["error"] = np.where(wrong, "wrong_match", np.where(missed, "missed", ""))
    return t[t["error"] != ""].reset_index()


def run(voters: int, seed: int = 1, workdir=None, months: int = 3) -> dict:
    """Generates (cached), ingests (cached), times ``link_files`` and scores it."""
    work = case_dir(voters, seed, workdir, months)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    info = build_feeds(voters, seed, work, months)
    prep = time.perf_counter() - t0
    base = pd.read_csv(info["baseline_truth"], dtype=str, keep_default_na=False,
                       usecols=["roll_id", "person_id"])
    out = {"voters": voters, "seed": seed, "regency": REGENCY, "workdir": str(work),
           "case_seconds_untimed": round(prep, 1)}
    for name in ("month1", "padded"):
        if name not in info:
            continue
        case = info[name]
        links_csv = work / f"links_{name}.csv"
        timing = time_link(case["feed_csv"], info["roll_csv"], links_csv)
        links = pd.read_csv(links_csv, dtype=str, keep_default_na=False)
        truth = pd.read_csv(case["truth_csv"], dtype=str, keep_default_na=False)
        q = score(links, truth, base)
        res = {"months": case["months"], **q, "wall_seconds": timing["wall_seconds"],
               "peak_rss_mb": timing["peak_rss_mb"], "command": timing["command"],
               "engine": timing["engine"]}
        if name == "month1":
            out.update(res)
        else:
            out["padded"] = res
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run(n), indent=1, default=float))
