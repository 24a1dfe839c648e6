"""`pdpb link`: the file contract any two canonical-schema files are linked by."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from pdpb_pipeline.cli import app
from pdpb_pipeline.synth import SynthConfig, generate


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
