"""Data flows one way through the warehouse: what a step stores is what the next one reads.

The review queue (antrean coktas) is built once by the roll step and stored; publication and the
next month read it instead of deriving it again. The previous month's roll is read once per run
and kept on the Warehouse resource.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config
from dagster import DagsterInstance

from pdpb_pipeline.cli.runner import run_regency
from pdpb_pipeline.domain import schema
from pdpb_pipeline.partitions import Partition
from pdpb_pipeline.resources.storage.dpb import RollCache
from pdpb_pipeline.resources.warehouse import MIGRATIONS, Warehouse
from pdpb_pipeline.roll import antrean, proposal, store
from pdpb_lab.synth import SynthConfig, generate
from tests.deployment import Deployment

REGENCY = "36.73"
MONTHS = ("2026-01", "2026-02", "2026-03")

pytestmark = pytest.mark.xdist_group("dataflow")


def _settings(tmp: Path, zone: Path) -> Deployment:
    return Deployment(warehouse_url=f"sqlite:///{tmp / 'warehouse.sqlite'}", landing_dir=zone,
                    output_dir=tmp / "published", regencies=(REGENCY,), start_month="2026-01", polling_day="",
                    snapshot_dir=tmp / "snapshot")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Three months of a small regency, published, with the reads of the roll counted."""
    zone = tmp_path_factory.mktemp("zone")
    generate(SynthConfig(regency=REGENCY, voters=3_000, months=3, start="2026-01", seed=11), out_dir=zone)
    tmp = tmp_path_factory.mktemp("dataflow")
    settings = _settings(tmp, zone)
    defs = settings.definitions()
    reads: list[tuple[str, str]] = []
    as_of = store.as_of
    take_prefetched = RollCache.take_prefetched

    def counted(warehouse, regency, month, token=None):
        reads.append((regency, month))
        return as_of(warehouse, regency, month, token)

    def taken(cache, regency, month, stamp):
        roll = take_prefetched(cache, regency, month, stamp)
        if roll is not None:
            reads.append((regency, month, "read ahead"))
        return roll

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "as_of", counted)
        patch.setattr(RollCache, "take_prefetched", taken)
        with DagsterInstance.ephemeral() as instance:
            outcomes = run_regency(defs, instance, REGENCY, MONTHS[0], MONTHS[-1])
    assert all(o.success for o in outcomes)
    return settings, reads


