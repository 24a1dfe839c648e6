"""Loading the baseline DPT: dates in any format, blank and unreadable values counted per field,
and a DPT with too many unreadable values refused by a blocking check, nothing written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from dagster import DagsterInstance

from pdpb_pipeline.assets.baseline import load_baseline_file
from pdpb_pipeline.resources.landing import LandingZone
from pdpb_pipeline.resources.warehouse import Warehouse
from pdpb_pipeline.cli.runner import baseline_is_current, ensure_baseline, run_regency
from tests.deployment import Deployment

REGENCY = "36.73"


def _dpt(voters: int = 200, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    born = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 23_000, voters), unit="D")
    sex = np.where(rng.random(voters) < 0.5, "L", "P")
    day = born.day.to_numpy() + np.where(sex == "P", 40, 0)
    return pd.DataFrame({
        "id": [f"DPT-{REGENCY}-{i:07d}" for i in range(voters)],
        "nik": [f"367301{d:02d}{b:%m%y}{i + 1:04d}" for i, (d, b) in enumerate(zip(day, born))],
        "nkk": [f"3673010101{i // 4 + 1:06d}" for i in range(voters)],
        "nama": rng.choice(["SITI AMINAH", "ASEP SUNANDAR", "DEDI KURNIAWAN", "NUR HASANAH"], voters),
        "tempat_lahir": rng.choice(["SERANG", "CILEGON", "PANDEGLANG"], voters),
        "tanggal_lahir": born.strftime("%Y-%m-%d"),
        "jenis_kelamin": sex,
        "status_kawin": rng.choice(["B", "S", "P"], voters),
        "alamat": "KP. CIPARE",
        "rt": "001", "rw": "002",
        "kode_desa": rng.choice([f"{REGENCY}.01.1001", f"{REGENCY}.02.1003"], voters),
    })


def _write(frame: pd.DataFrame, root: Path) -> Path:
    path = root / "baseline" / REGENCY / "dpt.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def _settings(tmp_path: Path, url: str) -> Deployment:
    return Deployment(warehouse_url=url, landing_dir=tmp_path / "landing", output_dir=tmp_path / "out",
                    regencies=(REGENCY,), start_month="2025-01", polling_day="")


def test_day_first_dpt_loads_its_dates(tmp_path):
    iso = _dpt()
    day_first = iso.assign(tanggal_lahir=pd.to_datetime(iso["tanggal_lahir"]).dt.strftime("%d-%m-%Y"))
    expected = pd.to_datetime(iso["tanggal_lahir"])
    loaded = load_baseline_file(_write(day_first, tmp_path), REGENCY)
    assert loaded.frame["tanggal_lahir"].equals(expected.rename("tanggal_lahir"))
    assert loaded.fields["tanggal_lahir"].blank == loaded.fields["tanggal_lahir"].unreadable == 0


def test_blank_and_unreadable_values_are_counted_per_field_with_rows(tmp_path):
    dpt = _dpt()
    dpt.loc[[3, 50], "tanggal_lahir"] = ""        # missing: counted, not unreadable
    dpt.loc[10, "tanggal_lahir"] = "31-02-1980"   # no such day
    dpt.loc[20, "tanggal_lahir"] = "12-03-2099"   # not born yet
    dpt.loc[7, "jenis_kelamin"] = "X"
    dpt.loc[8, "status_kawin"] = ""
    dpt.loc[9, "kode_desa"] = "32.01.01.1001"     # another regency
    dpt.loc[11, "nik"] = "3.67301E+15"
    loaded = load_baseline_file(_write(dpt, tmp_path), REGENCY)
    q = loaded.fields
    assert (q["tanggal_lahir"].blank, q["tanggal_lahir"].unreadable, q["tanggal_lahir"].unreadable_rows) == (2, 2, (12, 22))
    assert (q["jenis_kelamin"].unreadable, q["jenis_kelamin"].unreadable_rows) == (1, (9,))
    assert (q["status_kawin"].blank, q["status_kawin"].unreadable) == (1, 0)
    assert (q["kode_desa"].unreadable_rows, q["nik"].unreadable_rows, q["nkk"].unreadable) == ((11,), (13,), 0)
    assert loaded.frame["tanggal_lahir"].isna().sum() == 4


def test_few_unreadable_dates_load_with_counts_in_the_metadata(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    dpt = _dpt()
    dpt.loc[5, "tanggal_lahir"] = "kemarin"  # 0.5%: under the 1% limit
    dpt.loc[6, "tanggal_lahir"] = ""
    _write(dpt, settings.landing_dir)
    with DagsterInstance.ephemeral() as instance:
        outcome = ensure_baseline(settings.definitions(), instance, REGENCY)
    assert outcome.success
    figures = outcome.metadata["dpt_baseline"]
    assert figures["pemilih"] == 200
    assert figures["tak_terbaca_tanggal_lahir"] == 1 and figures["kosong_tanggal_lahir"] == 1
    assert outcome.failed_checks == []


def test_too_many_unreadable_dates_stop_the_load_and_write_nothing(tmp_path, sqlite_url):
    settings = _settings(tmp_path, sqlite_url)
    dpt = _dpt()
    garbage = np.arange(0, 200, 33)  # 7 of 200 = 3.5%
    dpt.loc[garbage, "tanggal_lahir"] = "##-##-####"
    path = _write(dpt, settings.landing_dir)
    defs = settings.definitions()
    with DagsterInstance.ephemeral() as instance:
        outcomes = run_regency(defs, instance, REGENCY, "2025-01", "2025-02")
    assert len(outcomes) == 1 and not outcomes[0].success  # the months did not run
    check = "dpt_baseline:dpt_terbaca (ERROR)"
    assert outcomes[0].failed_checks == [check]
    message = outcomes[0].check_messages[check]
    assert str(path) in message and "field tanggal_lahir" in message
    assert "row(s) 2, 35, 68, 101, 134" in message  # file rows: the header is row 1
    assert not any(nik in message for nik in dpt["nik"])
    warehouse, landing = Warehouse(url=sqlite_url), LandingZone(root=str(settings.landing_dir))
    assert not baseline_is_current(warehouse, landing, REGENCY)
    assert warehouse.read("SELECT COUNT(*) AS n FROM dpb")["n"][0] == 0
    # the corrected file loads on the next run
    dpt.loc[garbage, "tanggal_lahir"] = "01-01-1980"
    _write(dpt, settings.landing_dir)
    with DagsterInstance.ephemeral() as instance:
        again = ensure_baseline(defs, instance, REGENCY)
    assert again.success and again.metadata["dpt_baseline"]["pemilih"] == 200
    assert baseline_is_current(warehouse, landing, REGENCY)


def test_malformed_niks_are_counted_but_never_stop_the_load(tmp_path):
    # Real DPTs carry NIKs that Excel cut to 15 significant digits; the records stay voters.
    dpt = _dpt()
    dpt.loc[:19, "nik"] = "3.67301E+15"
    loaded = load_baseline_file(_write(dpt, tmp_path), REGENCY)
    assert loaded.fields["nik"].unreadable == 20
    assert loaded.over(0.01) == {}
    dpt.loc[:19, "tanggal_lahir"] = "00-00-0000"
    assert set(load_baseline_file(_write(dpt, tmp_path), REGENCY).over(0.01)) == {"tanggal_lahir"}


def test_a_dpt_reads_the_same_whichever_reader_takes_it(tmp_path, monkeypatch):
    """The DPT is read by Arrow (fast) unless it refuses the file, then by pandas: both give the
    same roll and the same counts, on a file written with a byte-order mark, quoted commas,
    quotes and line breaks, a repeated column, blank lines and unreadable values; a row with a
    field too few or too many is read (or refused) as pandas does."""
    from pdpb_pipeline.assets import baseline

    dpt = _dpt(60)
    dpt.loc[2, "alamat"] = 'KP. "CIPARE", RT 1\nBLOK B'
    dpt.loc[4, "nama"] = "  SITI, AMINAH "
    dpt.loc[5, "tanggal_lahir"] = "31-02-1980"
    dpt.loc[6, "nik"] = ""
    dpt["catatan"] = "x"
    dpt.insert(len(dpt.columns), "catatan ", "y")
    path = tmp_path / "dpt.csv"
    text = dpt.to_csv(index=False).replace("catatan \n", "catatan\n", 1)  # a repeated column name
    lines = text.split("\n")
    path.write_text("\ufeff" + "\n".join([*lines[:10], "", *lines[10:]]), encoding="utf-8")

    def by_pandas(path, header):
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), None

    def both_readers():
        fast = load_baseline_file(path, REGENCY)
        with monkeypatch.context() as patch:
            patch.setattr(baseline, "_read_text", by_pandas)
            slow = load_baseline_file(path, REGENCY)
        pd.testing.assert_frame_equal(fast.frame, slow.frame)
        assert fast.fields == slow.fields
        return fast, slow

    header = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    assert baseline._read_text(path, header)[1] is not None  # Arrow took it
    fast, slow = both_readers()
    assert fast.frame.loc[2, "alamat"] == 'KP. "CIPARE", RT 1\nBLOK B'
    # what the load copies in and keeps (Arrow) is the frame the steps read, in id order too
    pd.testing.assert_frame_equal(fast.table.to_pandas(), fast.frame)
    frame, table = fast.by_id()
    pd.testing.assert_frame_equal(table.to_pandas(), frame)
    assert frame["id"].is_monotonic_increasing and slow.table is None
    assert fast.fields["tanggal_lahir"].unreadable_rows == (7,)

    short = path.read_text(encoding="utf-8-sig").split("\n")
    short[3] = short[3].rsplit(",", 3)[0]  # three fields missing at the row's end
    path.write_text("\n".join(short), encoding="utf-8")
    both_readers()


def test_the_dpt_copy_kept_with_the_load_is_the_dpt_the_warehouse_holds(tmp_path, warehouse_url):
    """The load writes the DPT's columnar copy from Arrow, as the file was read, while the
    versions are copied in: the month that follows reads that copy, so it must be the roll the
    warehouse's versions give, value for value (blank texts and a missing date included)."""
    from dataclasses import replace

    from pdpb_pipeline.roll import snapshot, store

    settings = replace(_settings(tmp_path, warehouse_url), snapshot_dir=tmp_path / "snapshot")
    dpt = _dpt()
    dpt.loc[3, "tanggal_lahir"] = ""
    dpt.loc[4, "alamat"] = ""
    dpt.loc[5, "nama"] = 'SITI "IIS", AMINAH'
    _write(dpt, settings.landing_dir)
    with DagsterInstance.ephemeral() as instance:
        assert ensure_baseline(settings.definitions(), instance, REGENCY).success
    warehouse = Warehouse(url=warehouse_url)
    stamp = store.stamp_of(warehouse, REGENCY, store.BASELINE)
    copy = snapshot.load(str(settings.snapshot_dir), warehouse_url, REGENCY, store.BASELINE, stamp)
    assert copy is not None
    held = Warehouse(url=warehouse_url, snapshot_dir="").roll_of(REGENCY, store.BASELINE)
    pd.testing.assert_frame_equal(copy, held.reset_index(drop=True))
    assert len(copy) == 200 and copy["tanggal_lahir"].isna().sum() == 1
