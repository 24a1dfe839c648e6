"""`pdpb link`: the file contract any two canonical-schema files are linked by."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from pdpb_pipeline.cli.app import app
from pdpb_lab.synth import SynthConfig, generate


def test_link_command_file_contract(tmp_path):
    zone = tmp_path / "zone"
    generate(SynthConfig(regency="36.73", voters=3_000, months=1, start="2026-01", seed=5), out_dir=zone)
    roll = pd.read_csv(zone / "baseline" / "36.73" / "dpt.csv", dtype=str, keep_default_na=False)
    feed = roll.sample(40, random_state=1).copy()
    feed["id"] = [f"F{i}" for i in range(len(feed))]
    feed["nama"] = feed["nama"].str.replace("MUHAMMAD", "M.", regex=False)
    feed["extra_column"] = "ignored"
    outsider = feed.iloc[:1].copy().assign(id="F-OUT", nik="", nkk="", nama="YOHANES KRISTIANTO", tanggal_lahir="1955-01-01",
                                           alamat="", kode_desa="")
    feed = pd.concat([feed, outsider])
    feed.to_csv(tmp_path / "feed.csv", index=False)
    result = CliRunner().invoke(app, ["link", "--feed", str(tmp_path / "feed.csv"), "--roll",
                                      str(zone / "baseline" / "36.73" / "dpt.csv"), "--out", str(tmp_path / "links.csv")])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(tmp_path / "links.csv", dtype=str, keep_default_na=False)
    assert list(links.columns[:4]) == ["feed_id", "roll_id", "probability", "decision"]
    assert set(links["decision"]) <= {"match", "review"}
    assert links["feed_id"].is_unique
    assert "F-OUT" not in set(links["feed_id"])  # not in the output: a non-match
    expected = dict(zip(feed["id"].iloc[:-1], roll.loc[feed.index[:-1], "id"]))
    matched = links[links["decision"] == "match"]
    assert len(matched) >= 38
    assert all(expected[f] == r for f, r in zip(matched["feed_id"], matched["roll_id"]))


def _case(tmp_path):
    zone = tmp_path / "zone"
    generate(SynthConfig(regency="36.73", voters=3_000, months=1, start="2026-01", seed=7), out_dir=zone)
    roll_csv = zone / "baseline" / "36.73" / "dpt.csv"
    roll = pd.read_csv(roll_csv, dtype=str, keep_default_na=False)
    feed = roll.sample(30, random_state=2).copy()
    feed["id"] = [f"F{i}" for i in range(len(feed))]
    feed.iloc[:5, feed.columns.get_loc("nik")] = ""          # no NIK: found by name and date
    feed.iloc[5:8, feed.columns.get_loc("nama")] = feed["nama"].iloc[5:8].str[:-1]  # a letter lost
    feed.to_csv(tmp_path / "feed.csv", index=False)
    return tmp_path / "feed.csv", roll_csv, feed, roll


def test_link_output_carries_the_evidence_consistent_with_the_decision(tmp_path):
    from pdpb_pipeline.linkage.compare import COMPARISONS

    feed_csv, roll_csv, feed, roll = _case(tmp_path)
    result = CliRunner().invoke(app, ["link", "--feed", str(feed_csv), "--roll", str(roll_csv),
                                      "--out", str(tmp_path / "links.csv")])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(tmp_path / "links.csv", dtype=str, keep_default_na=False)
    assert list(links.columns[:4]) == ["feed_id", "roll_id", "probability", "decision"]
    for c in COMPARISONS:
        assert f"{c.name}_level" in links.columns and f"{c.name}_weight" in links.columns
        assert set(links[f"{c.name}_level"]) <= set(c.levels)
    for col in ("match_weight", "name_tf_weight", "blocking_rules", "reason"):
        assert col in links.columns
    assert (links["blocking_rules"] != "").all()
    prob = links["probability"].astype(float)
    # a sure link is a match unless a reason (a guard, an ambiguity) says why it is reviewed
    assert ((links["decision"] == "match") | (prob < 0.99) | (links["reason"] != "")).all()
    assert (prob[links["decision"] == "match"] >= 0.99).all()
    assert (prob >= 0.5).all()
    # the row without a NIK: the NIK comparison says so and gives no weight
    no_nik = links[links["feed_id"].isin(["F0", "F1", "F2", "F3", "F4"])]
    assert len(no_nik) >= 4
    assert (no_nik["nik_level"] == "kosong").all() and (no_nik["nik_weight"].astype(float) == 0).all()
    # the weights add up to the match weight (name frequency included) unless a guard took some out
    w = links[[f"{c.name}_weight" for c in COMPARISONS]].astype(float).sum(axis=1) + links["name_tf_weight"].astype(float)
    plain = links["reason"] == ""
    assert ((w[plain] - links.loc[plain, "match_weight"].astype(float)).abs() < 0.05).all()
    # higher match weight, higher probability
    order = links.assign(mw=links["match_weight"].astype(float), p=prob).sort_values("mw")
    assert order["p"].is_monotonic_increasing


def test_link_explain_prints_a_masked_waterfall(tmp_path):
    import re

    feed_csv, roll_csv, feed, roll = _case(tmp_path)
    out = CliRunner().invoke(app, ["link", "--feed", str(feed_csv), "--roll", str(roll_csv), "--explain", "F6"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "feed F6 -> roll" in text and "MATCH" in text
    for step in ("prior", "NIK", "Nama", "name frequency", "final match weight", "probability"):
        assert step in text
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", text)
    for nik in set(feed["nik"]) | set(feed["nkk"]):
        if nik:
            assert nik not in text
    # the running total ends at the final match weight and gives the printed probability
    first = text.split("\n\n")[0]
    final = float(re.search(r"final match weight\s+([+-][\d.]+)", first).group(1))
    p = float(re.search(r"probability (\d\.\d+)", first).group(1))
    assert p == pytest.approx(1 / (1 + 2 ** -final), abs=1e-5)


def test_link_explain_of_an_unknown_feed_row_is_a_clear_error(tmp_path):
    feed_csv, roll_csv, _, _ = _case(tmp_path)
    out = CliRunner().invoke(app, ["link", "--feed", str(feed_csv), "--roll", str(roll_csv), "--explain", "F-NOPE"])
    assert out.exit_code == 1
    assert "no feed row with id 'F-NOPE'" in out.output
    assert "Traceback" not in out.output
