"""Change rules on hand-made cases a data officer would recognise."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pdpb_pipeline.domain import schema
from pdpb_pipeline.domain.nik import build_nik
from pdpb_pipeline.roll import eligibility, proposal
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
    # The roll's date was the typo: the NIK says 1 January 2010, and so does the registry's correction.
    nik = build_nik("32.01.01", dt.date(2010, 1, 1), "L", 2)
    roll = _roll().assign(nik=nik)
    feed = _feed(jenis_peristiwa="perbaikan_data", nik=nik, tanggal_lahir=pd.Timestamp("2010-01-01"))
    empty = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])
    proposals = proposal.propose("32.01", "2026-01", REFERENCE, feed, _link(), roll, empty, pd.DataFrame())
    row = proposals.iloc[0]
    assert (row["kategori"], row["sub_kategori"], row["status"]) == ("tms", "di_bawah_umur", proposal.APPLIED)
    assert row["file_name"] == "disdukcapil.csv" and row["row_number"] == 2
    result = apply("32.01", "2026-01", roll, proposals)
    assert result.roll.empty and result.removed == ["DPT-32.01-0000001"]


def test_a_correction_to_an_under_17_date_the_nik_contradicts_is_checked_not_applied():
    # 4M bench, 2026-01: a name correction whose row carries a mistyped year (2014 for 2004);
    # the NIK (and the roll) say 2004. Removing her would cost a vote: the field check decides.
    nik = build_nik("32.01.33", dt.date(2004, 3, 20), "P", 7)
    roll = _roll().assign(nik=nik, nama="SITI AMINAH", tanggal_lahir=pd.Timestamp("2004-03-20"), jenis_kelamin="P")
    feed = _feed(jenis_peristiwa="perbaikan_data", nik=nik, nama="SITI AMINAH PUTRI", jenis_kelamin="P",
                 tanggal_lahir=pd.Timestamp("2014-03-20"), peringatan="tanggal_lahir_beda_nik")
    proposals = proposal.propose("32.01", "2026-01", REFERENCE, feed, _link(), roll, EMPTY_PAIRS, pd.DataFrame())
    assert proposals[["kategori", "sub_kategori", "status", "alasan"]].values.tolist() == [
        ["tms", "di_bawah_umur", proposal.QUEUED, "tanggal_lahir_beda_nik"]]
    result = apply("32.01", "2026-01", roll, proposals)
    assert result.changes.empty and result.roll["tanggal_lahir"].tolist() == [pd.Timestamp("2004-03-20")]


def test_an_address_change_of_a_record_already_under_age_on_the_roll_is_no_removal():
    # 4M bench, 2026-02: the DPT typed 2017 for 2007 (the NIK says 2007), so the record waits in
    # the queue (tanggal_lahir_beda_nik). A move within the regency, whose row has the right date,
    # changed only the address: it must not turn the stale date into an applied removal.
    nik = build_nik("32.01.19", dt.date(2007, 7, 30), "P", 7)
    roll = _roll().assign(nik=nik, nama="RINA", tanggal_lahir=pd.Timestamp("2017-07-30"), jenis_kelamin="P")
    feed = _feed(jenis_peristiwa="pindah_dalam", nik=nik, nama="RINA", tanggal_lahir=pd.Timestamp("2007-07-30"),
                 jenis_kelamin="P", alamat="KP. B", rt="006", rw="003", kode_desa="32.01.12.2003")
    proposals = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), feed, _link(), roll, EMPTY_PAIRS,
                              pd.DataFrame())
    got = proposals[["voter_id", "kategori", "sub_kategori", "status", "alasan"]].values.tolist()
    assert got == [
        ["DPT-32.01-0000001", "ubah_data", "ubah_alamat", proposal.APPLIED, "kolom: alamat,rt,rw,kode_desa"],
        ["DPT-32.01-0000001", "tms", "di_bawah_umur", proposal.QUEUED, "tanggal_lahir_beda_nik"]]
    result = apply("32.01", "2026-02", roll, proposals)
    assert result.changes["kategori"].tolist() == ["ubah_data"]
    assert result.roll[["id", "kode_desa"]].values.tolist() == [["DPT-32.01-0000001", "32.01.12.2003"]]


def test_a_death_from_the_civil_registry_is_applied_and_from_housing_is_queued():
    empty = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])
    applied = proposal.propose("32.01", "2026-01", REFERENCE, _feed(jenis_peristiwa="meninggal"), _link(), _roll(),
                            empty, pd.DataFrame())
    assert applied[["kategori", "sub_kategori", "status"]].values.tolist() == [["tms", "meninggal", proposal.APPLIED]]
    moved = _feed(jenis_peristiwa="penghuni_baru", agency="perumahan", alamat="RUSUNAWA BLOK B", kode_desa="32.01.01.2002")
    queued = proposal.propose("32.01", "2026-01", REFERENCE, moved, _link(), _roll(), empty, pd.DataFrame())
    assert queued[["sub_kategori", "status", "alasan"]].values.tolist() == [
        ["ubah_alamat", proposal.QUEUED, "instansi_bukan_sumber_sah"]]


EMPTY_PAIRS = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])


def test_a_confirmed_new_voter_doubtfully_linked_to_a_voter_is_added_and_that_voter_stays():
    # A first-time voter whose link to Asep is doubtful waits for coktas; the field officer
    # confirms the proposal (another person): Asep keeps his record, the newcomer gets a new id.
    feed = _feed(jenis_peristiwa="pemilih_pemula", nama="ASEP SAEPUDIN", nik="3201010101090002",
                 tanggal_lahir=pd.Timestamp("2009-01-01"))
    link = _link().assign(decision="review", probability=0.6)
    queued = proposal.propose("32.01", "2026-01", REFERENCE, feed, link, _roll(), EMPTY_PAIRS, pd.DataFrame())
    assert queued[["kategori", "status", "alasan", "voter_id"]].values.tolist() == [
        ["pemilih_baru", proposal.QUEUED, "tautan_ragu", "DPT-32.01-0000001"]]
    confirmed = queued.assign(status=proposal.APPLIED)  # what a TERBUKTI answer turns it into
    result = apply("32.01", "2026-01", _roll(), confirmed)
    assert result.removed == []
    assert result.roll["id"].tolist() == ["DPB-32.01-2026-01-000001", "DPT-32.01-0000001"]
    asep = result.roll.set_index("id").loc["DPT-32.01-0000001"]
    assert asep["nama"] == "ASEP" and asep["nik"] == "3201010101080001"
    change = result.changes.iloc[0]
    assert (change["kategori"], change["voter_id"], change["kode_desa_lama"]) == (
        "pemilih_baru", "DPB-32.01-2026-01-000001", "")


def _on_roll_twice(id_a: str, id_b: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Asep on the roll twice, identical but for the address (the copy lives at KP. B), in the
    order ``id_a``, ``id_b``, and the sure duplicate pair that links the two records."""
    records = [_roll() if i == _roll()["id"][0] else _roll().assign(id=i, alamat="KP. B") for i in (id_a, id_b)]
    pairs = pd.DataFrame([{"id_a": id_a, "id_b": id_b, "probability": 0.9999, "decision": "match",
                           "kelas": "identik_kecuali_alamat"}])
    return pd.concat(records, ignore_index=True), pairs


