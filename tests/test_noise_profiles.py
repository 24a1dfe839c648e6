"""Noise profiles of the synthetic regency: clean, typical (unchanged bytes), hard (each fault at
its configured rate and visible in the written file as a spreadsheet or clerk would leave it)."""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from pdpb_lab.synth import SynthConfig, generate
from pdpb_lab.synth.agencies import AGENCIES
from pdpb_lab.synth.faults import SPELLINGS
from pdpb_lab.synth.noise import ABBREVIATIONS
from pdpb_lab.synth.profiles import MOVE_EVENTS, PROFILES, agency_rates

from .test_synth import agency_of_file, landing_rows

CODE = "32.01"
# Enough rows of every agency (prisons and migrant workers too) to measure rates on.
HARD = dict(regency=CODE, voters=30_000, months=4, start="2026-01", seed=5, profile="hard",
            pilkades_month_prob=1.0, pilkades_max_desa=4, inmate_share=0.004, pmi_leave_monthly=0.002)
FORMAT_TOKENS = {"date_alt_format", "date_serial", "late_report", "duplicate_row", "twin", "namesake"}
NIK_MAIN = {"nik_missing", "nik_placeholder", "nik_wrong_serial"}
NIK_ALL = NIK_MAIN | {"nik_household", "nik_digit_typo", "nik_transposed", "nik_excel_truncated",
                      "nik_excel_scientific"}
NAME_TOKENS = {"name_variant", "name_spelling", "name_title", "name_typo", "name_alias", "trailing_space"}
DATE_TOKENS = {"birthdate_mismatch", "birthdate_digit_typo", "birthdate_year_off", "date_swapped",
               "birthdate_placeholder", "birthdate_blank"}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _file_rows(path: Path) -> list[list]:
    return landing_rows(path)[1]


def _rows_with_cells(out: Path, months: list[str]) -> pd.DataFrame:
    """Truth rows joined with the raw cells of the file row they describe."""
    parts = []
    for m in months:
        t = _read(out / "truth" / CODE / f"{m}.csv")
        cells = {}
        for f in sorted((out / "landing" / CODE / m).iterdir()):
            fields = [k for k, _ in AGENCIES[agency_of_file(f)]["columns"]]
            for b, row in enumerate(_file_rows(f), start=1):
                cells[(f.name, b)] = dict(zip(fields, row))
        t["cells"] = [cells[(berkas, int(b))] for berkas, b in zip(t["berkas"], t["baris"])]
        parts.append(t)
    frame = pd.concat(parts, ignore_index=True)
    frame["tokens"] = [set(x.split(";")) - {""} for x in frame["noise"]]
    return frame


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    out = tmp_path_factory.mktemp("hard")
    summary = generate(SynthConfig(**HARD), out_dir=out)
    rows = _rows_with_cells(out, summary.months)
    persons = _read(out / "truth" / CODE / "persons.csv").set_index("person_id")
    return out, rows, persons


