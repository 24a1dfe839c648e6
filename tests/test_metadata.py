"""Previews in Dagster metadata (the event log every UI user reads): enough to see that a file was
read right, nothing that singles out a person."""

from __future__ import annotations

import pandas as pd

from pdpb_pipeline.assets.metadata import count_table, masked_preview
from pdpb_pipeline.domain import nik


def _feed_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["disdukcapil#2", "disdukcapil#3"], "nik": ["3673012605970003", ""], "nkk": ["3673010903140008", ""],
        "nama": ["BIMA KURNIAWAN", "AULIA PUTRI"], "tempat_lahir": ["SUKABUMI", "SERANG"],
        "tanggal_lahir": pd.to_datetime(["1997-05-26", "2001-06-10"]), "jenis_kelamin": ["L", "P"],
        "status_kawin": ["S", "B"], "alamat": ["JL. CEMPAKA NO. 54", "JL. MAWAR"], "rt": ["004", "001"],
        "rw": ["001", "002"], "kode_desa": ["36.73.01.1001", "36.73.01.1002"], "jenis_peristiwa": ["meninggal"] * 2,
        "tanggal_peristiwa": pd.to_datetime(["2026-01-20"] * 2), "agency": "disdukcapil",
        "file_name": "disdukcapil.csv", "row_number": [2, 3], "nik_status": ["valid", "nik_format"],
        "peringatan": ["", "nik_format"],
    })


def test_a_feed_preview_shows_where_rows_came_from_and_how_they_parsed_but_not_who(monkeypatch):
    nik.use_mask_rule("6,0")
    text = masked_preview(_feed_rows()).value
    header = [c.strip() for c in text.splitlines()[0].strip("|").split("|")]
    assert header == ["id", "file_name", "row_number", "jenis_peristiwa", "nik", "nik_status", "nkk", "jenis_kelamin",
                      "kode_desa", "peringatan"]
    assert "367301**********" in text and "nik_format" in text and "36.73.01.1001" in text
    for personal in ("BIMA", "AULIA", "SUKABUMI", "1997", "2001", "CEMPAKA", "3673012605970003", "3673010903140008"):
        assert personal not in text


def test_a_baseline_preview_has_no_names_or_birth_years_either():
    frame = _feed_rows().drop(columns=["file_name", "row_number", "jenis_peristiwa", "nik_status", "peringatan"])
    frame["id"] = ["DPT-36.73-0000001", "DPT-36.73-0000002"]
    text = masked_preview(frame).value
    assert "DPT-36.73-0000001" in text and "jenis_kelamin" in text and "367301**********" in text
    assert not any(word in text for word in ("BIMA", "1997", "tanggal_lahir", "nama"))
    assert masked_preview(frame.iloc[0:0]).value == "(empty)"


def test_identifiers_in_any_metadata_table_are_masked():
    counts = pd.Series([3], index=["berkas 7301 0305 1088 0004.csv"])
    text = count_table(counts, "berkas").value
    assert "730103**********" in text and "7301 0305" not in text