def test_a_newcomer_whose_nik_says_a_child_is_checked_not_added():
    # 4M bench, 2026-02: a girl of 7 moving in; the row's year is mistyped (2008 for 2018), the
    # NIK says 12 March 2018. A man born 1918 whose NIK ends its date in "18" is still added, and
    # so is the registry's new 17-year-old whose NIK was issued with another date (the known NIK
    # date fault: the event itself says she turned 17).
    girl = _feed(jenis_peristiwa="pindah_masuk", nik=build_nik("31.74.03", dt.date(2018, 3, 12), "P", 7),
                 nama="NADIA", jenis_kelamin="P", tanggal_lahir=pd.Timestamp("2008-03-12"),
                 peringatan="tanggal_lahir_beda_nik")
    old_man = _feed(id="disdukcapil#3", row_number=3, jenis_peristiwa="pindah_masuk", nama="SUHARTO",
                    nik=build_nik("31.74.03", dt.date(1918, 3, 12), "L", 8), tanggal_lahir=pd.Timestamp("1918-03-12"))
    turned_17 = _feed(id="disdukcapil#4", row_number=4, jenis_peristiwa="pemilih_pemula", nama="DEWI",
                      nik=build_nik("32.01.01", dt.date(2009, 5, 25), "P", 9), jenis_kelamin="P",
                      tanggal_lahir=pd.Timestamp("2009-02-02"), peringatan="tanggal_lahir_beda_nik")
    feed = pd.concat([girl, old_man, turned_17], ignore_index=True)
    proposals = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), feed, _link().iloc[:0], _roll(),
                              EMPTY_PAIRS, pd.DataFrame())
    got = proposals[["nama", "kategori", "status", "alasan"]].values.tolist()
    assert got == [["NADIA", "pemilih_baru", proposal.QUEUED, "tanggal_lahir_beda_nik"],
                   ["SUHARTO", "pemilih_baru", proposal.APPLIED, ""],
                   ["DEWI", "pemilih_baru", proposal.APPLIED, ""]]