def _derived_queue(warehouse: Warehouse, month: str) -> pd.DataFrame:
    """The queue of ``month`` derived from every month's proposals, as publication did before
    the queue was stored: the month's queued proposals and the earlier months' queued ones that
    no proposal up to ``month`` answered."""
    frame = warehouse.read("SELECT * FROM change_proposal WHERE regency = :r AND month <= :m",
                           {"r": REGENCY, "m": month})
    answered = set(frame.loc[frame["id_antrean"] != "", "id_antrean"])
    queued = frame[(frame["status"] == proposal.QUEUED) & ~frame["proposal_id"].isin(answered)]
    queued = queued.drop(columns=["id_antrean"]).rename(columns={"proposal_id": "id_antrean", "month": "bulan_usulan"})
    return _comparable(queued)


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=list(antrean.STORED_COLUMNS)).copy()
    out["tanggal_lahir"] = pd.to_datetime(out["tanggal_lahir"], errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    out["probability"] = pd.to_numeric(out["probability"], errors="coerce").round(6)
    out["row_number"] = out["row_number"].astype("int64")
    return out.sort_values("id_antrean").reset_index(drop=True)


def _stored_queue(warehouse: Warehouse, month: str) -> pd.DataFrame:
    return warehouse.read("SELECT * FROM antrean_coktas WHERE regency = :r AND month = :m",
                          {"r": REGENCY, "m": month})


def test_the_stored_queue_is_the_month_queue_and_publication_publishes_it(published):
    settings, _ = published
    warehouse = Warehouse(url=settings.warehouse_url)
    carried = 0
    for month in MONTHS:
        stored = _stored_queue(warehouse, month)
        pd.testing.assert_frame_equal(_comparable(stored), _derived_queue(warehouse, month))
        carried += int((stored["bulan_usulan"] < month).sum())
        # publication read it back: the published list is the stored queue, row for row
        read = warehouse.antrean_coktas(Partition(REGENCY, month))
        assert list(read.columns) == list(antrean.QUEUE_COLUMNS)
        path = settings.output_dir / REGENCY / month / f"antrean_coktas_{REGENCY}_{month}.csv"
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert [r["id_antrean"] for r in rows] == read["id_antrean"].tolist()
        assert [r["alasan"] for r in rows] == read["alasan"].tolist()
        assert [r["bulan_usulan"] for r in rows] == read["bulan_usulan"].tolist()
    assert carried, "the case must carry open items from one month into the next"


def test_the_next_month_starts_from_the_stored_queue(published):
    settings, _ = published
    warehouse = Warehouse(url=settings.warehouse_url)
    for before, month in zip(MONTHS, MONTHS[1:]):
        still_open = warehouse.open_queue(Partition(REGENCY, month), before)
        assert sorted(still_open["proposal_id"]) == sorted(_stored_queue(warehouse, before)["id_antrean"])
        assert (still_open["status"] == proposal.QUEUED).all()
        assert pd.api.types.is_datetime64_any_dtype(still_open["tanggal_lahir"])  # canonical, as the rules read it
    assert warehouse.open_queue(Partition(REGENCY, MONTHS[0]), store.BASELINE).empty


def test_a_warehouse_migrated_from_before_the_queue_table_gets_each_month_queue(published, tmp_path):
    """Months updated before revision 0008 get the queue their proposals make."""
    settings, _ = published
    copy = tmp_path / "older.sqlite"
    copy.write_bytes(Path(settings.warehouse_url.removeprefix("sqlite:///")).read_bytes())
    warehouse = Warehouse(url=f"sqlite:///{copy}")
    expected = {month: _comparable(_stored_queue(warehouse, month)) for month in MONTHS}
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with warehouse.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    with warehouse.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    for month in MONTHS:
        pd.testing.assert_frame_equal(_comparable(_stored_queue(warehouse, month)), expected[month])


def test_a_run_reads_the_roll_it_starts_from_once(published):
    """Linkage, roll and publication of one month share the roll through the Warehouse
    resource: the roll the month starts from is read once, the month's own roll not at all; it
    is read from its columnar copy while the feed steps run, the DPT's in the first month too
    (its copy is written with the load)."""
    _, reads = published
    assert reads == [(REGENCY, store.BASELINE, "read ahead"), (REGENCY, "2026-01", "read ahead"),
                     (REGENCY, "2026-02", "read ahead")]


def test_a_roll_read_ahead_is_used_only_with_the_stamp_the_warehouse_holds(published):
    """A roll read ahead that a re-run (or withdrawal) has since made stale is never served."""
    settings, _ = published
    warehouse = Warehouse(url=settings.warehouse_url, snapshot_dir=str(settings.snapshot_dir))
    table = warehouse.table("dpb_versi")
    where = (table.c.regency == REGENCY) & (table.c.month == MONTHS[-1])
    token = store.stamp_of(warehouse, REGENCY, MONTHS[-1])
    warehouse.prefetch_roll(REGENCY, MONTHS[-1])
    with warehouse.begin() as conn:  # what a re-run of the month does to the stamp
        conn.execute(table.update().where(where).values(token="another-run"))
    try:
        reads = []
        as_of = store.as_of
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(store, "as_of", lambda *a, **k: reads.append(a[1:3]) or as_of(*a, **k))
            roll = warehouse.roll_of(REGENCY, MONTHS[-1])
        assert reads == [(REGENCY, MONTHS[-1])]  # read again: the copy bears the old stamp
        fresh = Warehouse(url=settings.warehouse_url, snapshot_dir="")
        pd.testing.assert_frame_equal(roll.reset_index(drop=True),
                                      fresh.roll_of(REGENCY, MONTHS[-1]).reset_index(drop=True))
    finally:
        with warehouse.begin() as conn:
            conn.execute(table.update().where(where).values(token=token))


def test_the_kept_roll_is_what_the_warehouse_holds(published):
    settings, _ = published
    warehouse = Warehouse(url=settings.warehouse_url)
    kept = warehouse.roll_of(REGENCY, MONTHS[-1])
    fresh = Warehouse(url=settings.warehouse_url, snapshot_dir="")  # no columnar copy: the versions
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), fresh.roll_of(REGENCY, MONTHS[-1]).reset_index(drop=True))
    assert len(kept) == warehouse.read("SELECT pemilih FROM dpb_bulan WHERE month = :m", {"m": MONTHS[-1]})["pemilih"][0]
    assert list(kept.columns) == list(schema.PERSON_COLUMNS)


def test_every_table_the_asset_mapping_names_is_in_the_warehouse(sqlite_url):
    from pdpb_pipeline.resources.storage import ASSET_TABLES

    warehouse = Warehouse(url=sqlite_url)
    tables = set(warehouse.read("SELECT name FROM sqlite_master WHERE type = 'table'")["name"])
    named = {table for names in ASSET_TABLES.values() for table in names}
    assert named <= tables, named - tables


def test_what_is_derived_from_a_roll_is_kept_with_it_and_its_stamp(published):
    """``roll_derived`` computes once per roll and stamp, in the read ahead when asked; a roll
    re-stamped since (a re-run) gets it computed again from the roll read again."""
    settings, _ = published
    warehouse = Warehouse(url=settings.warehouse_url, snapshot_dir=str(settings.snapshot_dir))
    calls = []

    def derive(roll):
        calls.append(len(roll))
        return len(roll)

    warehouse.prefetch_roll(REGENCY, MONTHS[0], derive={"n": derive})
    roll, n = warehouse.roll_derived(REGENCY, MONTHS[0], "n", derive)
    assert n == len(roll) and calls == [len(roll)]  # made in the read ahead
    assert warehouse.roll_derived(REGENCY, MONTHS[0], "n", derive)[1] == n and len(calls) == 1
    table = warehouse.table("dpb_versi")
    where = (table.c.regency == REGENCY) & (table.c.month == MONTHS[0])
    token = store.stamp_of(warehouse, REGENCY, MONTHS[0])
    with warehouse.begin() as conn:
        conn.execute(table.update().where(where).values(token="another-run"))
    try:
        warehouse.roll_derived(REGENCY, MONTHS[0], "n", derive)
        assert len(calls) == 2
    finally:
        with warehouse.begin() as conn:
            conn.execute(table.update().where(where).values(token=token))
