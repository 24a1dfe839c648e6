"""Change rules on hand-made cases a data officer would recognise."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pdpb_pipeline import schema
from pdpb_pipeline.roll import rules
from pdpb_pipeline.roll.apply import apply

REFERENCE = dt.date(2026, 1, 31)


def _roll() -> pd.DataFrame:
    return schema.to_canonical(pd.DataFrame([{
        "id": "DPT-32.01-0000001", "nik": "3201010101080001", "nkk": "3201010101100001", "nama": "ASEP",
        "tempat_lahir": "BOGOR", "tanggal_lahir": "2008-01-01", "jenis_kelamin": "L", "status_kawin": "B",
        "alamat": "KP. A", "rt": "001", "rw": "001", "kode_desa": "32.01.01.2001",
    }]))


def _feed(**values) -> pd.DataFrame:
    row = _roll().iloc[0].to_dict() | {"id": "disdukcapil#2", "agency": "disdukcapil", "file_name": "disdukcapil.csv",
                                       "row_number": 2, "nik_status": "valid", "peringatan": "", "extra": "{}",
                                       "id_antrean": "", "hasil": "", "tanggal_peristiwa": pd.Timestamp("2026-01-10")}
    row.update(values)
    return pd.DataFrame([row])


def _link() -> pd.DataFrame:
    return pd.DataFrame([{"feed_id": "disdukcapil#2", "roll_id": "DPT-32.01-0000001", "probability": 0.9999,
                          "decision": "match"}])


def test_a_correction_that_makes_a_voter_under_17_removes_them():
    feed = _feed(jenis_peristiwa="perbaikan_data", tanggal_lahir=pd.Timestamp("2010-01-01"))
    empty = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])
    proposals = rules.propose("32.01", "2026-01", REFERENCE, feed, _link(), _roll(), empty, pd.DataFrame())
    row = proposals.iloc[0]
    assert (row["kategori"], row["sub_kategori"], row["status"]) == ("tms", "di_bawah_umur", rules.APPLIED)
    assert row["file_name"] == "disdukcapil.csv" and row["row_number"] == 2
    result = apply("32.01", "2026-01", _roll(), proposals)
    assert result.roll.empty and result.removed == ["DPT-32.01-0000001"]


def test_a_death_from_the_civil_registry_is_applied_and_from_housing_is_queued():
    empty = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])
    applied = rules.propose("32.01", "2026-01", REFERENCE, _feed(jenis_peristiwa="meninggal"), _link(), _roll(),
                            empty, pd.DataFrame())
    assert applied[["kategori", "sub_kategori", "status"]].values.tolist() == [["tms", "meninggal", rules.APPLIED]]
    moved = _feed(jenis_peristiwa="penghuni_baru", agency="perumahan", alamat="RUSUNAWA BLOK B", kode_desa="32.01.01.2002")
    queued = rules.propose("32.01", "2026-01", REFERENCE, moved, _link(), _roll(), empty, pd.DataFrame())
    assert queued[["sub_kategori", "status", "alasan"]].values.tolist() == [
        ["ubah_alamat", rules.QUEUED, "instansi_bukan_sumber_sah"]]
