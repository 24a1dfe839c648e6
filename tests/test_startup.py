"""What ``pdpb run`` does around its runs to start and end quickly: the Dagster instance's SQLite
files kept open while it runs, and the process's end once the summary is printed."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, asset, define_asset_job, Definitions

from pdpb_pipeline.cli import app as cli_app
from pdpb_pipeline.cli.runner import sqlite_commits_unsynced, sqlite_shards_open


@asset
def one() -> int:
    return 1


@asset
def two(one: int) -> int:
    return one + 1


def _open_files() -> set[str]:
    folder = Path("/proc/self/fd")
    out = set()
    for fd in folder.iterdir():
        try:
            out.add(os.readlink(fd))
        except OSError:
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")
def test_sqlite_files_are_held_during_the_run_and_released_after(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    job = Definitions(assets=[one, two], jobs=[define_asset_job("j")]).resolve_job_def("j")
    with DagsterInstance.from_config(str(home)) as instance:
        run_id = str(uuid.uuid4())
        with sqlite_shards_open(instance) as shared, sqlite_shards_open(instance, run_id) as own:
            assert {Path(p).name for p in shared} == {"index.db", "runs.db"}
            assert [Path(p).name for p in own] == [f"{run_id}.db"]
            held = _open_files()
            assert all(str(Path(p).resolve()) in held for p in shared + own)
            result = job.execute_in_process(instance=instance, run_id=run_id)
        assert result.success
        types = [e.dagster_event_type for e in instance.all_logs(run_id)]
        assert DagsterEventType.RUN_SUCCESS in types and types.count(DagsterEventType.ASSET_MATERIALIZATION) == 2
        assert instance.get_latest_materialization_event(two.key) is not None  # the index shard has it too
        left = _open_files()
        assert not any(str(Path(p).resolve()) in left for p in shared + own)
        # the last connection closed: SQLite checkpointed the write-ahead logs and removed them
        assert not any(Path(p + "-wal").exists() for p in shared + own)


def test_the_instance_commits_unsynced_during_the_run_and_nothing_else(tmp_path):
    """Dagster's connections to the instance's SQLite files commit with synchronous=NORMAL in the
    block; a warehouse's SQLite file keeps SQLite's default (FULL), and so does the instance after it."""
    import sqlalchemy as sa
    from sqlalchemy.pool import Pool

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("")
    seen: list[tuple[str, int]] = []

    def record(dbapi_connection, _record, _proxy):
        path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        seen.append((path, dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]))

    warehouse = sa.create_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    job = Definitions(assets=[one, two], jobs=[define_asset_job("j")]).resolve_job_def("j")
    sa.event.listen(Pool, "checkout", record)
    try:
        with DagsterInstance.from_config(str(home)) as instance:
            seen.clear()  # the instance's own start-up
            with sqlite_commits_unsynced(instance) as dirs:
                assert dirs and all(Path(d).resolve().is_relative_to(home.resolve()) for d in dirs)
                assert job.execute_in_process(instance=instance).success
                with warehouse.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
            during = list(seen)
            seen.clear()
            assert job.execute_in_process(instance=instance).success
    finally:
        sa.event.remove(Pool, "checkout", record)
    ours = [s for p, s in during if Path(p).resolve().is_relative_to(home.resolve())]
    assert len(ours) > 10 and set(ours) == {1}  # NORMAL
    assert [s for p, s in during if p.endswith("warehouse.sqlite")] == [2]  # FULL, SQLite's default
    assert seen and {s for _p, s in seen} == {2}  # after the block: as before


def test_nothing_is_changed_on_storage_that_is_not_sqlite_files():
    with DagsterInstance.ephemeral() as instance:
        with sqlite_commits_unsynced(instance) as dirs:
            assert dirs == []


def test_nothing_is_held_on_storage_that_is_not_sqlite_files():
    with DagsterInstance.ephemeral() as instance:
        with sqlite_shards_open(instance, str(uuid.uuid4())) as held:
            assert held == []


def test_a_caller_of_the_cli_is_not_the_command():
    assert cli_app._is_the_command() is False  # pytest: CliRunner callers keep their process


def _command_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``pdpb`` command on an empty regency in ``tmp_path``."""
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_text("")
    return dict(os.environ, PDPB_WAREHOUSE_URL=f"sqlite:///{tmp_path / 'w.sqlite'}",
                PDPB_LANDING_DIR=str(tmp_path / "landing"), PDPB_OUTPUT_DIR=str(tmp_path / "out"),
                PDPB_SNAPSHOT_DIR=str(tmp_path / "snap"), DAGSTER_HOME=str(tmp_path / "home"),
                PDPB_START_MONTH="2026-01", PDPB_REGENCIES="32.01", GX_ANALYTICS_ENABLED="False")


def test_the_command_ends_with_its_exit_code(tmp_path):
    """``python -m pdpb_pipeline.cli run`` refused before anything runs: exit 2 and the message,
    through the quick end of the process."""
    env = _command_env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pdpb_pipeline.cli", "run", "--regency", "32.01", "--month", "2025-12"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "month 2025-12 is not a partition" in done.stderr


def test_a_month_s_run_forks_the_gx_worker_before_dagster_is_imported(tmp_path):
    """GX's worker imports GX on the other core while the command imports Dagster: it must be
    forked first (a month's command line is told from a roll-up's without importing Dagster)."""
    probe = (
        "import sys\n"
        "from pdpb_pipeline.cli import app\n"
        "from pdpb_pipeline.feeds import gx_worker\n"
        "seen = []\n"
        "gx_worker.start = lambda: seen.append(sorted(m for m in ('dagster', 'pandas') if m in sys.modules))\n"
        "try:\n"
        "    app.app(['run', '--regency', '32.01', '--month', '2025-12'], standalone_mode=False)\n"
        "except Exception:\n"
        "    pass\n"
        "print('seen', seen)\n"
    )
    env = _command_env(tmp_path)
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    assert "seen [[]]" in done.stdout, done.stdout + done.stderr
