"""The fast writers of the published files give what the plain ways give.

The XLSX writer builds sheet XML by joining markup and values, the CSV writer joins fields, the
roll is sorted once by arrow and cut per kecamatan: these tests hold them to openpyxl, pandas'
``to_csv`` and ``sort_values``, and to byte-identical re-runs.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from pdpb_pipeline.domain import nik, regions
from pdpb_pipeline.output import publish, xlsx
from pdpb_pipeline.roll.apply import CHANGE_COLUMNS
from pdpb_pipeline.roll.recap import recap_by_desa
from pdpb_pipeline.roll.eligibility import age_on

REGENCY, MONTH = "32.01", "2026-02"
REFERENCE = dt.date(2026, 2, 28)


def _values(path: Path) -> list[list[tuple]]:
    book = load_workbook(path, read_only=True)
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


def _tricky() -> pd.DataFrame:
    return pd.DataFrame({
        "text": ["", " lead", "trail ", "x & y < z > w", "a\x01b\x1fc", "two\nlines", "tab\there", "two  spaces",
                 "ÉLODIE Ñ 日本 \U0001F600", "plain"],
        "count": pd.array([1, None, 3, -4, 5, 0, 7, 8, 9, 10], dtype="Int64"),
        "day": pd.to_datetime(["2020-01-02", None, "1999-12-31", "1900-03-01", "2026-02-28", "2020-01-02",
                               "2020-01-02", "1970-01-01", "2000-02-29", "2020-01-02"]),
        "share": [0.5, np.nan, 1.0, 2.25, 3.0, 1e-5, 0.1, 0.2, 0.3, 0.9924],
        "flag": [True, False, True, True, False, True, False, True, True, False],
        "plain_int": np.arange(10, dtype="int64") * 1_000_000_007,
        "mixed": ["a", 1, 2.5, None, dt.date(2024, 5, 6), "b&c", True, pd.NaT, np.nan, "z"],
    })


def _expected(frame: pd.DataFrame) -> list[tuple]:
    """What openpyxl reads: text as text (XML-invalid characters dropped), integers as numbers,
    dates as datetimes, floats and booleans as their text, missing values as empty cells."""
    def cell(v):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (bool, np.bool_)):
            return str(bool(v))
        if isinstance(v, (pd.Timestamp, dt.datetime)):
            return dt.datetime(v.year, v.month, v.day)
        if isinstance(v, dt.date):
            return dt.datetime(v.year, v.month, v.day)
        if isinstance(v, (int, np.integer)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            return repr(float(v))
        return "".join(ch for ch in v if ch in "\t\n\r" or ord(ch) >= 32)
    return [tuple(cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def test_xlsx_reads_back_in_openpyxl_with_the_same_values(tmp_path):
    frame = _tricky()
    rows = frame.astype(object).values.tolist()  # the agency-file path: rows of mixed values
    sheets = [xlsx.Sheet("Frame", list(frame.columns), frame, ["TITLE & <NAME>", " spaced "]),
              xlsx.Sheet("Rows", list(frame.columns), rows),
              xlsx.Sheet("Empty", ["a", "b"], frame.iloc[0:0])]
    xlsx.write_workbook(tmp_path / "book.xlsx", sheets)
    framed, listed, empty = _values(tmp_path / "book.xlsx")
    header = tuple(frame.columns)
    assert framed[:2] == [("TITLE & <NAME>",), (" spaced ",)]
    assert framed[3] == header and framed[4:] == _expected(frame)
    assert listed[0] == header and listed[1:] == _expected(frame)
    assert empty == [("a", "b")]
    # Whitespace that Excel would trim is marked to be kept; plain text carries no marker.
    with zipfile.ZipFile(tmp_path / "book.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> spaced </t>' in sheet and "<t>plain</t>" not in sheet
    assert '<t xml:space="preserve">plain</t>' in sheet  # the column has text needing it


def test_xlsx_plain_text_column_has_no_space_marker(tmp_path):
    frame = pd.DataFrame({"nama": ["SITI AMINAH", "BUDI"], "alamat": ["JL. A & B", "KP. <X>"]})
    xlsx.write_workbook(tmp_path / "plain.xlsx", [xlsx.Sheet("S", list(frame.columns), frame)])
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "xml:space" not in sheet and "<t>JL. A &amp; B</t>" in sheet and "<t>KP. &lt;X&gt;</t>" in sheet
    assert _values(tmp_path / "plain.xlsx")[0][1:] == [("SITI AMINAH", "JL. A & B"), ("BUDI", "KP. <X>")]


def test_xlsx_is_byte_identical_across_runs_and_part_sizes(tmp_path, monkeypatch):
    frame = pd.concat([_tricky()] * 5, ignore_index=True)
    sheets = [xlsx.Sheet("DPB", list(frame.columns), frame, ["JUDUL"])]
    xlsx.write_workbook(tmp_path / "a.xlsx", sheets)
    xlsx.write_workbook(tmp_path / "b.xlsx", sheets)
    monkeypatch.setattr(xlsx, "_ROWS_PER_PART", 7)  # rows cut across parts: same XML, same zip
    xlsx.write_workbook(tmp_path / "c.xlsx", sheets)
    first = (tmp_path / "a.xlsx").read_bytes()
    assert (tmp_path / "b.xlsx").read_bytes() == first
    assert (tmp_path / "c.xlsx").read_bytes() == first
    assert _values(tmp_path / "c.xlsx")[0][3:] == _expected(frame)


def test_write_csv_quotes_like_the_csv_module(tmp_path):
    from pdpb_pipeline.output.fastio import write_csv

    columns = {"a,b": ["x", "y,z", 'say "hi"', "two\nlines", "", None], "n": np.arange(6), "s": list("uvwxyz")}
    columns["late_none"] = ["v"] * 5 + [None]
    write_csv(tmp_path / "out.csv", columns, chunk=4)
    expected = pd.DataFrame({k: ["" if v is None else v for v in vals] if isinstance(vals, list) else vals
                             for k, vals in columns.items()}).to_csv(index=False, lineterminator="\n")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("with_missing", [False, True])
def test_roll_order_is_pandas_order(with_missing):
    rng = np.random.default_rng(3)
    words = np.array(["", "a", "B", "b", "É", "Z", "z ", "日本", "\U0001F600", "\uffff", "0", "00", "AB", "Ab"], dtype=object)
    frame = pd.DataFrame({k: words[rng.integers(0, len(words), 400)] for k in publish.ROLL_ORDER})
    if with_missing:
        frame.loc[rng.integers(0, 400, 30), "rt"] = None
        frame.loc[rng.integers(0, 400, 30), "nama"] = np.nan
    text = {k: publish._arrow_text(frame[k]) for k in publish.ROLL_ORDER}
    expected = frame.sort_values(publish.ROLL_ORDER, kind="stable").index.to_numpy()
    assert publish._order(frame, publish.ROLL_ORDER, text).tolist() == expected.tolist()
    # a key that is not text goes to pandas
    frame["rt"] = rng.integers(0, 5, 400)
    text = {k: publish._arrow_text(frame[k]) for k in publish.ROLL_ORDER}
    assert text["rt"] is None
    expected = frame.sort_values(publish.ROLL_ORDER, kind="stable").index.to_numpy()
    assert publish._order(frame, publish.ROLL_ORDER, text).tolist() == expected.tolist()


def _roll(n: int = 900) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    desa = [d.code for d in regions.desa_of(REGENCY)][:40] + ["32.01.99.9999"]  # one desa nobody knows
    born = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 30_000, n), unit="D")
    roll = pd.DataFrame({
        "id": [f"DPT-{i:06d}" for i in rng.permutation(n)],  # not in roll order
        "nik": [f"3201{rng.integers(10**11, 10**12)}" for _ in range(n)],
        "nkk": [f"3201{rng.integers(10**11, 10**12)}" if i % 3 else "" for i in range(n)],
        "nama": rng.choice(["SITI", "BUDI", "AGUS SALIM", "NUR, AINI", 'DEDE "ACIL"', "ÉLODIE", "A & B"], n),
        "tempat_lahir": "BOGOR",
        "tanggal_lahir": born.where(rng.random(n) > 0.05),  # some birth dates unknown
        "jenis_kelamin": rng.choice(["L", "P"], n),
        "status_kawin": rng.choice(["", "B", "S", "P"], n),
        "alamat": rng.choice(["KP. SINDANG", "JL. RAYA NO. 1", "BLOK A\nNO. 2", "", " GG. MAWAR "], n),
        "rt": rng.choice(["001", "002", "010", ""], n),
        "rw": rng.choice(["001", "003", ""], n),
        "kode_desa": rng.choice(desa, n),
    })
    roll.loc[[7, 70], "nik"] = [" 3201014312850018 ", "12"]
    return roll


def _publish(folder: Path, roll: pd.DataFrame) -> dict:
    return publish.publish(folder, REGENCY, MONTH, REFERENCE, roll, *_publish_inputs(roll))


def _publish_inputs(roll: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The recap, change list and review queue published with ``roll``."""
    changes = pd.DataFrame(columns=list(CHANGE_COLUMNS))
    recap_desa = recap_by_desa(REGENCY, roll, roll, changes)
    changes = pd.DataFrame([{**{c: "" for c in CHANGE_COLUMNS}, "change_id": "P-1", "voter_id": roll["id"][3],
                             "probability": 0.99237, "row_number": 4}])
    queue = pd.DataFrame({"id_antrean": ["U-1", "U-2"], "voter_id": [roll["id"][5], ""], "nik": ["3201014312850018", ""],
                          "nkk": ["", "3201010101010001"], "nama": ["SITI", "X & Y"],
                          "tanggal_lahir": pd.to_datetime(["2001-02-03", None]), "probability": [0.5, np.nan]})
    return recap_desa, changes, queue


