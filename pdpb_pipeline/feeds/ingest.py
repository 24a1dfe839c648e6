"""One ingest path for every agency: file -> canonical rows, plus quarantine with reasons.

Nothing is dropped. Every data row of every file ends either in ``rows`` (usable, in the
canonical person/event schema, with warnings) or in ``quarantine`` (with the field and a
reason code a data officer understands). A file that cannot be read at all is one
quarantine entry with row number 0. ``rows_in == accepted + quarantined`` always holds.

A file with nothing in it (zero bytes, only blanks) is ``FileReport.empty``: no rows, no
quarantine, a warning check of the feed. A file with a header and no data rows is accepted
with zero rows (an agency with nothing to report sends its template), unless not one of its
header cells is a column this feed knows: then it is not this agency's table (a one-line
error message saved as .csv looks like that) and its required columns are missing.

The raw row kept in the quarantine (``isi_baris``) and the ``detail`` text never carry a full
NIK or NKK: the columns the header map resolves to ``nik``/``nkk`` are masked with
``nik.mask``, every other cell and the detail with ``nik.mask_text``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain import nik as nikmod
from ..domain import dates, regions, schema
from . import parse
from .reader import ReadLimits, UnreadableFile, read_table
from .spec import AgencySpec, normalize_header

ENCODING_FALLBACK = "encoding_cadangan"
# Longest piece of one cell kept in the quarantine's raw row (the file itself is kept whole).
RAW_CELL_KEPT = 1_000

# Reason codes of the quarantine, as a data officer reads them.
REASONS: dict[str, str] = {
    "berkas_tidak_terbaca": "Berkas tidak dapat dibaca sebagai CSV/XLSX",
    "kolom_wajib_tidak_ada": "Kolom wajib tidak ada di berkas",
    "baris_kosong": "Baris kosong",
    "baris_jumlah": "Baris jumlah/total, bukan data orang",
    "baris_ganda": "Baris sama persis dengan baris sebelumnya di berkas yang sama",
    "peristiwa_tidak_dikenal": "Jenis peristiwa tidak dikenal untuk instansi ini",
    "identitas_tidak_cukup": "Tidak ada NIK yang sah, dan nama atau tanggal lahir kosong",
    "id_antrean_kosong": "Nomor antrean verifikasi kosong",
    "kolom_terlalu_panjang": "Isi satu kolom lebih panjang dari batas (PDPB_MAX_FIELD_CHARS); tanda kutip tidak ditutup?",
    "tanda_kutip_terbuka": "Tanda kutip pembuka tanpa penutup: baris-baris berikutnya terbaca sebagai isi satu kolom",
    "kolom_berlebih": "Baris punya lebih banyak kolom daripada judul tabel (pemisah di dalam isian tanpa tanda kutip?)",
}
HARMLESS = ("baris_kosong", "baris_jumlah", "baris_ganda")
# Warnings keep the row; they travel with it in the ``peringatan`` column.
WARNINGS: dict[str, str] = {
    nikmod.NIK_KOSONG: "NIK kosong",
    nikmod.NIK_FORMAT: "NIK bukan 16 digit",
    nikmod.NIK_PLACEHOLDER: "NIK pengganti (3333..., nomor urut 0000)",
    nikmod.NIK_TANGGAL: "Tanggal di NIK tidak valid",
    nikmod.NIK_WILAYAH: "Kode wilayah NIK tidak ada",
    "tanggal_lahir_beda_nik": "Tanggal lahir berbeda dengan yang tersandi di NIK",
    "jenis_kelamin_beda_nik": "Jenis kelamin berbeda dengan yang tersandi di NIK",
    "tanggal_lahir_tidak_valid": "Tanggal lahir tidak dapat dibaca",
    dates.DATE_SWAPPED: "Tanggal dan bulan tertukar (dibaca sebagai bulan-tanggal)",
    dates.DATE_FUTURE: "Tanggal sesudah akhir bulan laporan",
    "tanggal_peristiwa_tidak_valid": "Tanggal peristiwa tidak dapat dibaca",
    "jenis_kelamin_tidak_dikenal": "Jenis kelamin tidak dikenal",
    "status_kawin_tidak_dikenal": "Status kawin tidak dikenal",
    "desa_tidak_dikenal": "Desa/kelurahan tidak ada di kabupaten/kota ini",
    "nkk_tidak_valid": "NKK bukan 16 digit atau pengganti",
    ENCODING_FALLBACK: "Baris bukan UTF-8, dibaca sebagai Windows-1252: periksa huruf beraksen",
}

SOURCE_COLUMNS = ("agency", "file_name", "row_number", "nik_status", "peringatan")
QUARANTINE_COLUMNS = ("agency", "file_name", "row_number", "field", "reason", "detail", "isi_baris")


@dataclass
class FileReport:
    file_name: str
    agency: str
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    encoding: str = ""
    unreadable: str = ""
    #: zero bytes, or only blanks
    empty: bool = False
    size_bytes: int = 0
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


@dataclass
class FeedResult:
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    files: list[FileReport]

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.files)

    @property
    def accepted(self) -> int:
        return len(self.rows)

    @property
    def quarantined_rows(self) -> int:
        return int((self.quarantine["row_number"] > 0).sum()) if len(self.quarantine) else 0

    @property
    def unusable_share(self) -> float:
        """Share of the data rows that could not be used. Empty rows, total rows under the
        table and repeated rows are quarantined too, but they carry no lost person."""
        if not len(self.quarantine):
            return 0.0
        rows = self.quarantine[self.quarantine["row_number"] > 0]
        harmless = int(rows["reason"].isin(HARMLESS).sum())
        data_rows = self.rows_in - harmless
        return (len(rows) - harmless) / data_rows if data_rows else 0.0


def month_end(month: str) -> dt.date:
    year, mon = (int(x) for x in month.split("-"))
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def output_columns(spec: AgencySpec) -> tuple[str, ...]:
    return schema.PERSON_COLUMNS + schema.EVENT_COLUMNS + spec.extra_fields + SOURCE_COLUMNS


def empty_rows(spec: AgencySpec) -> pd.DataFrame:
    frame = schema.empty_frame(schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)
    for name in spec.extra_fields + SOURCE_COLUMNS:
        frame[name] = pd.Series(dtype="int64" if name == "row_number" else object)
    return frame


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row_number" else object) for c in QUARANTINE_COLUMNS})


def ingest(spec: AgencySpec, files: list[Path], regency: str, month: str,
           limits: ReadLimits = ReadLimits()) -> FeedResult:
    """Reads and validates all of one agency's files for a regency's month."""
    rows, quarantines, reports = [], [], []
    for path in files:
        report, accepted, quarantined = _ingest_file(spec, path, regency, month, limits)
        reports.append(report)
        rows.append(accepted)
        quarantines.append(quarantined)
    out_rows = pd.concat(rows, ignore_index=True) if rows else empty_rows(spec)
    out_q = pd.concat(quarantines, ignore_index=True) if quarantines else empty_quarantine()
    return FeedResult(rows=out_rows, quarantine=out_q, files=reports)


def _file_level(spec: AgencySpec, path: Path, reason: str, detail: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "agency": spec.key, "file_name": path.name, "row_number": 0, "field": "",
        "reason": reason, "detail": nikmod.mask_text(detail), "isi_baris": "",
    }])


def _ingest_file(spec: AgencySpec, path: Path, regency: str, month: str, limits: ReadLimits):
    report = FileReport(file_name=path.name, agency=spec.key)
    header_map = spec.header_map()
    try:
        report.size_bytes = path.stat().st_size
        table = read_table(path, header_map, normalize_header, limits)
    except (UnreadableFile, OSError) as error:
        text = str(error) if isinstance(error, UnreadableFile) else f"berkas tidak dapat dibuka ({type(error).__name__})"
        report.unreadable = text
        return report, empty_rows(spec), _file_level(spec, path, "berkas_tidak_terbaca", text)
    report.encoding = table.encoding
    report.empty = table.empty
    raw = table.rows
    report.rows_in = len(raw)

    fields: dict[str, str] = {}  # canonical field -> file column
    for column in raw.columns:
        name = header_map.get(normalize_header(column))
        if name is None:
            report.unknown_columns.append(str(column))
        elif name not in fields:
            fields[name] = column
    if raw.empty:
        if not table.empty and not table.header_found:
            report.missing_columns = _missing(spec, fields)
            return report, empty_rows(spec), _file_level(
                spec, path, "kolom_wajib_tidak_ada",
                "tidak ada kolom yang dikenali di baris judul: " + ", ".join(table.header)[:200])
        return report, empty_rows(spec), empty_quarantine()
    report.missing_columns = _missing(spec, fields)

    raw = raw.fillna("").astype(str).apply(lambda s: s.str.strip())
    row_numbers = np.asarray(table.row_numbers, dtype=np.int64)
    reason = pd.Series("", index=raw.index, dtype=object)
    bad_field = pd.Series("", index=raw.index, dtype=object)
    detail = pd.Series("", index=raw.index, dtype=object)

    # Rows that cannot be parsed as they stand: a field past the limit, cells past the header.
    lengths = pd.DataFrame({i: raw[c].str.len() for i, c in enumerate(raw.columns)}, index=raw.index)
    over = lengths > limits.max_field_chars
    too_long = over.any(axis=1)
    if too_long.any():
        column_of = {i: c for i, c in enumerate(raw.columns)}
        canonical_of = {c: n for n, c in fields.items()}
        for index in raw.index[too_long]:
            position = int(over.loc[index].to_numpy().argmax())
            first = column_of[position]
            reason[index] = "kolom_terlalu_panjang"
            bad_field[index] = canonical_of.get(first, first)
            detail[index] = (f"kolom {first}: {int(lengths.loc[index, position]):,} karakter, batas "
                             f"{limits.max_field_chars:,} (tanda kutip tidak ditutup?)")
        raw = raw.where(~over.set_axis(raw.columns, axis=1), "")  # not parsed: the row is quarantined
    number_at = pd.Series(row_numbers, index=raw.index)
    shifted = number_at.isin(list(table.overflow)) & (reason == "")
    if shifted.any():
        width = len(raw.columns)
        for index in raw.index[shifted]:
            extra = table.overflow[int(number_at[index])]
            reason[index] = "kolom_berlebih"
            detail[index] = f"{width + len(extra)} kolom terisi, judul tabel {width} kolom"
    swallowing = number_at.isin(list(table.swallowed)) & (reason == "")
    for index in raw.index[swallowing]:
        column, lines = table.swallowed[int(number_at[index])]
        reason[index] = "tanda_kutip_terbuka"
        bad_field[index] = next((n for n, c in fields.items() if c == column), column)
        detail[index] = (f"kolom {column} memuat {lines} baris berkas berikutnya: tanda kutip (\") pembuka "
                         "tanpa penutup; perbaiki berkasnya dan kirim ulang")
    overflow_cells = number_at.map(table.overflow)  # NaN where the row has no overflow
    # every column whose header the map resolves to NIK or NKK (``NIK`` and ``NIK Pasangan`` alike)
    id_columns = {column for column, written in zip(raw.columns, table.header)
                  if header_map.get(normalize_header(written)) in ("nik", "nkk")}

    if report.missing_columns:
        take = reason == ""
        reason[take] = "kolom_wajib_tidak_ada"
        bad_field[take] = report.missing_columns[0]
        detail[take] = "kolom tidak ada: " + ", ".join(report.missing_columns)
        canon = pd.DataFrame(index=raw.index)
    else:
        canon, warnings = _canonical(spec, raw, fields, regency, month)
        empty = (raw == "").all(axis=1)
        cells = raw.to_numpy(dtype=object)
        first_cell = pd.Series(  # each row's first non-empty cell ("" for an empty row), at once
            cells[np.arange(len(cells)), (cells != "").argmax(axis=1)] if cells.size else [],
            index=raw.index, dtype=object)
        total_row = first_cell.str.upper().str.match(r"^(JUMLAH|TOTAL|J U M L A H|GRAND TOTAL)\b") & (
            canon["nama"] == "") & (canon["nik"] == "")
        group = raw.groupby(list(raw.columns), sort=False).ngroup()
        first_seen = pd.Series(row_numbers, index=raw.index).groupby(group).transform("first")
        duplicate = raw.duplicated() & ~empty
        unknown_event = (canon["jenis_peristiwa"] == "") & ~empty
        if spec.identifies_person:
            no_identity = (canon["nik_status"] != "valid") & (
                (canon["nama"] == "") | canon["tanggal_lahir"].isna()
            )
        else:
            no_identity = pd.Series(False, index=raw.index)
        no_queue_id = (
            canon["id_antrean"] == "" if "id_antrean" in spec.extra_fields else pd.Series(False, index=raw.index)
        )
        # The first reason that applies, in the order a data officer would fix them.
        for mask, code, fld, text in (
            (empty, "baris_kosong", "", "semua kolom kosong"),
            (total_row, "baris_jumlah", "", "baris jumlah di bawah tabel"),
            (duplicate, "baris_ganda", "", "sama dengan baris " + first_seen.astype(str)),
            (unknown_event, "peristiwa_tidak_dikenal", "jenis_peristiwa",
             "nilai: " + _event_text(raw, fields)),
            (no_queue_id, "id_antrean_kosong", "id_antrean", "nomor antrean kosong"),
            (no_identity & ~empty, "identitas_tidak_cukup", "nik",
             "NIK: " + canon["nik_status"] + "; nama " + np.where(canon["nama"] == "", "kosong", "ada")
             + "; tanggal lahir " + np.where(canon["tanggal_lahir"].isna(), "kosong/tidak valid", "ada")),
        ):
            take = mask & (reason == "")
            reason[take] = code
            bad_field[take] = fld
            detail[take] = text[take] if isinstance(text, pd.Series) else text
        fallback = number_at.isin(list(table.fallback_rows))
        canon["peringatan"] = warnings.str.cat(
            pd.Series(np.where(fallback, ENCODING_FALLBACK, ""), index=raw.index), sep=";").str.strip(";")

    keep = reason == ""
    out = ~keep
    quarantined = pd.DataFrame({
        "agency": spec.key,
        "file_name": path.name,
        "row_number": row_numbers[out.to_numpy()],
        "field": bad_field[out].to_numpy(),
        "reason": reason[out].to_numpy(),
        "detail": detail[out].map(nikmod.mask_text).to_numpy(),
        "isi_baris": _raw_json(table.rows.loc[out], id_columns, overflow_cells[out]).to_numpy(),
    })
    report.quarantined = len(quarantined)
    if not keep.any():
        return report, empty_rows(spec), quarantined
    accepted = canon[keep].copy()
    accepted["agency"] = spec.key
    accepted["file_name"] = path.name
    accepted["row_number"] = row_numbers[keep.to_numpy()]
    accepted["id"] = path.stem + "#" + accepted["row_number"].astype(str)
    report.accepted = len(accepted)
    return report, accepted[list(output_columns(spec))].reset_index(drop=True), quarantined


def _missing(spec: AgencySpec, fields: dict[str, str]) -> list[str]:
    alternatives = {"kode_desa": "desa", "tanggal_lahir": "ttl", "tempat_lahir": "ttl"}
    missing = []
    for name in spec.required:
        if name == "jenis_peristiwa" and spec.default_event:
            continue
        if name not in fields and alternatives.get(name) not in fields:
            missing.append(name)
    return missing


def _raw_json(raw: pd.DataFrame, ids: set[str], overflow: pd.Series) -> pd.Series:
    """Each row as the file has it, as JSON, with identifiers masked: the ``ids`` columns (those
    the header map resolves to ``nik``/``nkk``) by ``nik.mask``, every other cell by
    ``nik.mask_text``. A cell longer than ``RAW_CELL_KEPT`` is cut (its length said); cells past
    the header's width go under ``(lebih)``."""
    masked = {}
    for column in raw.columns:
        values = raw[column].fillna("").astype(str).str.strip()
        long = values.str.len() > RAW_CELL_KEPT
        if long.any():
            values = values.where(~long, values.str[:RAW_CELL_KEPT] + values.str.len().map(" ... [{:,} karakter]".format))
        if column in ids:
            masked[column] = nikmod.mask_series(values)
        else:
            distinct = {v: nikmod.mask_text(v) for v in values.unique()}
            masked[column] = values.map(distinct)
    frame = pd.DataFrame(masked, index=raw.index)
    columns = list(raw.columns)
    out = []
    for values, extra in zip(frame.itertuples(index=False), overflow.tolist()):
        row = dict(zip(columns, values))
        if isinstance(extra, list):
            row["(lebih)"] = [nikmod.mask_text(v) for v in extra]
        out.append(json.dumps(row, ensure_ascii=False))
    return pd.Series(out, index=raw.index, dtype=object)


