"""The bad-input corpus (``tests/badinput/cases.py``) through the real ingest, and a handful of
its cases through Dagster: every bad file gets a clear, visible outcome and no row is lost."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey, DagsterInstance, build_sensor_context, materialize

from pdpb_pipeline.assets.feeds import WARN_ONLY, structural_checks
from pdpb_pipeline.definitions import from_environment, usable
from pdpb_pipeline.feeds.ingest import HARMLESS, REASONS, WARNINGS, ingest
from pdpb_pipeline.feeds.spec import agency_of
from pdpb_pipeline.resources.landing import FILE_SUFFIXES, LandingZone
from pdpb_pipeline.resources.warehouse import Warehouse
from tests.deployment import Deployment

from .badinput.cases import CASES, MONTH, NIKS, REGENCY, Case

BY_NAME = {case.name: case for case in CASES}
FEED_CASES = [c for c in CASES if c.outcome != "unrecognised"]


def test_the_corpus_is_large_and_covers_every_outcome():
    assert len(CASES) >= 25
    assert len(BY_NAME) == len(CASES), "case names are unique"
    assert {c.outcome for c in CASES} == {"accepted", "quarantined", "blocking", "warning", "unrecognised"}
    for case in CASES:
        assert set(case.warnings) <= set(WARNINGS), case.name
        assert set(case.reasons) <= set(REASONS), case.name


def _month_folder(tmp_path, case: Case):
    folder = tmp_path / "landing" / "landing" / REGENCY / MONTH
    folder.mkdir(parents=True)
    path = folder / case.file_name
    case.build(path)
    return path


def _digits(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text)


@pytest.mark.parametrize("case", FEED_CASES, ids=lambda c: c.name)
def test_corpus_case_through_the_ingest(case: Case, tmp_path):
    path = _month_folder(tmp_path, case)
    spec = agency_of(path.stem)
    assert spec is not None and path.suffix.lower() in FILE_SUFFIXES, "the feed reads this file"
    result = ingest(spec, [path], REGENCY, MONTH, case.limits)

    # nothing lost, whatever the file
    assert result.rows_in == result.accepted + result.quarantined_rows
    if case.rows is not None:
        assert (result.accepted, result.quarantined_rows) == case.rows

    checks = structural_checks(spec, result, max_share=0.2)
    failed = {c.check_name: c for c in checks if not c.passed}
    errors = {n for n, c in failed.items() if c.severity == AssetCheckSeverity.ERROR}
    warns = {n for n, c in failed.items() if c.severity == AssetCheckSeverity.WARN}
    assert {c.check_name for c in checks if c.check_name in WARN_ONLY} == set(WARN_ONLY)
    assert "baris_lengkap" not in failed

    if case.outcome == "blocking":
        assert case.check in errors, failed
        message = failed[case.check].description
        assert message.startswith(f"{case.file_name}: "), message  # names the file
        assert case.says in message, message
    else:
        assert not errors, {n: failed[n].description for n in errors}
    if case.outcome == "warning":
        assert warns == {case.check}
        assert case.says in failed[case.check].description
        assert failed[case.check].description.startswith(f"{case.file_name}: ")
    else:
        assert not warns

    rows_q = result.quarantine[result.quarantine["row_number"] > 0]
    if case.outcome == "accepted":
        assert rows_q.empty, rows_q[["row_number", "reason", "detail"]].to_dict("records")
    assert set(case.reasons) <= set(rows_q["reason"]), rows_q["reason"].tolist()
    if case.outcome == "quarantined":
        assert len(rows_q) > 0
    codes = set(result.rows["peringatan"].str.split(";").explode().dropna()) - {""}
    assert set(case.warnings) <= codes, codes
    if case.outcome == "blocking" and case.check == "berkas_terbaca":
        # a file that cannot be read is one quarantine entry, row 0, saying what the file is
        assert result.quarantine[["row_number", "reason"]].values.tolist() == [[0, "berkas_tidak_terbaca"]]
        assert case.says in result.quarantine["detail"].iloc[0]

    # what is kept for the data officer carries no full NIK, in any spelling
    kept = _digits(" ".join(result.quarantine["isi_baris"].tolist() + result.quarantine["detail"].tolist()))
    assert not any(n in kept for n in NIKS), "a full NIK is stored in the quarantine"
    for text in result.quarantine["isi_baris"]:
        if text:
            json.loads(text)  # the raw row stays readable JSON

    if case.expect is not None:
        said = case.expect(result)
        assert said is None or said, f"{case.name}: expectation not met"


def test_masking_of_raw_rows_goes_by_the_header_mapping(tmp_path):
    """The NIK and KK columns are masked whatever their spelling; other cells by mask_text."""
    from .feedfiles import write_csv

    folder = tmp_path / "m"
    folder.mkdir()
    nik, kk = NIKS[3], "3201010101100001"
    spaced = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    partner = NIKS[5]
    dotted = f"{partner[:6]}.{partner[6:12]}.{partner[12:]}"
    path = write_csv(folder / "disdukcapil.csv",
                     ["NIK", "No. KK", "NAMA", "NIK Pasangan", "KETERANGAN TAMBAHAN", "JENIS_PERISTIWA"],
                     [[spaced, kk, "SITI", dotted, f"pelapor {NIKS[4]}", "GHAIB"]])
    spec = agency_of("disdukcapil")
    q = ingest(spec, [path], REGENCY, MONTH).quarantine
    raw = json.loads(q["isi_baris"].iloc[0])
    assert raw["NIK"] == nik[:6] + "*" * 10  # the digits as typed, masked like any NIK
    assert raw["No. KK"] == kk[:6] + "*" * 10
    # a second column the header map resolves to NIK is masked as a NIK too, dots and all
    assert raw["NIK Pasangan"] == partner[:6] + "*" * 10
    assert NIKS[4] not in raw["KETERANGAN TAMBAHAN"] and NIKS[4][:6] in raw["KETERANGAN TAMBAHAN"]
    assert raw["NAMA"] == "SITI"


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "unrecognised"], ids=lambda c: c.name)
def test_corpus_files_no_feed_reads_are_reported(case: Case, tmp_path):
    path = _month_folder(tmp_path, case)
    landing = LandingZone(root=str(tmp_path / "landing"))
    unknown = landing.unknown_files(REGENCY, MONTH)
    assert [u.name for u in unknown] == [case.file_name]
    assert case.says in unknown[0].why
    read_by_feeds = [p for p in landing.files(REGENCY, MONTH) if agency_of(p.stem) is not None]
    assert path not in read_by_feeds


# --- a handful of cases through Dagster --------------------------------------------------------

def _settings(tmp_path, url: str) -> Deployment:
    return Deployment(warehouse_url=url, landing_dir=tmp_path / "landing", output_dir=tmp_path / "out",
                    regencies=(REGENCY,), start_month="2026-01", polling_day="")


def _materialize(tmp_path, url, key, cases: list[Case]):
    for case in cases:
        folder = tmp_path / "landing" / "landing" / REGENCY / MONTH
        folder.mkdir(parents=True, exist_ok=True)
        case.build(folder / case.file_name)
    defs = _settings(tmp_path, url).definitions()
    asset = defs.get_assets_def(key)
    instance = DagsterInstance.ephemeral()
    result = materialize([asset], partition_key=f"{MONTH}-01|{REGENCY}", instance=instance,
                         resources={k: defs.resources[k] for k in ("warehouse", "landing", "feed_limits")},
                         raise_on_error=False)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    return result, checks, instance


def test_dagster_html_page_as_xlsx_stops_the_feed_naming_the_file(tmp_path, sqlite_url):
    result, checks, _ = _materialize(tmp_path, sqlite_url, AssetKey(["feed", "lapas"]), [BY_NAME["html_als_xlsx"]])
    assert not result.success  # a blocking check failed
    failed = checks["berkas_terbaca"]
    assert not failed.passed and failed.severity == AssetCheckSeverity.ERROR
    assert failed.description.startswith("lapas.xlsx: isinya halaman HTML, bukan XLSX (unduhan gagal")
    q = Warehouse(url=sqlite_url).read("SELECT file_name, row_number, reason FROM quarantine")
    assert q.values.tolist() == [["lapas.xlsx", 0, "berkas_tidak_terbaca"]]


def test_dagster_zero_byte_file_warns_and_no_file_does_not(tmp_path, sqlite_url):
    result, checks, _ = _materialize(tmp_path, sqlite_url, AssetKey(["feed", "kua"]), [BY_NAME["nol_byte"]])
    assert result.success
    empty = checks["berkas_tidak_kosong"]
    assert not empty.passed and empty.severity == AssetCheckSeverity.WARN
    assert empty.description == "kua.csv: berkas kosong (0 byte)"
    # the same feed in a month with no file at all: not an empty file
    other = tmp_path / "other"
    result, checks, _ = _materialize(other, f"sqlite:///{other / 'w.sqlite'}", AssetKey(["feed", "kua"]), [])
    assert result.success and checks["berkas_tidak_kosong"].passed


def test_dagster_cp1252_line_is_accepted_with_the_rows_and_encoding_reported(tmp_path, sqlite_url):
    result, checks, _ = _materialize(tmp_path, sqlite_url, AssetKey(["feed", "disdukcapil"]),
                                     [BY_NAME["satu_baris_cp1252"]])
    assert result.success
    assert all(e.passed for n, e in checks.items() if not n.startswith("gx_"))
    metadata = result.asset_materializations_for_node("feed__disdukcapil")[0].metadata
    assert "utf-8 (1 baris windows-1252)" in metadata["daftar_berkas"].value
    assert "encoding_cadangan" in metadata["peringatan"].value
    rows = Warehouse(url=sqlite_url).read("SELECT row_number, nama, peringatan FROM feed_row ORDER BY row_number")
    assert rows.set_index("row_number").loc[7, ["nama", "peringatan"]].tolist() == ["JOSE RAMOS", "encoding_cadangan"]


def test_dagster_oversized_field_is_quarantined_not_a_crash(tmp_path, sqlite_url):
    result, checks, _ = _materialize(tmp_path, sqlite_url, AssetKey(["feed", "disdukcapil"]),
                                     [BY_NAME["kolom_melebihi_batas_csv"]])
    assert result.success
    q = Warehouse(url=sqlite_url).read("SELECT row_number, field, reason, detail, isi_baris FROM quarantine")
    assert q[["row_number", "field", "reason"]].values.tolist() == [[5, "alamat", "kolom_terlalu_panjang"]]
    assert q["detail"].iloc[0].startswith("kolom ALAMAT: 210,008 karakter, batas 32,767")
    assert len(q["isi_baris"].iloc[0]) < 3_000  # the raw row keeps the start of the field, not all of it


def test_dagster_landing_and_sensor_report_files_no_feed_reads(tmp_path, sqlite_url):
    cases = [BY_NAME["nama_tidak_dikenal"], BY_NAME["pdf_di_folder"], BY_NAME["hanya_judul_kolom"]]
    result, checks, instance = _materialize(tmp_path, sqlite_url, AssetKey(["berkas_masuk"]), cases)
    assert result.success
    check = checks["berkas_dikenali"]
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert "laporan_bulanan_januari.xlsx (nama tidak cocok dengan instansi mana pun)" in check.description
    assert "lapas.pdf (jenis berkas .pdf tidak dibaca" in check.description
    metadata = result.asset_materializations_for_node("berkas_masuk")[0].metadata
    assert metadata["tidak_dikenali"].value == 2
    assert [u["berkas"] for u in metadata["daftar_tidak_dikenali"].value] == ["lapas.pdf", "laporan_bulanan_januari.xlsx"]

    defs = _settings(tmp_path, sqlite_url).definitions()
    sensor = defs.resolve_sensor_def("berkas_baru_sensor")
    first = sensor.evaluate_tick(build_sensor_context(instance=instance, repository_def=defs.get_repository_def(), resources=defs.resources))
    [request] = first.run_requests
    assert "laporan_bulanan_januari.xlsx" in request.tags["pdpb/berkas_tidak_dikenali"]
    assert "lapas.pdf" in request.tags["pdpb/berkas_tidak_dikenali"]
    quiet = sensor.evaluate_tick(build_sensor_context(
        instance=instance, cursor=first.cursor, repository_def=defs.get_repository_def(), resources=defs.resources))
    assert quiet.run_requests == []
    assert "berkas tidak dikenali" in quiet.skip_message and "lapas.pdf" in quiet.skip_message


def test_limits_come_from_the_feed_limits_resource(monkeypatch):
    monkeypatch.setenv("PDPB_MAX_FILE_MB", "50")
    monkeypatch.setenv("PDPB_MAX_FIELD_CHARS", "1000")
    _, resources = from_environment()
    # a whole number is an EnvVar (read by Dagster when a run starts), a decimal one a value
    assert resources["feed_limits"]._convert_to_config_dictionary()["max_field_chars"] == {"env": "PDPB_MAX_FIELD_CHARS"}
    limits = usable(resources["feed_limits"]).read_limits()
    assert (limits.max_file_bytes, limits.max_field_chars) == (50 * 1024 * 1024, 1000)
    for wrong in ("0", "banyak", "-3", "inf"):
        with pytest.raises(ValueError, match="PDPB_MAX_FILE_MB"):
            from_environment({"PDPB_MAX_FILE_MB": wrong})
    with pytest.raises(ValueError, match="PDPB_MAX_FIELD_CHARS='1.5' is not a whole number"):
        from_environment({"PDPB_MAX_FIELD_CHARS": "1.5"})


def test_harmless_reasons_are_known():
    assert set(HARMLESS) <= set(REASONS)
    assert pd.Series(list(REASONS)).is_unique


def test_sub_folders_are_reported_and_lock_files_are_not(tmp_path):
    folder = tmp_path / "landing" / REGENCY / MONTH
    (folder / "susulan").mkdir(parents=True)
    (folder / "susulan" / "lapas.xlsx").write_bytes(b"")
    (folder / "~$lapas.xlsx").write_bytes(b"lock")  # Excel's lock file while the workbook is open
    (folder / ".DS_Store").write_bytes(b"")
    (folder / "LAPAS.XLSX").write_bytes(b"")
    landing = LandingZone(root=str(tmp_path))
    assert [str(u) for u in landing.unknown_files(REGENCY, MONTH)] == [
        "susulan/ (sub-folder tidak dibaca: letakkan berkasnya langsung di folder bulan)"]
    assert [p.name for p in landing.files(REGENCY, MONTH)] == ["LAPAS.XLSX"]