def test_a_newcomer_who_leaves_again_in_the_same_month_is_not_added():
    # 4M bench, 2026-02: a move in on 20 January reported late, in February's file, with the same
    # man's move out on 10 February. Nobody is on the roll to remove: the arrival must not stand.
    arrival = _feed(jenis_peristiwa="pindah_masuk", nik=build_nik("32.74.03", dt.date(2000, 1, 3), "L", 7),
                    nama="BUDI", tanggal_lahir=pd.Timestamp("2000-01-03"), status_kawin="S",
                    tanggal_peristiwa=pd.Timestamp("2026-01-20"))
    departure = arrival.assign(id="disdukcapil#9", row_number=9, jenis_peristiwa="pindah_keluar",
                               tanggal_peristiwa=pd.Timestamp("2026-02-10"))
    feed = pd.concat([arrival, departure], ignore_index=True)
    proposals = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), feed, _link().iloc[:0], _roll(),
                              EMPTY_PAIRS, pd.DataFrame())
    assert proposals[["kategori", "status", "alasan"]].values.tolist() == [
        ["pemilih_baru", proposal.NO_CHANGE, "keluar_lagi_bulan_ini: pindah_keluar (disdukcapil.csv baris 9)"]]
    assert apply("32.01", "2026-02", _roll(), proposals).roll["id"].tolist() == ["DPT-32.01-0000001"]
    # Left first and came back later in the month: the arrival stands.
    back = feed.assign(tanggal_peristiwa=[pd.Timestamp("2026-02-20"), pd.Timestamp("2026-02-01")])
    proposals = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), back, _link().iloc[:0], _roll(),
                              EMPTY_PAIRS, pd.DataFrame())
    assert proposals[["kategori", "status"]].values.tolist() == [["pemilih_baru", proposal.APPLIED]]


def test_a_first_time_voter_whose_typed_date_says_16_but_whose_nik_says_17_is_checked_not_dropped():
    # Disdukcapil reports Budi turning 17 on 5 January; the row's date has day and month swapped
    # (1 May: still 16 at the end of January), his NIK says 5 January 2009. He is not dropped:
    # he waits for the field check with the NIK's date. Had the NIK said 16 too, nothing is proposed.
    def budi(nik: str):
        return _feed(jenis_peristiwa="pemilih_pemula", nama="BUDI", nik=nik, tanggal_lahir=pd.Timestamp("2009-05-01"))

    queued = proposal.propose("32.01", "2026-01", REFERENCE, budi("3201010501090002"), _link().iloc[:0], _roll(),
                           EMPTY_PAIRS, pd.DataFrame())
    assert queued[["kategori", "sub_kategori", "status", "alasan"]].values.tolist() == [
        ["pemilih_baru", "pemilih_pemula", proposal.QUEUED, "tanggal_lahir_beda_nik"]]
    assert queued["tanggal_lahir"].iloc[0] == pd.Timestamp("2009-01-05")
    result = apply("32.01", "2026-01", _roll(), queued.assign(status=proposal.APPLIED))  # confirmed in the field
    assert eligibility.eligible(result.roll, REFERENCE).all()
    minor = proposal.propose("32.01", "2026-01", REFERENCE, budi("3201010105090002"), _link().iloc[:0], _roll(),
                          EMPTY_PAIRS, pd.DataFrame())
    assert minor.empty


