"""The warehouse behaves the same on SQLite and PostgreSQL: schema, replace, bulk writes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from pdpb_pipeline.domain import schema
from pdpb_pipeline.resources.warehouse import Warehouse


def _roll(n: int, prefix: str = "DPT") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"{prefix}-{i:07d}" for i in range(n)],
            "nik": [f"3201014705{i % 100:02d}{i % 10000:04d}" for i in range(n)],
            "nkk": ["3201010101100001"] * n,
            "nama": ["SITI AMINAH, S.PD.", "O'NEIL \"JOE\"", "MUHAMMAD\tRIZKY", ""][:4] * (n // 4) + [""] * (n % 4),
            "tempat_lahir": "BOGOR",
            "tanggal_lahir": pd.to_datetime(["1990-05-07"] * (n - 1) + [None]),
            "jenis_kelamin": "P",
            "status_kawin": "S",
            "alamat": "KP. CIBEUTEUY, RT 1",
            "rt": "001",
            "rw": "002",
            "kode_desa": "32.01.01.2001",
        }
    )


_NO_DUPLICATES = pd.DataFrame(columns=["id_a", "id_b", "probability", "decision", "kelas"])


def test_the_baseline_is_copied_in_while_its_duplicates_are_searched_and_rolled_back_with_them(warehouse_url):
    """The DPT's COPY runs while its duplicates are searched: the search sees the roll, a failed
    search leaves nothing of the load behind (not the versions, the stamp or the load's record), and
    a successful one stores its pairs with the roll."""
    wh = Warehouse(url=warehouse_url)
    frame = _roll(2000)

    def failing() -> pd.DataFrame:
        raise RuntimeError("search failed")

    with pytest.raises(RuntimeError, match="search failed"):
        wh.write_dpt_baseline("32.01", frame, failing, "dpt.csv", "0" * 64, "run-1")
    for table in ("dpb", "dpb_versi", "baseline_load", "roll_duplicate"):
        assert wh.read(f"SELECT COUNT(*) AS n FROM {table}")["n"].item() == 0, table

    pair = pd.DataFrame({"id_a": [frame["id"][0]], "id_b": [frame["id"][1]], "probability": [0.99],
                         "decision": ["match"], "kelas": ["identik_kecuali_alamat"]})
    found = wh.write_dpt_baseline("32.01", frame, lambda: pair, "dpt.csv", "0" * 64, "run-2")
    assert found is pair
    assert wh.read("SELECT COUNT(*) AS n FROM dpb")["n"].item() == 2000
    assert wh.read("SELECT id_a, id_b FROM roll_duplicate").to_dict("records") == [
        {"id_a": frame["id"][0], "id_b": frame["id"][1]}]
    assert wh.read("SELECT run_id FROM baseline_load")["run_id"].tolist() == ["run-2"]


def test_schema_is_created_by_migrations(warehouse_url):
    wh = Warehouse(url=warehouse_url)
    tables = set(sa.inspect(wh.engine).get_table_names())
    assert {"pdpb_schema_version", "landing_file", "dpb", "baseline_load"} <= tables
    from alembic.script import ScriptDirectory

    from pdpb_pipeline.resources.warehouse import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    version = wh.read("SELECT version_num FROM pdpb_schema_version")["version_num"].tolist()
    assert version == [head]


def test_replace_writes_exactly_its_partition(warehouse_url):
    wh = Warehouse(url=warehouse_url)
    frame = _roll(1000)
    assert wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, frame) == 1000
    wh.replace("dpb", {"regency": "36.73", "valid_from": "0000-00"}, _roll(10, "SRG"))
    # Re-writing a partition replaces its rows, never adds to them, and leaves others alone.
    wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, frame.head(600))
    counts = wh.read("SELECT regency, COUNT(*) AS n FROM dpb GROUP BY regency ORDER BY regency")
    assert counts.to_dict("records") == [{"regency": "32.01", "n": 600}, {"regency": "36.73", "n": 10}]


def test_values_round_trip_exactly(warehouse_url):
    """Quotes, commas, tabs, empty strings and missing dates survive COPY and INSERT alike."""
    wh = Warehouse(url=warehouse_url)
    frame = _roll(8)
    wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, frame)
    back = wh.read("SELECT * FROM dpb ORDER BY id")
    assert back["nama"].tolist() == frame["nama"].tolist()
    assert back["nama"].tolist()[3] == ""  # empty, not NULL
    assert back["alamat"].iloc[0] == "KP. CIBEUTEUY, RT 1"
    born = pd.to_datetime(back["tanggal_lahir"])
    assert born.iloc[0].date() == dt.date(1990, 5, 7)
    assert pd.isna(born.iloc[-1])


def test_a_roll_given_in_arrow_is_stored_as_the_same_roll_in_pandas(warehouse_url):
    """The baseline DPT is copied in from Arrow (as its file was read): the versions stored are
    those the pandas frame gives, blank texts, quotes, tabs and missing dates included."""
    import pyarrow as pa

    from pdpb_pipeline.roll import store

    wh = Warehouse(url=warehouse_url)
    frame = _roll(12)
    frame.loc[2, "alamat"] = 'JL. "MAWAR", NO 5\nBLOK C'
    frame.loc[5, "rt"] = ""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.cast(pa.schema([pa.field(f.name, pa.large_string() if f.type == pa.string() else f.type)
                                  for f in table.schema]))  # text as Arrow's CSV reader gives it
    stored = {}
    for regency, roll in (("32.01", frame), ("32.02", table)):
        with wh.begin() as conn:
            store.add_versions(conn, wh, regency, store.BASELINE, roll)
        stored[regency] = wh.read("SELECT * FROM dpb WHERE regency = :r ORDER BY id", {"r": regency}).drop(
            columns=["regency"])
    pd.testing.assert_frame_equal(stored["32.01"], stored["32.02"])
    assert stored["32.02"]["valid_from"].eq(store.BASELINE).all() and stored["32.02"]["valid_to"].isna().all()
    assert pd.isna(pd.to_datetime(stored["32.02"]["tanggal_lahir"]).iloc[-1])


def test_failed_replace_keeps_last_good_state(warehouse_url):
    wh = Warehouse(url=warehouse_url)
    wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, _roll(100))
    broken = _roll(100)
    broken.loc[50, "id"] = broken.loc[49, "id"]  # primary key violation mid-write
    with pytest.raises(sa.exc.IntegrityError):
        wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, broken)
    assert wh.read("SELECT COUNT(*) AS n FROM dpb")["n"].iloc[0] == 100


def test_bulk_write_of_a_large_partition(warehouse_url):
    wh = Warehouse(url=warehouse_url)
    frame = _roll(50_000)
    assert wh.replace("dpb", {"regency": "32.01", "valid_from": "0000-00"}, frame) == 50_000
    assert wh.read("SELECT COUNT(DISTINCT id) AS n FROM dpb")["n"].iloc[0] == 50_000


def test_canonical_csv_round_trip(tmp_path):
    frame = schema.to_canonical(_roll(5))
    path = tmp_path / "roll.csv"
    schema.write_person_csv(frame, path)
    assert path.read_text().splitlines()[0] == ",".join(schema.PERSON_COLUMNS)
    back = schema.read_person_csv(path)
    pd.testing.assert_frame_equal(back, frame)


@pytest.mark.postgres
def test_a_month_closes_versions_by_key_right_after_the_baseline_load(pg_url):
    """The first month runs seconds after the DPT's COPY, before autovacuum has gathered any
    statistics: the voters it closes must still be looked up by key, not by reading the whole roll
    once per chunk of ids (what the planner chose without statistics: 3.3 s a chunk at 4M voters)."""
    from pdpb_pipeline.roll import store

    wh = Warehouse(url=pg_url)
    frame = _roll(40_000)
    wh.write_dpt_baseline("32.01", frame, lambda: _NO_DUPLICATES, "dpt.csv", "0" * 64, "run")
    ids = frame["id"].iloc[::400].tolist()
    with wh.begin() as conn:
        plan = "\n".join(r[0] for r in conn.execute(
            sa.text("EXPLAIN UPDATE dpb SET valid_to = '2026-01' WHERE regency = '32.01' AND valid_to IS NULL "
                    "AND id = ANY(:ids)"), {"ids": ids}))
        store.close_versions(conn, wh, "32.01", "2026-01", ids)
    assert "dpb_pkey" in plan, plan
    assert len(store.as_of(wh, "32.01", store.BASELINE)) == 40_000