def _event_text(raw: pd.DataFrame, fields: dict[str, str]) -> pd.Series:
    column = fields.get("jenis_peristiwa")
    return raw[column] if column else pd.Series("(kosong)", index=raw.index)


def _col(raw: pd.DataFrame, fields: dict[str, str], name: str) -> pd.Series:
    column = fields.get(name)
    return raw[column] if column else pd.Series("", index=raw.index, dtype=object)


_RT_RW = re.compile(r"[,\s]*\bRT\.?\s*(?P<rt>\d{1,3})\s*[/,]?\s*RW\.?\s*(?P<rw>\d{1,3})\b")
_TTL = re.compile(r"^\s*(?P<tempat>[^,/]*?)\s*[,/]\s*(?P<tanggal>.+?)\s*$")


@lru_cache(maxsize=64)
def _desa_lookup(regency: str) -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """Codes of the regency's desa; desa name -> code (names unique in the regency); and
    ``KECAMATAN|DESA`` -> code for names that repeat across kecamatan."""
    desa = regions.desa_of(regency)
    codes = frozenset(d.code for d in desa)
    words = parse.code_words(pd.Series([d.name for d in desa] + [d.kecamatan_name for d in desa]))
    by_name: dict[str, list[str]] = {}
    by_pair: dict[str, str] = {}
    for i, d in enumerate(desa):
        by_name.setdefault(words.iloc[i], []).append(d.code)
        by_pair[f"{words.iloc[len(desa) + i]}|{words.iloc[i]}"] = d.code
    unique = {name: found[0] for name, found in by_name.items() if len(found) == 1}
    return codes, unique, by_pair


