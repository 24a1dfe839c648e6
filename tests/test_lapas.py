"""Remand centres and prisons (Rutan/Lapas) on a synthetic regency, three months through Dagster,
scored against its truth: the inmates per institution month by month (from the first month's
roster, then intake and release rows), the TPS khusus voter list and the TPS it needs, and the
restricted referral list for Disdukcapil."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from dagster import DagsterInstance

from pdpb_lab.synth import SynthConfig, generate, truth
from pdpb_pipeline.cli.runner import run_regency
from pdpb_pipeline.daftar.spec import BY_NAME, reconcile
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.warehouse import Warehouse
from tests.deployment import Deployment

REGENCY = "36.73"
MONTHS = ("2026-01", "2026-02", "2026-03")
SPEC = BY_NAME["tps_khusus"]
STATE = ("pemilih_tps", "bukan_pemilih", "rujukan")
pytestmark = pytest.mark.xdist_group("lapas")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lapas")
    zone = tmp / "zone"
    # Enough inmates for three institutions, and many releases.
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=len(MONTHS), start=MONTHS[0], seed=11,
                         inmate_share=0.01, prison_release_monthly=0.15), out_dir=zone)
    settings = Deployment(warehouse_url=f"sqlite:///{tmp / 'wh.sqlite'}", landing_dir=zone,
                          output_dir=tmp / "published", regencies=(REGENCY,), start_month=MONTHS[0], polling_day="",
                          snapshot_dir=tmp / "snapshot")
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(settings.definitions(), instance, REGENCY, MONTHS[0], MONTHS[-1])
    assert all(o.success for o in outcomes), [o.failed_steps for o in outcomes]
    return zone, Warehouse(url=settings.warehouse_url), tmp / "published" / REGENCY


def _list(warehouse, month):
    return warehouse.daftar(Partition(REGENCY, month), SPEC)


def _inside(frames) -> pd.DataFrame:
    return pd.concat([frames[p].assign(bagian=p) for p in STATE], ignore_index=True)


def _persons(zone, frame: pd.DataFrame) -> pd.Series:
    """The truth person each entry is, from the file row that brought them in."""
    rows = []
    for month in sorted(set(frame["bulan_masuk"])):
        t = truth.read_csv(truth.truth_dir(zone, REGENCY) / f"{month}.csv")
        rows.append(t[t["agency"] == "lapas"].assign(bulan=month))
    t = pd.concat(rows, ignore_index=True).set_index(["bulan", "berkas", "baris"])["person_id"]
    keys = zip(frame["bulan_masuk"], frame["file_name"], (frame["row_number"].astype(int) - 1).astype(str))
    return pd.Series([t.get(k, "") for k in keys], index=frame.index)


def test_inmates_per_institution_and_month_match_the_truth(run):
    zone, warehouse, _ = run
    true = truth.inmates(zone, REGENCY)
    figures = []
    for month in MONTHS:
        inside = _inside(_list(warehouse, month))
        inside["person_id"] = _persons(zone, inside)
        want = true[true["bulan"] == month]
        for name, expected in want.groupby("nama_lapas"):
            got = inside[inside["nama_lapas"] == name]
            right = len(set(got["person_id"]) & set(expected["person_id"]))
            figures.append((month, name, len(expected), len(got), right))
        assert set(inside["nama_lapas"]) == set(want["nama_lapas"]), month
        assert not inside["person_id"].duplicated().any(), month  # one inmate, one entry
    print("\n".join(f"{m} {n}: truth {t}, list {g}, right {r}" for m, n, t, g, r in figures))
    for month, name, expected, got, right in figures:
        assert right >= 0.9 * expected and got <= 1.1 * expected + 1, (month, name, expected, got, right)
    assert sum(t for _, _, t, _, _ in figures) >= 150


def test_roster_then_release_and_intake_carry_the_state(run):
    zone, warehouse, _ = run
    first = _list(warehouse, MONTHS[0])
    assert len(first["daftar_penghuni"]) and set(first["daftar_penghuni"]["hasil"]) <= {"baru", "tetap"}
    for before, month in zip(MONTHS, MONTHS[1:]):
        old, new = _list(warehouse, before), _list(warehouse, month)
        assert new["daftar_penghuni"].empty  # only the first month's files carry the roster
        was = set(_persons(zone, _inside(old)))
        now = _inside(new)
        now_persons = set(_persons(zone, now))
        released = new["keluar"][new["keluar"]["hasil"] == "keluar"]
        admitted = new["masuk"][new["masuk"]["hasil"] == "masuk"]
        assert len(released) and len(admitted)
        # Last month's inmates stay unless released; the released are no longer inside.
        gone = was - now_persons
        released_persons = set(truth.read_csv(truth.truth_dir(zone, REGENCY) / f"{month}.csv")
                               .pipe(lambda t: t[t["agency"] == "lapas"])
                               .set_index("baris").loc[(released["row_number"].astype(int) - 1).astype(str),
                                                       "person_id"])
        assert gone == released_persons, month
        assert not released_persons & now_persons
        # Carried entries keep the month they came in.
        carried = now[now["bulan_masuk"] < month]
        assert len(carried) == len(_inside(old)) - len(released)
        assert len(now) - len(carried) == int((new["masuk"]["hasil"] == "masuk").sum())


def test_tps_khusus_count_is_voters_over_the_maximum(run):
    _, warehouse, _ = run
    for month in MONTHS:
        frames = _list(warehouse, month)
        tps = frames["tps"].set_index("lapas_rutan")
        voters = frames["pemilih_tps"].groupby("nama_lapas").size()
        total = tps.loc["JUMLAH"]
        tps = tps.drop("JUMLAH")
        assert tps["pemilih"].astype(int).to_dict() == voters.reindex(tps.index, fill_value=0).to_dict()
        assert (tps["tps_khusus"].astype(int) == [math.ceil(v / 300) for v in tps["pemilih"].astype(int)]).all()
        assert int(total["tps_khusus"]) == int(tps["tps_khusus"].astype(int).sum())
        assert int(total["penghuni"]) == len(_inside(frames))
    # On a smaller maximum, more stations: the function the list uses.
    from pdpb_pipeline.daftar import lapas
    assert [lapas.tps_needed(v, 20) for v in (0, 1, 20, 21, 301)] == [0, 1, 1, 2, 16]


def test_voter_kinds_follow_the_roll_and_the_nik(run):
    zone, warehouse, _ = run
    frames = _list(warehouse, MONTHS[-1])
    voters = frames["pemilih_tps"]
    assert set(voters["kategori"]) <= {"dpb", "teridentifikasi", "pindah_memilih"}
    on_roll = voters[voters["kategori"] == "dpb"]
    roll = warehouse.roll_of(REGENCY, MONTHS[-1]).set_index("id")
    assert len(on_roll) and on_roll["voter_id"].isin(roll.index).all()
    assert (roll.loc[on_roll["voter_id"], "kode_desa"].to_numpy() == on_roll["kode_desa"].to_numpy()).all()
    outside = voters[voters["kategori"] == "pindah_memilih"]
    assert len(outside) and (outside["kabupaten_asal"] != REGENCY).all()
    assert (outside["kabupaten_asal"] == outside["nik"].str.slice(0, 2) + "." + outside["nik"].str.slice(2, 4)).all()
    assert (outside["nama_kabupaten_asal"] != "").all()
    # Inmates from other regencies in the truth are the ones listed as moving to vote here.
    persons = truth.read_csv(truth.truth_dir(zone, REGENCY) / "persons.csv").set_index("person_id")
    ids = _persons(zone, outside)
    assert (persons.loc[ids, "status_baseline"] == "luar").all()


def test_referral_list_holds_only_unidentified_inmates_and_no_nik(run):
    zone, warehouse, out = run
    for month in MONTHS:
        frames = _list(warehouse, month)
        referred = frames["rujukan"]
        assert "nik" not in SPEC.part("rujukan").columns
        assert set(referred["alasan"]) <= {"nik_kosong", "nik_format", "nik_placeholder", "nik_tanggal_tidak_valid",
                                           "nik_wilayah_tidak_dikenal"}
        # Every inmate inside whose row had no usable NIK and no sure link is referred, nobody else.
        feed = warehouse.feed_rows(Partition(REGENCY, month), SPEC.feeds).set_index(["file_name", "row_number"])
        new = referred[referred["bulan_masuk"] == month]
        status = feed.loc[list(zip(new["file_name"], new["row_number"].astype(int))), "nik_status"]
        assert (status != "valid").all()
        identified = pd.concat([frames["pemilih_tps"], frames["bukan_pemilih"]])
        assert ((identified["nik"].str.len() == 16) | (identified["voter_id"] != "")).all()
        text = (out / month / "terbatas" / f"rujukan_disdukcapil_{REGENCY}_{month}.csv").read_text()
        header = text.splitlines()[0].split(",")
        assert "nik" not in header and "nkk" not in header and "nama" in header and "tanggal_lahir" in header
        assert not re.search(r"\d{12}", text)
        assert len(text.splitlines()) == len(referred) + 1
    assert len(referred) > 0


def test_every_row_in_one_part_and_published_masked(run):
    _, warehouse, out = run
    for month in MONTHS:
        part = Partition(REGENCY, month)
        feed = warehouse.feed_rows(part, SPEC.feeds)
        result = reconcile(SPEC, feed, _list(warehouse, month))
        assert result.passed, result.description(SPEC)
        assert len(feed)
        folder = out / month
        manifest = (folder / "manifest.json").read_text()
        for name in (f"tps_khusus_{REGENCY}_{month}.xlsx", f"tps_khusus_{REGENCY}_{month}.csv",
                     f"terbatas/rujukan_disdukcapil_{REGENCY}_{month}.csv"):
            assert name in manifest
        text = (folder / f"tps_khusus_{REGENCY}_{month}.csv").read_text()
        assert not re.search(r"\d{12}", text)
        assert re.search(r"^pemilih_tps,", text, re.M) and re.search(r"^tps,", text, re.M)
        assert not re.search(r"^rujukan,", text, re.M)  # restricted: only under terbatas/
        assert "tanggal_lahir" not in text.splitlines()[0]


def test_released_inmates_keep_their_place_on_the_roll(run):
    _, warehouse, _ = run
    for before, month in zip(MONTHS, MONTHS[1:]):
        frames = _list(warehouse, month)
        released = frames["keluar"][(frames["keluar"]["hasil"] == "keluar") & (frames["keluar"]["voter_id"] != "")]
        roll = warehouse.roll_of(REGENCY, month).set_index("id")
        old = warehouse.roll_of(REGENCY, before).set_index("id")
        assert released["voter_id"].isin(roll.index).all()
        assert (roll.loc[released["voter_id"], "kode_desa"].to_numpy()
                == old.loc[released["voter_id"], "kode_desa"].to_numpy()).all()


# --- the state, on hand-made rows (no Dagster): roster, release, intake, moves, across months ---

def _rows(month: str, rows: list[tuple]) -> pd.DataFrame:
    """Feed rows ``(id, event, institution, nik, nama, birth date)`` as the warehouse gives them."""
    from pdpb_pipeline.domain import schema
    from pdpb_pipeline.domain.nik import nik_fault

    frame = pd.DataFrame(rows, columns=["id", "jenis_peristiwa", "nama_lapas", "nik", "nama", "tanggal_lahir"])
    frame = frame.assign(tanggal_peristiwa=f"{month}-10", jenis_kelamin="L", status_kawin="B", kode_desa="",
                         file_name="lapas.xlsx", row_number=range(2, len(frame) + 2), agency="lapas",
                         nik_status=[nik_fault(v) or "valid" for v in frame["nik"]])
    return schema.to_canonical(frame, schema.PERSON_COLUMNS + schema.EVENT_COLUMNS)


def _month(month: str, rows: pd.DataFrame, previous: dict, per_tps: int = 2) -> dict:
    import datetime as dt

    from pdpb_pipeline.daftar.spec import DaftarInput, shaped
    from pdpb_pipeline.daftar import lapas

    empty = pd.DataFrame(columns=["feed_id", "roll_id", "decision"])
    inp = DaftarInput(Partition(REGENCY, month), dt.date.fromisoformat(f"{month}-28"), rows, empty,
                      pd.DataFrame(), None, previous, {}, per_tps)
    frames = shaped(SPEC, lapas.build(inp))
    assert reconcile(SPEC, rows, frames).passed
    # as stored and read back (JSON), the way the next month reads it
    return {k: pd.read_json(pd.io.common.StringIO(v.to_json(orient="records", lines=True, date_format="iso")),
                            lines=True, dtype=False, convert_dates=False) if len(v) else v
            for k, v in frames.items()}


def test_state_per_institution_across_three_months():
    a, b = "LAPAS KELAS IIA SERANG", "RUTAN KELAS IIB SERANG"
    local = ["367302090799000" + str(i) for i in range(1, 6)]  # Kota Serang NIKs
    bogor = "3201014505900003"
    jan = _month("2026-01", _rows("2026-01", [
        ("r1", "penghuni_lapas", a, local[0], "ANGGA", "1999-07-09"),
        ("r2", "penghuni_lapas", a, local[1], "BUDI", "1999-07-09"),
        ("r3", "penghuni_lapas", b, "", "CECEP ALS KUMIS", "1985-01-01"),
        ("r4", "masuk_lapas", b, bogor, "DEDI", "1990-05-05"),
        ("r5", "masuk_lapas", a, local[2], "EKO", "2012-01-01"),  # 14: not a voter
        ("r6", "keluar_lapas", a, local[1], "BUDI", "1999-07-09"),
    ]), {})
    inside = _inside(jan)
    assert sorted(inside["nama"]) == ["ANGGA", "CECEP ALS KUMIS", "DEDI", "EKO"]
    assert set(jan["rujukan"]["nama"]) == {"CECEP ALS KUMIS"} and jan["rujukan"]["alasan"].tolist() == ["nik_kosong"]
    moving = jan["pemilih_tps"].set_index("nama").loc["DEDI"]
    assert moving["kategori"] == "pindah_memilih" and moving["kabupaten_asal"] == "32.01"
    assert jan["bukan_pemilih"]["nama"].tolist() == ["EKO"]
    assert jan["keluar"]["hasil"].tolist() == ["keluar"]
    tps = jan["tps"].set_index("lapas_rutan")
    assert tps.loc[a, "pemilih"] == 1 and tps.loc[b, "pemilih"] == 1 and tps.loc["JUMLAH", "penghuni"] == 4

    feb = _month("2026-02", _rows("2026-02", [
        ("s1", "keluar_lapas", b, "", "CECEP", "1985-01-01"),  # the alias dropped: the same inmate
        ("s2", "masuk_lapas", b, local[0], "ANGGA", "1999-07-09"),  # moved from A to B
        ("s3", "masuk_lapas", a, local[3], "FAJAR", "1980-02-02"),
        ("s4", "masuk_lapas", a, local[4], "GILANG", "1981-03-03"),
        ("s5", "masuk_lapas", a, local[4], "GILANG", "1981-03-03"),  # the row sent twice
        ("s6", "keluar_lapas", a, "3673020101700001", "HADI", "1970-01-01"),  # never listed
    ]), jan)
    inside = _inside(feb)
    assert sorted(inside["nama"]) == ["ANGGA", "DEDI", "EKO", "FAJAR", "GILANG"]
    assert inside.set_index("nama").loc["ANGGA", "nama_lapas"] == b
    assert inside.set_index("nama").loc["ANGGA", "bulan_masuk"] == "2026-01"  # since January, moved
    assert dict(zip(feb["masuk"]["nama"] + feb["masuk"]["row_number"].astype(str), feb["masuk"]["hasil"])) == {
        "ANGGA3": "pindah_lapas", "FAJAR4": "masuk", "GILANG5": "masuk", "GILANG6": "sudah_di_daftar"}
    assert set(feb["keluar"]["hasil"]) == {"keluar", "tidak_di_daftar"}
    tps = feb["tps"].set_index("lapas_rutan")
    assert tps.loc[a, "pemilih"] == 2 and tps.loc[a, "tps_khusus"] == 1  # 2 voters, 2 per TPS
    assert tps.loc[b, "pemilih"] == 2 and tps.loc["JUMLAH", "tps_khusus"] == 2

    mar = _month("2026-03", _rows("2026-03", [
        ("t1", "masuk_lapas", a, "", "IWAN", "1991-04-04"),
        ("t2", "penghuni_lapas", b, bogor, "DEDI", "1990-05-05"),  # B's roster: ANGGA is no longer there
    ]), feb, per_tps=1)
    inside = _inside(mar)
    assert sorted(inside["nama"]) == ["DEDI", "EKO", "FAJAR", "GILANG", "IWAN"]
    assert mar["daftar_penghuni"]["hasil"].tolist() == ["tetap"]
    tps = mar["tps"].set_index("lapas_rutan")
    assert tps.loc[b, "tidak_di_roster"] == 1 and tps.loc[a, "tidak_di_roster"] == 0  # ANGGA, unreported
    assert tps.loc[a, "pemilih"] == 2 and tps.loc[a, "tps_khusus"] == 2 and tps.loc[a, "rujukan"] == 1
    # no month's rows: the state carries over unchanged
    apr = _month("2026-04", _rows("2026-04", []), mar)
    assert sorted(_inside(apr)["nama"]) == sorted(inside["nama"])
    # a release without a NIK finds the inmate from another regency (not on the roll) by name and
    # birth date, kept from January though never published
    may = _month("2026-05", _rows("2026-05", [("u1", "keluar_lapas", b, "", "DEDI", "1990-05-05")]), apr)
    assert may["keluar"]["hasil"].tolist() == ["keluar"] and "DEDI" not in set(_inside(may)["nama"])
    assert "tanggal_lahir" not in SPEC.part("pemilih_tps").columns