def _data(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows describing a person once (no repeated or unusable rows)."""
    keep = [not ({"unusable", "duplicate_row"} & t) for t in rows["tokens"]]
    return rows[keep]


def _expected(rows: pd.DataFrame, tok: str, eligible) -> tuple[int, float]:
    rates = {a: agency_rates("hard", a)[tok] for a in AGENCIES}
    sel = rows[[eligible(t, j) for t, j in zip(rows["tokens"], rows["jenis_peristiwa"])]]
    return int(sum(tok in t for t in sel["tokens"])), float(sum(rates[a] for a in sel["agency"]))


ELIGIBLE = {
    "nik_household": lambda t, j: not (NIK_MAIN & t),
    "nik_digit_typo": lambda t, j: not (NIK_MAIN & t),
    "nik_transposed": lambda t, j: not (NIK_MAIN & t),
    "nik_excel_truncated": lambda t, j: "nik_missing" not in t,
    "nik_excel_scientific": lambda t, j: "nik_missing" not in t,
    "name_spelling": lambda t, j: True,
    "name_title": lambda t, j: True,
    "birthdate_digit_typo": lambda t, j: "date_swapped" not in t,
    "birthdate_year_off": lambda t, j: "date_swapped" not in t,
    "birthdate_placeholder": lambda t, j: "date_swapped" not in t,
    "birthdate_blank": lambda t, j: "date_swapped" not in t,
    "moved_desa": lambda t, j: j not in MOVE_EVENTS,
}


@pytest.mark.parametrize("tok", sorted(ELIGIBLE))
def test_hard_fault_appears_at_its_configured_rate(hard, tok):
    _, rows, _ = hard
    seen, expected = _expected(_data(rows), tok, ELIGIBLE[tok])
    assert expected >= 10, (tok, expected)  # the regency is big enough to measure it
    # Within 4 binomial standard deviations (a household NIK needs another member: a bit fewer).
    low = 0.8 if tok == "nik_household" else 1.0
    assert low * expected - 4 * math.sqrt(expected) <= seen <= expected + 4 * math.sqrt(expected), (tok, seen, expected)


def test_missing_nik_share_per_agency(hard):
    _, rows, _ = hard
    data = _data(rows)
    for agency in ("dpmd", "perumahan", "lapas", "bp2mi"):
        part = data[data["agency"] == agency]
        assert len(part) >= 40, agency
        rate = agency_rates("hard", agency)["nik_missing"]
        assert 0.15 <= rate <= 0.35, agency
        share = sum("nik_missing" in t for t in part["tokens"]) / len(part)
        assert abs(share - rate) <= 4 * math.sqrt(rate * (1 - rate) / len(part)), (agency, share, rate)
    civil = data[data["agency"] == "disdukcapil"]
    assert sum("nik_missing" in t for t in civil["tokens"]) / len(civil) < 0.01
    for t, c in zip(data["tokens"], data["cells"]):
        if "nik_missing" in t:
            assert c["nik"] in ("", None)


def test_excel_nik_is_written_as_a_spreadsheet_exports_it(hard):
    _, rows, persons = hard
    data = _data(rows)
    sci = trunc = 0
    for t, c, agency, pid in zip(data["tokens"], data["cells"], data["agency"], data["person_id"]):
        own = persons.at[pid, "nik"]
        alone = not ((NIK_ALL - {"nik_excel_truncated", "nik_excel_scientific"}) & t)
        if "nik_excel_scientific" in t:
            sci += 1
            text = c["nik"]
            comma = AGENCIES[agency].get("sep") == ";"
            assert re.fullmatch(r"\d[,]\d{1,5}E\+15|\dE\+15" if comma else r"\d[.]\d{1,5}E\+15|\dE\+15", text), text
            if alone:  # six significant digits of the person's own NIK, rounded
                assert abs(float(text.replace(",", ".")) - int(own)) <= 5e9
        if "nik_excel_truncated" in t:
            trunc += 1
            value = c["nik"]
            if AGENCIES[agency]["format"] == "xlsx":
                assert isinstance(value, int)  # a number cell
            value = str(value)
            assert len(value) == 16 and value.endswith("0") and value.isdigit()
            if alone:
                assert value == own[:15] + "0"
    assert sci >= 10 and trunc >= 10
    # The scientific text is in the file itself, Indonesian-locale commas in the ';' files.
    out = hard[0]
    texts = [p.read_bytes().decode(AGENCIES[p.stem]["encoding"])
             for p in (out / "landing" / CODE).glob("*/*.csv")]
    assert any(re.search(r";\d,\d+E\+15;", s) for s in texts)


def _birth_cell(value, agency: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) == 5):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    for style, _ in AGENCIES[agency]["dates"]:
        if style not in ("serial", "date"):
            try:
                return dt.datetime.strptime(str(value), style).date()
            except ValueError:
                pass
    return dt.datetime.strptime(str(value), "%d/%m/%Y").date() if value else None


def test_household_nik_is_another_member_of_the_same_kk(hard):
    _, rows, persons = hard
    data = _data(rows)
    by_hh = persons.reset_index().groupby("household_id")
    checked = named = 0
    for t, c, agency, pid in zip(data["tokens"], data["cells"], data["agency"], data["person_id"]):
        if "nik_household" not in t or (NIK_ALL - {"nik_household"}) & t:
            continue
        me = persons.loc[pid]
        members = by_hh.get_group(me["household_id"])
        others = set(members.loc[members["person_id"] != pid, "nik"])
        assert c["nik"] != me["nik"] and c["nik"] in others
        checked += 1
        if not (NAME_TOKENS & t):  # the person's own name ...
            assert str(c["nama"]).upper().replace("\u2019", "'") == me["nama"]
            named += 1
        if not (DATE_TOKENS & t):  # ... and own birth date
            assert _birth_cell(c["tanggal_lahir"], agency) == dt.date.fromisoformat(me["tanggal_lahir"])
    assert checked >= 20 and named >= 10
    heads = sum(persons.set_index("nik").loc[c["nik"], "hubungan"] == "KEPALA KELUARGA"
                for t, c in zip(data["tokens"], data["cells"])
                if "nik_household" in t and not (NIK_ALL - {"nik_household"}) & t)
    assert heads / checked > 0.4  # most often the head of the family's


def test_blank_birth_dates_and_moved_desa_are_in_the_file(hard):
    _, rows, persons = hard
    data = _data(rows)
    blank = data[[("birthdate_blank" in t) for t in data["tokens"]]]
    assert len(blank) >= 10 and all(c["tanggal_lahir"] in ("", None) for c in blank["cells"])
    moved = differ = 0
    stay = same = 0
    for t, c, pid, jenis in zip(data["tokens"], data["cells"], data["person_id"], data["jenis_peristiwa"]):
        if "alamat" not in c and "alamat_rtrw" not in c or "trailing_space" in t or jenis in MOVE_EVENTS:
            continue
        written = str(c.get("alamat") or c.get("alamat_rtrw")).upper()
        roll = persons.at[pid, "alamat"]
        if not roll:
            continue
        if "moved_desa" in t:
            moved += 1
            differ += not written.startswith(roll)
        else:
            stay += 1
            same += written.startswith(roll)
    assert moved >= 10 and differ / moved > 0.9
    assert same / stay > 0.8  # the others still live where the roll says


def test_hard_population_has_twins_namesakes_and_every_naming_style(hard):
    out, rows, persons = hard
    p = persons.reset_index()
    kids = p[p["hubungan"] == "ANAK"]
    twins = kids[kids.duplicated(["household_id", "tanggal_lahir"], keep=False)]
    pairs = twins.groupby(["household_id", "tanggal_lahir"])["jenis_kelamin"].nunique()
    assert (pairs == 2).sum() >= 5  # opposite-sex twins
    for _, r in twins[twins["jenis_kelamin"] == "P"].iterrows():
        born = dt.date.fromisoformat(r["tanggal_lahir"])
        if r["nik_tgl_beda"] == "0":
            assert int(r["nik"][6:8]) == born.day + 40  # a woman's NIK day is day + 40
    res = p[(p["status_baseline"] == "penduduk") & (p["kode_desa"] != "")]
    same = res[res.duplicated(["kode_desa", "nama"], keep=False)]
    assert same.groupby(["kode_desa", "nama"])["household_id"].nunique().gt(1).sum() >= 50
    year = same.assign(y=same["tanggal_lahir"].str[:4])
    assert year.duplicated(["kode_desa", "nama", "y"]).sum() >= 10  # some born the same year
    names = " | ".join(p["nama"])
    for marker in (r" BINTI? ", r"\bBR\. ", r"\bIDA BAGUS ", r"\bANAK AGUNG ", r"\bNI (WAYAN|PUTU|LUH|MADE) ",
                   r"\b(WENDA|KOGOYA|RUMBIAK)\b", r"\b(MANAFE|PATTINAMA)\b", r"(^|\| )(LA|WA) ",
                   r"(^|\| )(SYARIFAH|SAYYID) ", r"(^|\| )(TAN|LIM|OEI) [A-Z]+ [A-Z]+ \|", r"\bAL-",
                   r"(^|\| )(TEUKU|CUT) ", r"(^|\| )ANDI "):
        assert re.search(marker, names), marker
    titled = _data(rows)[[("name_title" in t) for t in _data(rows)["tokens"]]]
    assert any(re.search(r", S\.|^(H|HJ|DR|IR|DRS)\. ", str(c["nama"]).upper()) for c in titled["cells"])


def test_hard_spellings_are_not_the_old_variant_list():
    old = {v for vs in ABBREVIATIONS.values() for v in vs} | set(ABBREVIATIONS)
    new = {v for vs in SPELLINGS.values() for v in vs}
    assert len(new - old) >= 100


def test_clean_has_almost_no_faults(tmp_path):
    out = tmp_path / "clean"
    summary = generate(SynthConfig(**{**HARD, "profile": "clean", "voters": 15_000, "months": 2}), out_dir=out)
    t = pd.concat([_read(out / "truth" / CODE / f"{m}.csv") for m in summary.months])
    t = t[~t["noise"].str.contains("unusable")]  # blank and total rows: the file's layout
    faults = [set(x.split(";")) - {""} - FORMAT_TOKENS for x in t["noise"]]
    assert len(t) >= 300
    assert sum(bool(f) for f in faults) / len(t) < 0.01
    assert set().union(*faults) <= {"nik_missing", "nkk_missing", "trailing_space", "name_typo"}
    base = _read(out / "truth" / CODE / "baseline.csv")
    assert (base["noise"] != "").mean() < 0.005


# Files of two small typical regencies, as the generator wrote them before profiles existed
# (sha256, first 16 hex digits): typical must stay byte for byte the same. (``pmi.csv`` came
# later: a new truth file beside them, the others unchanged. The prisons' files then got the
# institution's column and a first-month roster, ``lapas.csv`` the inmates per institution: only
# the prison files and the first month's truth changed.)
TYPICAL_FINGERPRINTS = {
    ("12.07", 2500, 2, 3, 1.0): {
        "baseline/12.07/dpt.csv": "aa5f309411fcb733",
        "landing/12.07/2026-01/disdukcapil.csv": "7a8f8a79afb5f661",
        "landing/12.07/2026-01/dpmd.csv": "e9422eb66cd6034d",
        "landing/12.07/2026-01/lapas_penghuni.xlsx": "acdfa254ce43b57e",  # the prisons' first roster
        "landing/12.07/2026-01/perumahan.xlsx": "b7e97d815c60058f",
        "landing/12.07/2026-02/disdukcapil.csv": "a30b74be15199461",
        "landing/12.07/2026-02/dpmd.csv": "6975b96c89c29bd1",
        "landing/12.07/2026-02/perumahan.xlsx": "f6190dc04b1e6ed0",
        "truth/12.07/2026-01.csv": "8047225ef03effae",  # + the roster's rows
        "truth/12.07/2026-02.csv": "0fd8a718c8f7ba6a",
        "truth/12.07/baseline.csv": "511096992ac29b18",
        "truth/12.07/events.csv": "9d4ddf39528495c4",
        "truth/12.07/lapas.csv": "20146554db59e207",  # added with the inmates per institution
        "truth/12.07/meta.json": "bd347c25071967e6",
        "truth/12.07/persons.csv": "3cc1fa4a02adfe6d",
        "truth/12.07/pmi.csv": "e0ba8cacf8293d3a",  # added with the migrant-worker truth
    },
    ("32.01", 5000, 2, 3, 0.35): {
        "baseline/32.01/dpt.csv": "f3261d9f29bd05fc",
        "landing/32.01/2026-01/disdukcapil.csv": "e2a1380b4378d955",
        "landing/32.01/2026-01/lapas.xlsx": "658b4581208b51b2",  # + column Lapas/Rutan
        "landing/32.01/2026-01/lapas_penghuni.xlsx": "0910b99e9bcc03d2",
        "landing/32.01/2026-01/perumahan.xlsx": "f12412167c61bf15",
        "landing/32.01/2026-02/bp2mi.csv": "5c23ba27ae47c049",
        "landing/32.01/2026-02/disdukcapil.csv": "6c5765b152aab2dd",
        "landing/32.01/2026-02/lapas.xlsx": "efdc4299b09ac7fa",
        "landing/32.01/2026-02/perumahan.xlsx": "e367432ec581dfe8",
        "truth/32.01/2026-01.csv": "f0feada9dba4c388",
        "truth/32.01/2026-02.csv": "bf9f5ed33c827450",
        "truth/32.01/baseline.csv": "6fb0ab9ff90f1985",
        "truth/32.01/events.csv": "2efa6fc00d307056",
        "truth/32.01/lapas.csv": "6cc7a859de5d34fa",
        "truth/32.01/meta.json": "e213d62ca20e5106",
        "truth/32.01/persons.csv": "5b36aefd6573b8ac",
        "truth/32.01/pmi.csv": "d6a5d1d88da0ef48",  # added with the migrant-worker truth
    },
}


@pytest.mark.parametrize("case", sorted(TYPICAL_FINGERPRINTS))
def test_typical_is_byte_for_byte_what_it_was(tmp_path, case):
    regency, voters, months, seed, pilkades = case
    generate(SynthConfig(regency=regency, voters=voters, months=months, seed=seed,
                         pilkades_month_prob=pilkades), out_dir=tmp_path)
    got = {str(p.relative_to(tmp_path)): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
           for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert got == TYPICAL_FINGERPRINTS[case]


def test_profiles_are_data_and_unknown_ones_are_refused():
    assert set(PROFILES) == {"clean", "typical", "hard"}
    assert agency_rates("typical", "dpmd") is None  # SynthConfig's shares, as before
    assert agency_rates("hard", "dpmd")["nik_missing"] > agency_rates("clean", "dpmd")["nik_missing"]
    with pytest.raises(ValueError, match="profile"):
        SynthConfig(profile="messy")


def test_generator_never_imports_the_linker():
    root = Path(__file__).resolve().parents[1] / "lab" / "pdpb_lab" / "synth"
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names]
                assert not any("linkage" in n for n in names), (path.name, node.lineno)
            elif isinstance(node, ast.Import):
                assert not any("linkage" in a.name for a in node.names), (path.name, node.lineno)