def test_published_roll_is_the_roll_sorted_and_masked_per_kecamatan(tmp_path, monkeypatch):
    nik.use_mask_rule("6,0")
    roll = _roll()
    manifest = _publish(tmp_path / "a", roll)

    # The reference: mask value by value, group by kecamatan, sort each with pandas, to_csv.
    names = {d.code: d for d in regions.desa_of(REGENCY)}
    public = roll.assign(
        nik=roll["nik"].map(nik.mask), nkk=roll["nkk"].map(nik.mask),
        usia=age_on(roll["tanggal_lahir"], REFERENCE).astype("Int64"),
        desa=roll["kode_desa"].map(lambda c: names[c].name if c in names else ""),
    )[list(publish.ROLL_COLUMNS)]
    files = sorted((tmp_path / "a" / "dpb").glob("*.csv"))
    groups = list(public.groupby(public["kode_desa"].str.slice(0, 8), sort=True))
    assert len(files) == len(groups) > 1
    for path, (kecamatan, part) in zip(files, groups):
        first = part["kode_desa"].iloc[0]
        name = names[first].kecamatan_name if first in names else "LAIN"
        assert path.name == f"dpb_{kecamatan}_{publish._slug(name)}_{MONTH}.csv"
        part = part.sort_values(publish.ROLL_ORDER, kind="stable")
        assert path.read_text(encoding="utf-8") == part.to_csv(index=False, lineterminator="\n")
        assert manifest[f"dpb/{path.name}"]["baris"] == len(part)
        # The XLSX holds the same rows: numbers as numbers, missing ages empty.
        sheet = _values(path.with_suffix(".xlsx"))[0]
        assert sheet[4] == tuple(publish.ROLL_COLUMNS)
        assert sheet[5:] == [tuple(None if v is pd.NA else v for v in row)
                             for row in part.astype(object).itertuples(index=False)]

    change_list = pd.read_csv(tmp_path / "a" / f"perubahan_{REGENCY}_{MONTH}.csv", dtype=str, keep_default_na=False)
    assert change_list["nik"].tolist() == [nik.mask(roll["nik"][3])]
    assert change_list["probability"].tolist() == ["0.9924"]

    # A re-run gives the same bytes, file for file.
    again = _publish(tmp_path / "b", roll)
    assert again == manifest
    for path in (tmp_path / "a").rglob("*"):
        if path.is_file():
            assert (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes() == path.read_bytes()


def test_empty_roll_publishes_no_roll_files(tmp_path):
    roll = _roll().iloc[0:0]
    manifest = _publish_empty(tmp_path, roll)
    assert not any(name.startswith("dpb/") for name in manifest)


def _publish_empty(folder: Path, roll: pd.DataFrame) -> dict:
    changes = pd.DataFrame(columns=list(CHANGE_COLUMNS))
    recap_desa = recap_by_desa(REGENCY, _roll(), roll, changes)
    queue = pd.DataFrame({"id_antrean": [], "nik": [], "nkk": [], "tanggal_lahir": pd.to_datetime([]),
                          "probability": []})
    return publish.publish(folder, REGENCY, MONTH, REFERENCE, roll, recap_desa, changes, queue)


def test_text_column_escapes_values_with_line_breaks_one_by_one():
    opening, texts, closing = xlsx._text_column(["a & b", "two\nlines <x>", "c\x02"])
    assert texts == ["a &amp; b", "two\nlines &lt;x&gt;", "c"] and "preserve" in opening
    opening, texts, closing = xlsx._text_column(["a & b", "c\x02d"])
    assert texts == ["a &amp; b", "cd"] and "preserve" not in opening
    # the same as parsing the cells back
    body = "".join(opening + t + closing for t in texts)
    assert [t.text for t in ET.fromstring(f"<r>{body}</r>").iter("t")] == ["a & b", "cd"]


@pytest.mark.parametrize("texts", [
    ["a", "b"], ["a ", "b"], ["a", " b"], ["a  b"], ["a b", "c d"], ["a\tb"], ["a\rb"], ["a\nb"], ["a & b", " c"],
    ["a & b", "c"], ["a \x01 b"], ["\x01 a"], ["x\x01"], ["", ""], [""], ["é ", "ü"], ["日本  語"], ["<", "> "],
])
def test_text_column_marks_space_exactly_when_a_value_needs_it(texts):
    opening, escaped, _ = xlsx._text_column(list(texts))
    assert escaped == [xlsx._escape(t) for t in texts]
    assert ("preserve" in opening) == any(xlsx._keeps_space(t) for t in escaped)