def test_a_correction_that_says_a_16_year_old_not_on_the_roll_is_married_queues_a_new_voter():
    # The civil registry's correction shows Siti (16, not on the roll) as married: a marriage the
    # KUA did not report. She waits for the field check; the KUA's own report, the same month,
    # adds her, and then the waiting proposal is closed (confirmed, it would add her twice).
    siti = dict(jenis_peristiwa="perbaikan_data", nama="SITI", nik="3201014506100003",
                tanggal_lahir=pd.Timestamp("2010-06-05"), jenis_kelamin="P", status_kawin="S")
    queued = proposal.propose("32.01", "2026-01", REFERENCE, _feed(**siti), _link().iloc[:0], _roll(), EMPTY_PAIRS,
                           pd.DataFrame())
    assert queued[["kategori", "sub_kategori", "status", "alasan"]].values.tolist() == [
        ["pemilih_baru", "pemilih_pemula", proposal.QUEUED, "kawin_menurut_perbaikan_data"]]
    # Unmarried, or an adult the linkage did not find: a correction adds nobody.
    for other in ({"status_kawin": "B"}, {"nik": "3201014506900003", "tanggal_lahir": pd.Timestamp("1990-06-05")}):
        assert proposal.propose("32.01", "2026-01", REFERENCE, _feed(**(siti | other)), _link().iloc[:0], _roll(),
                             EMPTY_PAIRS, pd.DataFrame()).empty
    kua = _feed(**(siti | {"jenis_peristiwa": "kawin", "agency": "kua", "file_name": "kua.xlsx", "id": "kua#2"}))
    both = proposal.propose("32.01", "2026-01", REFERENCE, pd.concat([_feed(**siti), kua], ignore_index=True),
                         _link().iloc[:0], _roll(), EMPTY_PAIRS, pd.DataFrame())
    assert both[["agency", "status", "alasan"]].values.tolist() == [
        ["disdukcapil", proposal.NO_CHANGE, "sudah_diusulkan_sumber_lain"], ["kua", proposal.APPLIED, ""]]
    assert apply("32.01", "2026-01", _roll(), both).roll["nik"].tolist().count(siti["nik"]) == 1


def test_a_confirmed_new_voter_already_added_by_another_report_is_not_added_twice():
    # Queued last month (housing is no legal source); the civil registry added the same NIK
    # meanwhile; the field officer now confirms the queued addition: nothing more to add.
    import json

    newcomer = _roll().iloc[0].to_dict() | {"id": "DPB-32.01-2026-01-000001", "nik": "3201010101070002",
                                            "nama": "UJANG", "tanggal_lahir": pd.Timestamp("2007-01-01")}
    roll = pd.concat([_roll(), schema.to_canonical(pd.DataFrame([newcomer]))], ignore_index=True)
    queue = pd.DataFrame([{**{k: v for k, v in newcomer.items() if k != "id"}, "proposal_id": "U-32.01-2026-01-000009",
                           "voter_id": "", "kategori": "pemilih_baru", "sub_kategori": "pindah_masuk", "month": "2026-01",
                           "status": proposal.QUEUED, "id_antrean": ""}])
    answer = _feed(jenis_peristiwa="hasil_coktas", agency="coktas", file_name="coktas.csv", id="coktas#2",
                   extra=json.dumps({"id_antrean": "U-32.01-2026-01-000009", "hasil": "TERBUKTI"}))
    proposals = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), answer, _link().iloc[:0], roll, EMPTY_PAIRS,
                              queue)
    assert proposals[["kategori", "status", "alasan", "id_antrean"]].values.tolist() == [
        ["pemilih_baru", proposal.NO_CHANGE, "coktas_terbukti; nik_sudah_di_dpb", "U-32.01-2026-01-000009"]]
    assert apply("32.01", "2026-02", roll, proposals).roll["id"].tolist() == sorted(roll["id"])
    # ... but an item queued because another person carries that NIK is added when confirmed
    other = proposal.propose("32.01", "2026-02", dt.date(2026, 2, 28), answer, _link().iloc[:0], roll, EMPTY_PAIRS,
                          queue.assign(alasan="nik_sama_nama_beda"))
    added = other[other["kategori"] == "pemilih_baru"]
    assert added[["status", "alasan"]].values.tolist() == [[proposal.APPLIED, "coktas_terbukti"]]


