"""The synthetic regency generator: layout, reproducibility, realism, truth consistency."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pdpb_pipeline.domain import nik, regions, schema
from pdpb_lab.synth import SynthConfig, generate
from pdpb_lab.synth.agencies import AGENCIES
from pdpb_lab.synth.noise import EXCEL_EPOCH
from pdpb_lab.synth.truth import true_roll

CODE = "32.01"
VOTERS = 15_000
# Village-election lists every month, so that every run has a cp1252 file to look at.
BASE = dict(regency=CODE, voters=VOTERS, months=3, start="2026-01", seed=11,
            pilkades_month_prob=1.0, pilkades_max_desa=4)
NOISE_TOKENS = {
    "nik_missing", "nik_placeholder", "nik_wrong_serial", "birthdate_mismatch", "nkk_missing",
    "name_variant", "name_typo", "name_alias", "date_swapped", "place_variant", "desa_variant",
    "trailing_space", "date_serial", "date_alt_format", "duplicate_row", "unusable", "late_report",
}



def agency_of_file(path: Path) -> str:
    """The generator's agency of a landing file: its own file, or its roster beside it (prisons,
    the first month)."""
    return next((a for a, spec in AGENCIES.items() if path.name == spec.get("roster_file")), path.stem)

def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "a"
    summary = generate(SynthConfig(**BASE), out_dir=out)
    return out, summary


@pytest.fixture(scope="module")
def truth(demo):
    out, summary = demo
    td = out / "truth" / CODE
    return {
        "dpt": schema.read_person_csv(out / "baseline" / CODE / "dpt.csv"),
        "baseline": _read(td / "baseline.csv"),
        "persons": _read(td / "persons.csv"),
        "events": _read(td / "events.csv"),
        "months": {m: _read(td / f"{m}.csv") for m in summary.months},
    }


def landing_rows(path: Path) -> tuple[list, list[list]]:
    """Header and data rows of an agency file, read the way the agency wrote it."""
    spec = AGENCIES[agency_of_file(path)]
    if spec["format"] == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
        wb.close()
    else:
        text = path.read_bytes().decode(spec["encoding"])
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=spec["sep"]))
    return rows[0], rows[1:]


def landing_files(out: Path) -> list[Path]:
    return sorted((out / "landing" / CODE).glob("*/*.*"))


# ---------------------------------------------------------------------------------------------
def test_layout_and_summary(demo, truth):
    out, summary = demo
    assert (out / "baseline" / CODE / "dpt.csv").is_file()
    header = (out / "baseline" / CODE / "dpt.csv").read_text().splitlines()[0]
    assert tuple(header.split(",")) == schema.PERSON_COLUMNS
    assert summary.months == ["2026-01", "2026-02", "2026-03"]
    assert summary.voters_baseline == len(truth["dpt"])
    assert summary.population > summary.voters_baseline
    for month in summary.months:
        files = list((out / "landing" / CODE / month).iterdir())
        assert files, month
        for f in files:
            agency = agency_of_file(f)
            assert agency in AGENCIES and f.suffix in (".csv", ".xlsx")
            assert summary.rows[agency][month] > 0
    assert summary.as_dict()["seconds"] >= 0


def test_same_seed_same_bytes_different_seed_differs(demo, tmp_path):
    out, _ = demo
    again = tmp_path / "b"
    generate(SynthConfig(**BASE), out_dir=again)
    first = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    assert any(p.suffix == ".xlsx" for p in first)
    for rel in first:
        assert (out / rel).read_bytes() == (again / rel).read_bytes(), rel
    other = tmp_path / "c"
    generate(SynthConfig(**{**BASE, "seed": 12}), out_dir=other)
    rel = Path("baseline") / CODE / "dpt.csv"
    assert (out / rel).read_bytes() != (other / rel).read_bytes()


def test_dpt_canonical_and_sized(truth):
    dpt = truth["dpt"]
    assert abs(len(dpt) - VOTERS) / VOTERS < 0.01
    assert dpt["id"].is_unique
    assert dpt["id"].str.fullmatch(r"DPT-32\.01-\d{7}").all()
    assert dpt["rt"].str.fullmatch(r"\d{3}").all() and dpt["rw"].str.fullmatch(r"\d{3}").all()
    assert set(dpt["kode_desa"]) <= {d.code for d in regions.desa_of(CODE)}
    assert dpt["kode_desa"].nunique() > 200  # spread over the regency's 435 desa
    assert set(dpt["jenis_kelamin"]) == {"L", "P"} and set(dpt["status_kawin"]) == {"B", "S", "P"}
    assert dpt["tanggal_lahir"].notna().all()
    assert (dpt["nama"] == dpt["nama"].str.upper()).all()
    # Desa sizes are uneven.
    sizes = dpt["kode_desa"].value_counts()
    assert sizes.max() > 3 * sizes.median()


def test_ganda_and_stale_shares(truth):
    b, dpt = truth["baseline"], truth["dpt"].set_index("id")
    n = len(b)
    assert list(b.columns) == ["roll_id", "person_id", "status", "ganda_of", "ganda_class", "nik_noise", "noise"]
    assert (b["roll_id"] == truth["dpt"]["id"]).all()
    share = b["status"].value_counts() / n
    assert 0.004 <= share["ganda"] <= 0.006
    assert 0.002 <= share["stale_meninggal"] <= 0.004
    assert 0.002 <= share["stale_pindah"] <= 0.004
    g = b[b["status"] == "ganda"]
    assert set(g["ganda_class"]) == {"identik_kecuali_alamat", "nik_sama_nama_beda", "mirip"}
    orig = b.set_index("roll_id").loc[g["ganda_of"]]
    assert (orig["person_id"].to_numpy() == g["person_id"].to_numpy()).all()
    assert (orig["status"] == "ok").all()
    for row in g.itertuples():
        a, o = dpt.loc[row.roll_id], dpt.loc[row.ganda_of]
        if row.ganda_class == "identik_kecuali_alamat":
            assert (a.nik, a.nama, a.tanggal_lahir) == (o.nik, o.nama, o.tanggal_lahir)
            assert (a.alamat, a.rt, a.rw, a.kode_desa) != (o.alamat, o.rt, o.rw, o.kode_desa)
        elif row.ganda_class == "nik_sama_nama_beda":
            assert a.nik == o.nik and a.nama != o.nama
        else:
            assert a.nik != o.nik and a.tanggal_lahir == o.tanggal_lahir
    # Stale entries are people who died or moved before the baseline.
    persons = truth["persons"].set_index("person_id")
    stale = b[b["status"].str.startswith("stale")]
    st = persons.loc[stale["person_id"], "status_baseline"].to_numpy()
    assert ((stale["status"] == "stale_meninggal").to_numpy() == (st == "meninggal")).all()
    assert (persons.loc[stale["person_id"], "tanggal_status"] < "2026-01-01").all()
    # NIK faults in the roll: a few tenths of a percent each.
    faults = b["nik_noise"].value_counts() / n
    for token in ("nik_placeholder", "nik_wrong_serial", "birthdate_mismatch", "nik_missing"):
        assert 0 < faults.get(token, 0) < 0.006, token


def test_nik_structure_of_clean_rows(truth):
    b, dpt, persons = truth["baseline"], truth["dpt"], truth["persons"].set_index("person_id")
    clean = (b["nik_noise"] == "") & (b["status"] != "ganda")
    clean &= persons.loc[b["person_id"], "nik_tgl_beda"].to_numpy() == "0"
    rows = dpt[clean.to_numpy()]
    assert len(rows) > 0.95 * len(dpt)
    parsed = nik.birth_and_sex(rows["nik"], reference=dt.date(2026, 1, 1))
    born = rows["tanggal_lahir"]
    assert (parsed["lahir"].dt.day == born.dt.day).all()
    assert (parsed["lahir"].dt.month == born.dt.month).all()
    assert (parsed["lahir"].dt.year % 100 == born.dt.year % 100).all()
    assert (parsed["jenis_kelamin"] == rows["jenis_kelamin"]).all()
    assert rows["nik"].map(nik.nik_fault).isna().all()
    # Noisy rows carry the fault they are labelled with.
    noisy = dpt.assign(tok=b["nik_noise"].to_numpy())
    assert (noisy.loc[noisy.tok == "nik_missing", "nik"] == "").all()
    assert noisy.loc[noisy.tok == "nik_placeholder", "nik"].map(nik.is_placeholder).all()


def test_nik_serials_unique_twins_and_origin(truth):
    p = truth["persons"]
    assert p["nik"].is_unique and p["nik"].str.fullmatch(r"\d{16}").all()
    assert p["nkk"].str.fullmatch(r"\d{16}").all()
    assert (p.groupby("household_id")["nkk"].nunique() == 1).all()
    twins = p[p.duplicated(["household_id", "tanggal_lahir"], keep=False) & (p["hubungan"] == "ANAK")]
    assert len(twins) >= 2
    share = p.loc[p["status_baseline"] == "penduduk", "nik_asal"].value_counts(normalize=True)
    assert 0.75 < share["kecamatan_sendiri"] < 0.95
    assert share["kabupaten_lain"] > 0.02 and share["kode_lama"] > 0


def test_vectorised_nik_matches_build_nik(truth):
    p = truth["persons"]
    p = p[p["nik_tgl_beda"] == "0"].sample(500, random_state=1)
    for row in p.itertuples():
        kec = f"{row.nik[:2]}.{row.nik[2:4]}.{row.nik[4:6]}"
        built = nik.build_nik(kec, dt.date.fromisoformat(row.tanggal_lahir), row.jenis_kelamin, int(row.nik[12:]))
        assert built == row.nik


def test_population_is_indonesian_shaped(truth):
    p = truth["persons"]
    res = p[p["status_baseline"].isin(["penduduk", "luar_negeri"])]
    age = (pd.Timestamp("2025-12-31") - pd.to_datetime(res["tanggal_lahir"])).dt.days / 365.2425
    assert 0.24 < (age < 17).mean() < 0.30
    assert 0.04 < (age >= 65).mean() < 0.09
    men, women = (res["jenis_kelamin"] == "L").sum(), (res["jenis_kelamin"] == "P").sum()
    assert 97 < 100 * men / women < 105
    size = res.groupby("household_id").size()
    assert size.min() >= 1 and size.max() <= 8 and 3.2 < size.mean() < 4.0
    married = res["status_kawin"] != "B"
    assert married[(age >= 25) & (age < 30)].mean() > 0.6
    assert married[(age >= 40) & (age < 50)].mean() > 0.95
    widowed = res["status_kawin"] == "P"
    assert widowed[age >= 65].mean() > widowed[(age >= 30) & (age < 45)].mean()
    old = age >= 60
    assert widowed[old & (res["jenis_kelamin"] == "P")].mean() > widowed[old & (res["jenis_kelamin"] == "L")].mean()
    # TNI/Polri members are men of service age and are not on the DPT.
    tni = p[p["tni_polri"] != ""]
    assert len(tni) > 0 and (tni["jenis_kelamin"] == "L").all()
    on_dpt = set(truth["baseline"]["person_id"])
    assert not (set(tni["person_id"]) & on_dpt)


def test_names_are_indonesian(truth):
    names = truth["persons"]["nama"]
    words = names.str.split().str.len()
    assert (words == 1).mean() > 0.1  # single names (SUPARMAN, EUIS)
    assert names.str.match(r"^(MUHAMMAD|SITI|NUR|AHMAD) ").mean() > 0.03
    common = names.value_counts()
    assert common.iloc[0] > 20  # common names repeat
    sundanese = {"ASEP", "DADANG", "UJANG", "CECEP", "EUIS", "IIS", "NENG", "ENENG"}
    assert names.str.split().str[0].isin(sundanese).mean() > 0.03  # Jawa Barat
    assert truth["persons"]["nama"].nunique() > 3000


def test_monthly_event_rates(truth, demo):
    _, summary = demo
    ev, dpt = truth["events"], truth["dpt"]
    voters = len(dpt)
    cfg = SynthConfig(**BASE)
    pop = summary.population
    for month in summary.months:
        e = ev[ev["bulan"] == month]
        added = (e["kategori"] == "pemilih_baru").sum() / voters
        removed = (e["kategori"] == "tms").sum() / voters
        assert 0.0015 < added < 0.006, (month, added)
        assert 0.0008 < removed < 0.005, (month, removed)
        pemula = e[e["jenis_peristiwa"] == "pemilih_pemula"]
        # Turning 17 follows the age pyramid: the birthday falls in the month.
        assert (pemula["tanggal_peristiwa"].str[:7] == month).all()
        assert ((pd.to_datetime(pemula["tanggal_peristiwa"]) - pd.to_datetime(pemula["tanggal_lahir"])).dt.days
                .between(17 * 365, 17 * 365 + 5)).all()
    three = ev[ev["tanggal_peristiwa"] >= "2026-01-01"]
    deaths = (three["jenis_peristiwa"] == "meninggal").sum() / 3 * 12 / pop
    assert 0.6 * cfg.death_rate_annual < deaths < 1.5 * cfg.death_rate_annual
    moves = (three["jenis_peristiwa"] == "pindah_keluar").sum() / 3 / pop
    assert 0.6 * cfg.move_out_monthly < moves < 1.5 * cfg.move_out_monthly
    arrivals = (three["jenis_peristiwa"] == "pindah_masuk").sum() / 3 / pop
    assert 0.6 * cfg.move_in_monthly < arrivals < 1.5 * cfg.move_in_monthly


def test_rates_follow_config(tmp_path):
    cfg = SynthConfig(regency="32.71", voters=8_000, months=2, seed=3, death_rate_annual=0.03,
                      move_out_monthly=0.006, move_within_monthly=0.0, pilkades_month_prob=0.0)
    s = generate(cfg, out_dir=tmp_path)
    ev = _read(tmp_path / "truth" / "32.71" / "events.csv")
    ev = ev[ev["tanggal_peristiwa"] >= "2026-01-01"]
    deaths = (ev["jenis_peristiwa"] == "meninggal").sum() / 2 * 12 / s.population
    moves = (ev["jenis_peristiwa"] == "pindah_keluar").sum() / 2 / s.population
    assert 0.02 < deaths < 0.04
    assert 0.0045 < moves < 0.0075
    assert (ev["jenis_peristiwa"] == "pindah_dalam").sum() == 0
    assert "dpmd" not in s.rows


def test_truth_matches_landing_files(demo, truth):
    out, summary = demo
    dpt_ids = set(truth["dpt"]["id"])
    persons = truth["persons"].set_index("person_id")
    events = truth["events"].set_index("event_id")
    for month in summary.months:
        t = truth["months"][month]
        assert list(t.columns)[:10] == ["berkas", "baris", "agency", "jenis_peristiwa", "tanggal_peristiwa",
                                        "person_id", "roll_id", "kategori", "sub_kategori", "noise"]
        files = sorted((out / "landing" / CODE / month).iterdir())
        assert sorted(t["berkas"].unique()) == sorted(f.name for f in files)
        for f in files:
            _, rows = landing_rows(f)
            tf = t[t["berkas"] == f.name]
            assert len(tf) == len(rows), f
            assert tf["baris"].astype(int).tolist() == list(range(1, len(rows) + 1))
            assert (tf["agency"] == agency_of_file(f)).all()
        junk = t["noise"].str.contains("unusable")
        assert (t.loc[junk, "person_id"] == "").all() and (t.loc[~junk, "person_id"] != "").all()
        assert set(t.loc[~junk, "person_id"]) <= set(persons.index)
        assert set(t.loc[t["roll_id"] != "", "roll_id"]) <= dpt_ids
        assert set(t.loc[~junk, "jenis_peristiwa"]) <= set(schema.EVENT_TYPES)
        for kat, sub in t.loc[t["kategori"] != "", ["kategori", "sub_kategori"]].itertuples(index=False):
            assert sub in schema.CATEGORIES[kat]
        assert (t.loc[t["kategori"] == "", "sub_kategori"] == "").all()
        tokens = set(t["noise"].str.split(";").explode()) - {""}
        assert tokens <= NOISE_TOKENS
        # Rows about an event agree with the ledger.
        ev_rows = t[t["event_id"] != ""]
        led = events.loc[ev_rows["event_id"]]
        assert (led["person_id"].to_numpy() == ev_rows["person_id"].to_numpy()).all()
        assert (led["kategori"].to_numpy() == ev_rows["kategori"].to_numpy()).all()
        assert (led["bulan"].to_numpy() <= month).all()
        # Removals always point at the roll entry they remove.
        tms = t[t["kategori"] == "tms"]
        assert (tms["roll_id"] != "").all()
        assert (t.loc[t["sub_kategori"].isin(["pemilih_pemula", "pindah_masuk"]), "roll_id"] == "").all()


def test_clean_rows_carry_the_persons_identity(demo, truth):
    out, summary = demo
    persons = truth["persons"].set_index("person_id")
    events = truth["events"].set_index("event_id")
    month = summary.months[0]
    t = truth["months"][month]
    _, rows = landing_rows(out / "landing" / CODE / month / "disdukcapil.csv")
    header = [h for _, h in AGENCIES["disdukcapil"]["columns"]]
    frame = pd.DataFrame(rows, columns=header)
    td = t[t["berkas"] == "disdukcapil.csv"].reset_index(drop=True)
    clean = td["noise"] == ""
    assert clean.mean() > 0.6
    for i in np.flatnonzero(clean)[:200]:
        row, tr = frame.iloc[i], td.iloc[i]
        assert row["NIK"] == persons.loc[tr.person_id, "nik"]
        want = events.loc[tr.event_id] if tr.event_id else persons.loc[tr.person_id]
        assert row["NAMA_LENGKAP"] == want["nama"]
        assert dt.datetime.strptime(row["TGL_LHR"], "%d-%m-%Y").date().isoformat() == want["tanggal_lahir"]
        assert row["KODE_DESA"] == want["kode_desa"].replace(".", "")


def test_every_agency_has_its_own_headers_and_formats(demo):
    out, _ = demo
    headers = {}
    for f in landing_files(out):
        header, _ = landing_rows(f)
        headers[agency_of_file(f)] = tuple(header)
    assert len(headers) >= 5
    assert len(set(headers.values())) == len(headers)
    assert headers["disdukcapil"][:3] == ("NIK", "NO_KK", "NAMA_LENGKAP")
    files = landing_files(out)
    assert any(f.suffix == ".xlsx" for f in files)
    non_utf8 = []
    for f in files:
        if f.suffix == ".csv":
            try:
                f.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                non_utf8.append(f)
    assert non_utf8 and all(AGENCIES[agency_of_file(f)]["encoding"] == "cp1252" for f in non_utf8)
    assert any(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files if f.suffix == ".csv")  # BOM
    assert any(b"\r\n" in f.read_bytes() and b";" in f.read_bytes()[:200] for f in files if f.suffix == ".csv")


def test_excel_serial_dates_present(demo, truth):
    out, summary = demo
    serial_cells = 0
    for month in summary.months:
        t = truth["months"][month]
        for f in (out / "landing" / CODE / month).iterdir():
            header, rows = landing_rows(f)
            tf = t[t["berkas"] == f.name].reset_index(drop=True)
            spec = AGENCIES[agency_of_file(f)]
            col = [fld for fld, _ in spec["columns"]].index("tanggal_peristiwa")
            for i in np.flatnonzero(tf["noise"].str.contains("date_serial")):
                cell = rows[i][col]
                value = cell if isinstance(cell, int) else int(cell)
                day = EXCEL_EPOCH + dt.timedelta(days=value)
                assert day.isoformat() == tf.loc[i, "tanggal_peristiwa"]
                if f.suffix == ".xlsx":
                    assert isinstance(cell, int)
                serial_cells += 1
    assert serial_cells > 0


def test_noise_is_recorded(demo, truth):
    _, summary = demo
    t = pd.concat([m.assign(berkas=k + "/" + m["berkas"]) for k, m in truth["months"].items()], ignore_index=True)
    tokens = t["noise"].str.split(";").explode().value_counts()
    for token in ("name_variant", "name_typo", "nik_missing", "duplicate_row", "trailing_space",
                  "date_alt_format", "late_report"):
        assert tokens.get(token, 0) > 0, token
    lapas = t[t["agency"] == "lapas"]
    if len(lapas) >= 10:
        assert lapas["noise"].str.contains("nik_missing").mean() > 0.15  # prison files often lack NIK
    # A duplicate row repeats an earlier row of the same file (same person and event).
    dup = t[t["noise"].str.contains("duplicate_row")]
    assert len(dup)
    for row in dup.itertuples():
        earlier = t[(t["berkas"] == row.berkas) & (t.index < row.Index) & (t["person_id"] == row.person_id)
                    & (t["event_id"] == row.event_id)]
        assert len(earlier), row


def test_true_roll(demo, truth):
    out, summary = demo
    b = truth["baseline"]
    r0 = true_roll(out, CODE)
    assert set(r0["person_id"]) == set(b.loc[b["status"] == "ok", "person_id"])
    ev = truth["events"]
    stale = set(b.loc[b["status"].str.startswith("stale"), "person_id"])
    prev = r0
    for month in summary.months:
        r = true_roll(out, CODE, month)
        e = ev[(ev["bulan"] == month) & ~ev["person_id"].isin(stale)]
        assert len(r) == len(prev) + (e["kategori"] == "pemilih_baru").sum() - (e["kategori"] == "tms").sum()
        age = (pd.Timestamp(month) + pd.offsets.MonthEnd(0) - pd.to_datetime(r["tanggal_lahir"])).dt.days
        assert ((age >= 17 * 365) | (r["status_kawin"] != "B")).all()
        prev = r


def test_regency_code_forms_and_validation(tmp_path):
    with pytest.raises(ValueError):
        SynthConfig(start="2026-13")
    with pytest.raises(ValueError):
        generate(SynthConfig(regency="99.99", voters=500, months=1), out_dir=tmp_path)
    s = generate(SynthConfig(regency="5171", voters=600, months=1, seed=1), out_dir=tmp_path)
    assert s.regency == "51.71"
    dpt = schema.read_person_csv(tmp_path / "baseline" / "51.71" / "dpt.csv")
    assert dpt["nama"].str.match(r"^(I|NI) ").mean() > 0.3  # Balinese names in Denpasar
    assert re.fullmatch(r"DPT-51\.71-\d{7}", dpt["id"].iloc[0])


def test_bytes_do_not_depend_on_the_process(tmp_path):
    """Same seed, two interpreters with different string hashing: identical files."""
    import os
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from pdpb_lab.synth import SynthConfig, generate; "
            "generate(SynthConfig(voters=2000, months=2, seed=5, pilkades_month_prob=1.0), Path(sys.argv[1]))")
    for h in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": h}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / h)], check=True, env=env)
    files = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*") if p.is_file())
    assert files
    for rel in files:
        assert (tmp_path / "1" / rel).read_bytes() == (tmp_path / "2" / rel).read_bytes(), rel


def test_messy_dpt_dates_option_writes_the_requested_shares_and_truth_keeps_dates(tmp_path):
    from pdpb_pipeline.assets.baseline import load_baseline_file

    clean, messy = tmp_path / "clean", tmp_path / "messy"
    generate(SynthConfig(regency="51.71", voters=4000, months=1, start="2026-01", seed=3), out_dir=clean)
    generate(SynthConfig(regency="51.71", voters=4000, months=1, start="2026-01", seed=3,
                         baseline_birthdate_blank=0.05, baseline_birthdate_dmy=0.2), out_dir=messy)
    rel = Path("baseline") / "51.71" / "dpt.csv"
    written = pd.read_csv(messy / rel, dtype=str, keep_default_na=False)["tanggal_lahir"]
    assert 0.04 <= (written == "").mean() <= 0.06
    assert 0.18 <= written.str.fullmatch(r"\d{2}-\d{2}-\d{4}").mean() <= 0.22
    assert (clean / "truth" / "51.71" / "baseline.csv").read_bytes() == (messy / "truth" / "51.71" / "baseline.csv").read_bytes()
    # read back, every written date is the true one; the blank ones are missing, none unreadable
    a, b = load_baseline_file(clean / rel, "51.71"), load_baseline_file(messy / rel, "51.71")
    known = b.frame["tanggal_lahir"].notna()
    assert b.frame["tanggal_lahir"][known].equals(a.frame["tanggal_lahir"][known])
    assert b.fields["tanggal_lahir"].unreadable == 0 and b.fields["tanggal_lahir"].blank == (written == "").sum()