def _desa_codes(raw, fields, regency) -> tuple[pd.Series, pd.Series]:
    codes, by_name, by_pair = _desa_lookup(regency)
    code = _col(raw, fields, "kode_desa").str.replace(r"\D", "", regex=True)
    dotted = code.where(code.str.len() != 10, code.str[0:2] + "." + code.str[2:4] + "." + code.str[4:6] + "." + code.str[6:10])
    dotted = dotted.where(dotted.str.len() == 13, "")
    if "desa" in fields:
        names = parse.code_words(raw[fields["desa"]]).str.replace(r"^(DESA|KELURAHAN|KEL|DS) ", "", regex=True)
        if "kecamatan" in fields:
            kec = parse.code_words(raw[fields["kecamatan"]]).str.replace(r"^(KECAMATAN|KEC) ", "", regex=True)
            dotted = dotted.where(dotted != "", (kec + "|" + names).map(by_pair).fillna(""))
        dotted = dotted.where(dotted != "", names.map(by_name).fillna(""))
        given = (_col(raw, fields, "kode_desa") != "") | (raw[fields["desa"]] != "")
    else:
        given = _col(raw, fields, "kode_desa") != ""
    unknown = given & ~dotted.isin(codes)
    return dotted.where(~unknown, ""), unknown


def _canonical(spec: AgencySpec, raw: pd.DataFrame, fields: dict[str, str], regency: str, month: str):
    reference = month_end(month)
    warn: list[pd.Series] = []
    out = pd.DataFrame(index=raw.index)

    out["nik"] = parse.clean_niks(_col(raw, fields, "nik"))
    distinct = out["nik"].unique()
    faults = dict(zip(distinct, nikmod.nik_faults(distinct)))
    status = out["nik"].map(lambda v: faults[v] or "valid")
    out["nik_status"] = status
    warn.append(status.where(status != "valid", ""))
    # A NIK that cannot identify anybody is not passed on: linkage must not trust it.
    out["nik"] = out["nik"].where(status.isin(["valid", nikmod.NIK_TANGGAL, nikmod.NIK_WILAYAH]), "")

    out["nkk"] = parse.clean_niks(_col(raw, fields, "nkk"))
    bad_nkk = (out["nkk"] != "") & ~out["nkk"].str.fullmatch(r"\d{16}") | pd.Series(
        nikmod.placeholders(out["nkk"].to_numpy()), index=out.index)
    out["nkk"] = out["nkk"].where(~bad_nkk, "")
    warn.append(pd.Series(np.where(bad_nkk, "nkk_tidak_valid", ""), index=raw.index))

    out["nama"] = parse.clean_names(_col(raw, fields, "nama"))
    tempat, tanggal = _col(raw, fields, "tempat_lahir"), _col(raw, fields, "tanggal_lahir")
    if "ttl" in fields:
        split = raw[fields["ttl"]].str.extract(_TTL)
        tempat = tempat.where(tempat != "", split["tempat"].fillna(""))
        tanggal = tanggal.where(tanggal != "", split["tanggal"].fillna(""))
    out["tempat_lahir"] = parse.clean_names(tempat)
    born, born_warn = dates.parse_dates(tanggal, reference)
    out["tanggal_lahir"] = born
    warn.append(born_warn)
    warn.append(pd.Series(np.where((tanggal != "") & born.isna() & (born_warn == ""), "tanggal_lahir_tidak_valid", ""), index=raw.index))

    out["jenis_kelamin"], unknown_sex = parse.parse_code(_col(raw, fields, "jenis_kelamin"), parse.SEX)
    warn.append(pd.Series(np.where(unknown_sex, "jenis_kelamin_tidak_dikenal", ""), index=raw.index))
    out["status_kawin"], unknown_marital = parse.parse_code(_col(raw, fields, "status_kawin"), parse.MARITAL)
    warn.append(pd.Series(np.where(unknown_marital, "status_kawin_tidak_dikenal", ""), index=raw.index))

    # What the NIK encodes must agree with the record: a warning, never a rejection.
    encoded = nikmod.birth_and_sex(out["nik"].where(status == "valid", ""), reference)
    date_differs = encoded["lahir"].notna() & born.notna() & (encoded["lahir"] != born)
    sex_differs = (encoded["jenis_kelamin"] != "") & (out["jenis_kelamin"] != "") & (
        encoded["jenis_kelamin"] != out["jenis_kelamin"]
    )
    warn.append(pd.Series(np.where(date_differs, "tanggal_lahir_beda_nik", ""), index=raw.index))
    warn.append(pd.Series(np.where(sex_differs, "jenis_kelamin_beda_nik", ""), index=raw.index))

    alamat = parse.clean_names(_col(raw, fields, "alamat"))
    inline = alamat.str.extract(_RT_RW)
    out["alamat"] = alamat.str.replace(_RT_RW, "", regex=True).str.strip(" ,")
    out["rt"] = parse.pad_rt_rw(_col(raw, fields, "rt").where(_col(raw, fields, "rt") != "", inline["rt"].fillna("")))
    out["rw"] = parse.pad_rt_rw(_col(raw, fields, "rw").where(_col(raw, fields, "rw") != "", inline["rw"].fillna("")))
    out["kode_desa"], unknown_desa = _desa_codes(raw, fields, regency)
    warn.append(pd.Series(np.where(unknown_desa, "desa_tidak_dikenal", ""), index=raw.index))

    if "jenis_peristiwa" in fields:
        words = parse.code_words(raw[fields["jenis_peristiwa"]])
        event = words.map(spec.events).fillna("")
        if spec.default_event:
            event = event.where(words != "", spec.default_event)
    else:
        event = pd.Series(spec.default_event or "", index=raw.index)
    out["jenis_peristiwa"] = event
    happened, happened_warn = dates.parse_dates(_col(raw, fields, "tanggal_peristiwa"), reference)
    out["tanggal_peristiwa"] = happened
    event_date_bad = (_col(raw, fields, "tanggal_peristiwa") != "") & happened.isna()
    warn.append(pd.Series(np.where(event_date_bad, "tanggal_peristiwa_tidak_valid", ""), index=raw.index))

    for name in spec.extra_fields:
        out[name] = parse.clean_names(_col(raw, fields, name))

    joined = warn[0].astype(str)
    for codes in warn[1:]:
        joined = joined.str.cat(codes.astype(str), sep=";")
    return out, joined.str.replace(r";{2,}", ";", regex=True).str.strip(";")
