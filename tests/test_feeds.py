"""Agency feeds: every agency through CSV and XLSX, with the broken inputs real agencies send."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from pdpb_pipeline.domain import nik as nikmod
from pdpb_pipeline.feeds.ingest import ingest
from pdpb_pipeline.feeds.spec import AGENCIES, BY_KEY, agency_of, normalize_words

from .feedfiles import excel_serial, write_csv, write_xlsx

REGENCY, MONTH = "32.01", "2026-01"
GOOD_NIK_W = nikmod.build_nik("32.01.01", dt.date(1990, 5, 7), "P", 12)
GOOD_NIK_M = nikmod.build_nik("32.01.02", dt.date(1985, 12, 3), "L", 3)
DESA = "32.01.01.1001"

PERSON_AGENCIES = [s for s in AGENCIES if s.identifies_person]


def _event_word(spec, index=0):
    """A word the agency uses for one of its events (not the canonical name)."""
    words = [w for w, e in spec.events.items() if w != normalize_words(e)]
    return words[index % len(words)]


def _person_file(spec, fmt: str, folder: Path) -> Path:
    header = ["No", "NIK", "No. KK", "Nama Lengkap", "Tempat Lahir", "Tgl. Lahir", "L/P", "Status Kawin",
              "Alamat", "RT", "RW", "Kode Desa", "Jenis Peristiwa", "Tanggal Peristiwa"]
    born_w = "07-05-1990" if fmt == "csv" else dt.datetime(1990, 5, 7)
    rows = [
        [1, GOOD_NIK_W, "3201010101100001", "siti  aminah ", "BOGOR", born_w, "PEREMPUAN", "KAWIN",
         "KP. CIBEUTEUY", "1", "2", DESA, _event_word(spec), "2026-01-03"],
        [2, GOOD_NIK_M, "", "MUHAMAD RIZKY", "BOGOR", excel_serial(dt.date(1985, 12, 3)), "L", "B",
         "JL. MAWAR 3", "003", "004", "3201011001", _event_word(spec, 1), "05/01/2026"],
        ["", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        [3, "3333333333333333", "", "BUDI", "", "", "L", "", "", "", "", "", _event_word(spec), ""],
    ]
    path = folder / f"{spec.key}.{fmt}"
    if fmt == "csv":
        return write_csv(path, header, rows, encoding="cp1252", delimiter=";", title=f"DATA {spec.name.upper()}")
    return write_xlsx(path, header, rows, title=f"DATA {spec.name.upper()}")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("spec", PERSON_AGENCIES, ids=lambda s: s.key)
def test_every_agency_through_csv_and_xlsx(spec, fmt, tmp_path):
    path = _person_file(spec, fmt, tmp_path)
    result = ingest(spec, [path], REGENCY, MONTH)
    assert result.rows_in == 4
    assert result.rows_in == result.accepted + result.quarantined_rows
    assert result.quarantine["reason"].tolist() == ["baris_kosong", "identitas_tidak_cukup"]
    assert result.quarantine["row_number"].tolist() == [6, 7]  # as the officer sees them in the file
    rows = result.rows.set_index("row_number")
    assert rows.loc[4, "nik"] == GOOD_NIK_W
    assert rows.loc[4, "nama"] == "SITI AMINAH"
    assert rows.loc[4, "tanggal_lahir"] == pd.Timestamp("1990-05-07")
    assert rows.loc[5, "tanggal_lahir"] == pd.Timestamp("1985-12-03")  # Excel serial
    assert rows.loc[4, "jenis_kelamin"] == "P" and rows.loc[5, "jenis_kelamin"] == "L"
    assert rows.loc[4, "status_kawin"] == "S" and rows.loc[5, "status_kawin"] == "B"
    assert rows.loc[4, "rt"] == "001" and rows.loc[4, "rw"] == "002"
    assert rows.loc[4, "kode_desa"] == DESA and rows.loc[5, "kode_desa"] == "32.01.01.1001"
    assert rows.loc[4, "tanggal_peristiwa"] == pd.Timestamp("2026-01-03")
    assert rows.loc[5, "tanggal_peristiwa"] == pd.Timestamp("2026-01-05")  # day first
    assert set(rows["jenis_peristiwa"]) <= set(spec.event_types)
    assert rows.loc[4, "id"] == f"{spec.key}#4"
    assert (rows["nik_status"] == "valid").all()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_coktas_answers_carry_queue_id_and_result(fmt, tmp_path):
    spec = BY_KEY["coktas"]
    header = ["ID Antrean", "NIK", "Nama", "Hasil Coktas", "Tanggal Coktas"]
    rows = [["Q-2026-01-0001", GOOD_NIK_W, "SITI AMINAH", "meninggal", "10-02-2026"],
            ["", GOOD_NIK_M, "RIZKY", "MS", "10-02-2026"]]
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"coktas.{fmt}", header, rows)
    result = ingest(spec, [path], REGENCY, "2026-02")
    assert result.rows[["id_antrean", "hasil", "jenis_peristiwa"]].values.tolist() == [
        ["Q-2026-01-0001", "MENINGGAL", "hasil_coktas"]
    ]
    assert result.quarantine["reason"].tolist() == ["id_antrean_kosong"]


def test_wrong_headers_quarantine_every_row_as_missing_column(tmp_path):
    spec = BY_KEY["disdukcapil"]
    path = write_csv(tmp_path / "disdukcapil.csv", ["NOMOR", "PENDUDUK", "KEJADIAN"],
                     [["1", "SITI", "MENINGGAL"], ["2", "BUDI", "PINDAH"]])
    result = ingest(spec, [path], REGENCY, MONTH)
    assert result.accepted == 0
    assert result.quarantine["reason"].tolist() == ["kolom_wajib_tidak_ada"] * 2
    assert result.quarantine["field"].tolist() == ["nama"] * 2
    assert result.files[0].missing_columns == ["nama", "jenis_peristiwa"]
    assert result.files[0].unknown_columns == ["NOMOR", "PENDUDUK", "KEJADIAN"]


def test_one_purpose_feed_needs_no_event_column(tmp_path):
    path = write_csv(tmp_path / "perumahan.csv", ["NIK", "NAMA", "TGL LAHIR", "ALAMAT UNIT", "Desa/Kelurahan"],
                     [[GOOD_NIK_W, "SITI AMINAH", "1990-05-07", "RUSUNAWA BLOK A NO 3", "Pondok Rajeg"]])
    result = ingest(BY_KEY["perumahan"], [path], REGENCY, MONTH)
    assert result.rows["jenis_peristiwa"].tolist() == ["penghuni_baru"]
    assert result.rows["kode_desa"].tolist() == ["32.01.01.1001"]  # desa name resolved to its code


def test_bad_and_placeholder_niks_are_warnings_when_identity_remains(tmp_path):
    header = ["NIK", "NAMA", "TGL_LHR", "JK", "JENIS_PERISTIWA"]
    rows = [
        ["3333333333333333", "ASEP", "01-01-1980", "L", "MENINGGAL"],
        ["3201010101800000", "UJANG", "01-01-1980", "L", "MENINGGAL"],
        ["3.20101E+15", "DEDI", "01-01-1980", "L", "MENINGGAL"],
        ["'" + GOOD_NIK_W, "SITI AMINAH", "08-05-1990", "P", "MENINGGAL"],  # leading quote, wrong day
        [GOOD_NIK_M, "RIZKY", "03-12-1985", "P", "MENINGGAL"],  # sex disagrees with the NIK
    ]
    result = ingest(BY_KEY["disdukcapil"], [write_csv(tmp_path / "disdukcapil.csv", header, rows)], REGENCY, MONTH)
    assert result.accepted == 5
    rows_out = result.rows
    assert rows_out["nik"].tolist()[:3] == ["", "", ""]  # unusable NIKs are not passed to linkage
    assert rows_out["nik_status"].tolist() == [
        nikmod.NIK_PLACEHOLDER, nikmod.NIK_PLACEHOLDER, nikmod.NIK_FORMAT, "valid", "valid"]
    assert rows_out["nik"].tolist()[3] == GOOD_NIK_W
    assert "tanggal_lahir_beda_nik" in rows_out["peringatan"].tolist()[3]
    assert "jenis_kelamin_beda_nik" in rows_out["peringatan"].tolist()[4]


def test_empty_file_and_header_only_file_are_empty_not_failures(tmp_path):
    empty = tmp_path / "lapas.csv"
    empty.write_bytes(b"")
    header_only = write_xlsx(tmp_path / "lapas_2.xlsx", ["NIK", "Nama WBP", "Keterangan"], [])
    result = ingest(BY_KEY["lapas"], [empty, header_only], REGENCY, MONTH)
    assert (result.rows_in, result.accepted, result.quarantined_rows) == (0, 0, 0)
    assert not any(f.unreadable for f in result.files)
    assert [f.empty for f in result.files] == [True, False]  # the empty file is flagged (a WARN check)


@pytest.mark.parametrize(
    "content, why",
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\x00\x00\x00", "isinya dokumen PDF, bukan XLSX"),
        (b"PK\x03\x04this is not really a zip", "arsip ZIP rusak atau terpotong"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "dokumen Office lama (OLE)"),
    ],
)
def test_file_that_is_not_a_spreadsheet(content, why, tmp_path):
    path = tmp_path / "bp2mi.xlsx"
    path.write_bytes(content)
    result = ingest(BY_KEY["bp2mi"], [path], REGENCY, MONTH)
    assert why in result.files[0].unreadable
    assert result.quarantine[["row_number", "reason"]].values.tolist() == [[0, "berkas_tidak_terbaca"]]


def test_duplicate_rows_are_kept_in_quarantine_pointing_at_the_first(tmp_path):
    header = ["NIK", "NAMA", "TGL_LHR", "JENIS_PERISTIWA"]
    row = [GOOD_NIK_W, "SITI AMINAH", "07-05-1990", "MENINGGAL"]
    path = write_csv(tmp_path / "disdukcapil.csv", header, [row, ["x", "", "", "GHAIB"], row, row])
    result = ingest(BY_KEY["disdukcapil"], [path], REGENCY, MONTH)
    q = result.quarantine.set_index("row_number")
    assert q.loc[3, "reason"] == "peristiwa_tidak_dikenal" and q.loc[3, "detail"] == "nilai: GHAIB"
    assert q.loc[4, "reason"] == "baris_ganda" and q.loc[4, "detail"] == "sama dengan baris 2"
    assert q.loc[5, "reason"] == "baris_ganda"
    assert result.accepted == 1
    raw = json.loads(q.loc[4, "isi_baris"])  # the row is kept as sent
    assert raw["NAMA"] == "SITI AMINAH"


def test_files_are_matched_to_agencies_by_name():
    assert agency_of("disdukcapil").key == "disdukcapil"
    assert agency_of("TNI_POLRI_susulan").key == "tni_polri"
    assert agency_of("lapas-rutan-cibinong").key == "lapas"
    assert agency_of("laporan") is None


def test_feed_and_dpt_read_the_same_date_text_the_same_way(tmp_path):
    from pdpb_pipeline.domain import schema
    from pdpb_pipeline.assets.baseline import load_baseline_file

    texts = ["07-05-1990", "7 Mei 1990", "1990-05-07", str(excel_serial(dt.date(1990, 5, 7))), "05-23-1990", "31-02-1990"]
    feed = write_csv(tmp_path / "disdukcapil.csv", ["NIK", "NAMA", "TGL_LHR", "JK", "JENIS_PERISTIWA"],
                     [[GOOD_NIK_W, "SITI AMINAH", t, "P", "MENINGGAL"] for t in texts])
    from_feed = ingest(BY_KEY["disdukcapil"], [feed], REGENCY, MONTH).rows["tanggal_lahir"]
    dpt = pd.DataFrame({c: "" for c in schema.PERSON_COLUMNS}, index=range(len(texts)))
    dpt["id"], dpt["tanggal_lahir"] = [f"DPT-{i}" for i in range(len(texts))], texts
    dpt.to_csv(tmp_path / "dpt.csv", index=False)
    from_dpt = load_baseline_file(tmp_path / "dpt.csv").frame["tanggal_lahir"]
    iso = ["1990-05-07"] * 4 + ["1990-05-23", ""]
    assert from_feed.dt.strftime("%Y-%m-%d").fillna("").tolist() == iso
    assert from_dpt.dt.strftime("%Y-%m-%d").fillna("").tolist() == iso
