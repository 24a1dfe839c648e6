"""`pdpb bench link`: both linkers on one case, scored person-level, with a reliability table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pdpb_lab.bench import link as bench

BASE = pd.DataFrame({"roll_id": ["R1", "R2", "R2b", "R3", "R4"],
                     "person_id": ["P1", "P2", "P2", "P3", "P4"]})   # R2b: the ganda copy of R2
TRUTH = pd.DataFrame({
    "feed_id": ["F1", "F2", "F3", "F4", "F5", "F6"],
    "person_id": ["P1", "P2", "P3", "P4", "P9", "P8"],
    "roll_id": ["R1", "R2", "R3", "R4", "", ""],
    "noise": ["", "name_typo", "nik_missing;date_serial", "nik_missing", "", "name_typo"],
})


def _links(rows):
    return pd.DataFrame(rows, columns=["feed_id", "roll_id", "probability", "decision"])


def test_score_counts_a_ganda_copy_as_right_and_a_wrong_match_and_a_miss():
    links = _links([
        ("F1", "R1", "0.9999", "match"),     # right
        ("F2", "R2b", "0.9995", "match"),    # the other copy of the same person: right
        ("F3", "R4", "0.995", "match"),      # wrong person
        ("F4", "R4", "0.7", "review"),       # right person, but only reviewed: a miss
        ("F5", "R3", "0.6", "review"),       # not on the roll, reviewed
    ])
    q = bench.score(links, TRUTH, BASE)
    assert (q["match"], q["match_correct"], q["review"], q["true_links"]) == (3, 2, 2, 4)
    assert q["precision"] == pytest.approx(2 / 3, abs=1e-5)
    assert q["recall"] == pytest.approx(2 / 4, abs=1e-5)
    assert q["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), abs=1e-5)
    assert q["review_share"] == pytest.approx(2 / 6, abs=1e-5)

    rel = {r["bucket"]: r for r in bench.reliability(links, TRUTH, BASE)}
    assert sum(r["n"] for r in rel.values()) == len(links)
    assert (rel["[0.999,1]"]["n"], rel["[0.999,1]"]["correct"]) == (2, 2)
    assert (rel["[0.99,0.999)"]["n"], rel["[0.99,0.999)"]["observed"]) == (1, 0.0)
    assert (rel["[0.5,0.9)"]["n"], rel["[0.5,0.9)"]["correct"]) == (2, 1)

    noise = {r["token"]: r for r in bench.by_noise(links, TRUTH, BASE)}
    # F3 carries two faults: its wrong match is counted under each
    assert (noise["nik_missing"]["wrong_match"], noise["nik_missing"]["missed"]) == (1, 2)
    assert (noise["date_serial"]["wrong_match"], noise["date_serial"]["missed"]) == (1, 1)
    assert (noise["name_typo"]["rows"], noise["name_typo"]["wrong_match"], noise["name_typo"]["missed"]) == (2, 0, 0)
    assert noise["(none)"]["rows"] == 2 and noise["(none)"]["wrong_match"] == 0


def test_a_match_to_a_feed_row_not_on_the_roll_is_wrong():
    links = _links([("F6", "R1", "0.999", "match"), ("F1", "R1", "0.999", "match")])
    q = bench.score(links, TRUTH, BASE)
    assert (q["match"], q["match_correct"]) == (2, 1)
    wrong = bench.errors(links, TRUTH, BASE)
    assert set(wrong.loc[wrong["error"] == "wrong_match", "feed_id"]) == {"F6"}
    assert set(wrong.loc[wrong["error"] == "missed", "feed_id"]) == {"F2", "F3", "F4"}


@pytest.mark.slow
def test_benchmark_runs_pdpb_link_and_splink_on_one_generated_case(tmp_path):
    r = bench.run(5_000, seed=2, root=tmp_path, peer="splink")
    assert set(r["linkers"]) == {"pdpb", "splink"}
    n_feed = r["feed_rows"]
    assert n_feed == 100   # 5,000 // 50
    for name, v in r["linkers"].items():
        assert v["true_links"] >= 40, (name, v)
        assert v["precision"] >= 0.95 and v["recall"] >= 0.8, (name, v)
        assert v["wall_seconds"] > 0 and v["peak_rss_mb"] > 50
        links = pd.read_csv(v["links_csv"], dtype=str, keep_default_na=False)
        assert list(links.columns[:4]) == ["feed_id", "roll_id", "probability", "decision"]
        assert sum(b["n"] for b in v["reliability"]) == len(links) == v["match"] + v["review"]
        assert sum(x["rows"] for x in v["by_noise"] if x["token"] == "(none)") <= n_feed
    assert r["linkers"]["splink"]["engine"]["feed_rows"] == n_feed
    assert Path(r["json"]).parent == tmp_path / "work" / "32.01-5000-3m-2" / "link"  # beside the one case cache
    saved = json.loads(Path(r["json"]).read_text())
    assert saved["linkers"]["splink"]["f1"] == r["linkers"]["splink"]["f1"]
    text = bench.format_run(r)
    assert "splink" in text and "reliability" in text


def test_cli_bench_link_rejects_an_unknown_peer_and_profile():
    from typer.testing import CliRunner

    from pdpb_pipeline.cli.app import app

    out = CliRunner().invoke(app, ["bench", "link", "--voters", "5000", "--peer", "dedupe"])
    assert out.exit_code != 0 and "splink" in out.output
    out = CliRunner().invoke(app, ["bench", "link", "--voters", "5000", "--profile", "messy"])
    assert out.exit_code != 0 and "hard" in out.output


def test_without_splink_the_peer_says_how_to_install_it(monkeypatch):
    import sys

    from pdpb_lab.bench import peer_splink

    monkeypatch.setitem(sys.modules, "splink", None)   # as if the `splink` extra were not installed
    with pytest.raises(ImportError, match=r"lab\[splink\]"):
        peer_splink.require_splink()