def test_two_newcomers_with_one_nik_and_other_names_are_not_one_person():
    # 4M bench, 2026-01 and 2026-02: a first-time voter's row carried a NIK with a wrong serial,
    # the number of another first-time voter born the same day in the same kecamatan (another
    # name). The first was added and the second closed as "already proposed": a voter lost.
    # Now the second goes to the field check; the same person reported twice is still closed.
    nik = build_nik("32.01.38", dt.date(2009, 1, 19), "L", 3)
    bayu = _feed(jenis_peristiwa="pemilih_pemula", nik=nik, nama="BAYU KUSUMA", nkk="3201380101100002",
                 tanggal_lahir=pd.Timestamp("2009-01-19"), tanggal_peristiwa=pd.Timestamp("2026-01-19"))
    naufal = bayu.assign(id="disdukcapil#3", row_number=3, nama="NAUFAL SETIAWAN", nkk="3201380101100003")
    again = bayu.assign(id="disdukcapil#4", row_number=4, nama="H. BAYU KUSUMAH")
    feed = pd.concat([bayu, naufal, again], ignore_index=True)
    proposals = proposal.propose("32.01", "2026-01", REFERENCE, feed, _link().iloc[:0], _roll(), EMPTY_PAIRS,
                              pd.DataFrame())
    assert proposals[["nama", "kategori", "status", "alasan"]].values.tolist() == [
        ["BAYU KUSUMA", "pemilih_baru", proposal.APPLIED, ""],
        ["NAUFAL SETIAWAN", "pemilih_baru", proposal.QUEUED, "nik_sama_nama_beda"],
        ["H. BAYU KUSUMAH", "pemilih_baru", proposal.NO_CHANGE, "sudah_diusulkan_sumber_lain"]]
    # Spellings of one name are one person; names with nothing alike are two.
    assert not proposal._other_person("POPON", "POPUN") and not proposal._other_person("TITIK SAFITRI", "SAFITRI TITIK")
    assert not proposal._other_person("NAYLA LILY S.", "NAYLA LILY SALIM")
    assert proposal._other_person("ZAHRA R.", "SALSABILA GITA PRATIWI")
    result = apply("32.01", "2026-01", _roll(), proposals)
    assert sorted(result.roll["nama"]) == ["ASEP", "BAYU KUSUMA"]


def test_a_death_of_the_duplicate_record_sends_the_kept_record_to_the_field_check():
    # 4M bench, 2026-01: a woman stood twice on the DPT (identical but for the address). The
    # registry's death linked to the later record, which the duplicate rule was dropping: the death
    # removed it, and the record kept for her would have stayed on the roll unchecked.
    roll, pairs = _on_roll_twice("DPT-32.01-0000001", "DPT-32.01-0000002")
    death = _feed(jenis_peristiwa="meninggal", alamat="KP. B")
    link = _link().assign(roll_id="DPT-32.01-0000002")
    proposals = proposal.propose("32.01", "2026-01", REFERENCE, death, link, roll, pairs, pd.DataFrame())
    got = proposals[["voter_id", "sub_kategori", "status", "alasan"]].values.tolist()
    # (nothing tells which record is current and the addresses differ: the pair waits for coktas)
    assert got == [
        ["DPT-32.01-0000002", "meninggal", proposal.APPLIED, ""],
        ["DPT-32.01-0000002", "ganda", proposal.QUEUED,
         "ganda dengan DPT-32.01-0000001 (identik_kecuali_alamat); tanpa_pembeda; alamat_berbeda_dicek"],
        ["DPT-32.01-0000001", "meninggal", proposal.QUEUED,
         "ganda dengan DPT-32.01-0000002 yang dihapus (meninggal); ganda_ikut_dicek"]]
    assert proposals["proposal_id"].is_unique
    queued = proposals.iloc[2]
    assert (queued["file_name"], queued["row_number"], queued["alamat"]) == ("disdukcapil.csv", 2, "KP. A")
    result = apply("32.01", "2026-01", roll, proposals)
    assert result.roll["id"].tolist() == ["DPT-32.01-0000001"] and result.removed == ["DPT-32.01-0000002"]
