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


EMPTY_PAIRS = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])


def test_a_confirmed_new_voter_doubtfully_linked_to_a_voter_is_added_and_that_voter_stays():
    # A first-time voter whose link to Asep is doubtful waits for coktas; the field officer
    # confirms the proposal (another person): Asep keeps his record, the newcomer gets a new id.
    feed = _feed(jenis_peristiwa="pemilih_pemula", nama="ASEP SAEPUDIN", nik="3201010101090002",
                 tanggal_lahir=pd.Timestamp("2009-01-01"))
    link = _link().assign(decision="review", probability=0.6)
    queued = rules.propose("32.01", "2026-01", REFERENCE, feed, link, _roll(), EMPTY_PAIRS, pd.DataFrame())
    assert queued[["kategori", "status", "alasan", "voter_id"]].values.tolist() == [
        ["pemilih_baru", rules.QUEUED, "tautan_ragu", "DPT-32.01-0000001"]]
    confirmed = queued.assign(status=rules.APPLIED)  # what a TERBUKTI answer turns it into
    result = apply("32.01", "2026-01", _roll(), confirmed)
    assert result.removed == []
    assert result.roll["id"].tolist() == ["DPB-32.01-2026-01-000001", "DPT-32.01-0000001"]
    asep = result.roll.set_index("id").loc["DPT-32.01-0000001"]
    assert asep["nama"] == "ASEP" and asep["nik"] == "3201010101080001"
    change = result.changes.iloc[0]
    assert (change["kategori"], change["voter_id"], change["kode_desa_lama"]) == (
        "pemilih_baru", "DPB-32.01-2026-01-000001", "")


def test_of_two_records_of_one_person_the_one_registered_first_stays():
    # The DPT's record stays; the copy this pipeline added later goes (ids: DPB < DPT as text).
    dpt = _roll()
    added = dpt.assign(id="DPB-32.01-2026-01-000001", alamat="KP. B")
    roll = pd.concat([added, dpt], ignore_index=True)
    pairs = pd.DataFrame([{"id_a": "DPB-32.01-2026-01-000001", "id_b": "DPT-32.01-0000001", "probability": 0.9999,
                           "decision": "match", "kelas": "identik_kecuali_alamat"}])
    proposals = rules.propose("32.01", "2026-02", dt.date(2026, 2, 28), _feed(jenis_peristiwa="masuk_lapas").iloc[:0],
                              _link().iloc[:0], roll, pairs, pd.DataFrame())
    ganda = proposals[proposals["sub_kategori"] == "ganda"]
    assert ganda[["voter_id", "status"]].values.tolist() == [["DPB-32.01-2026-01-000001", rules.APPLIED]]
