"""Files holding full NIKs are readable by their owner only, whatever the umask.

The Parquet copies of the roll (``PDPB_SNAPSHOT_DIR``) and the SQLite warehouse hold every NIK
in full: the copies are created 0600 in 0700 folders, the warehouse file (and so SQLite's -wal
and -shm files) 0600.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pdpb_pipeline.resources import warehouse as warehouse_module
from pdpb_pipeline.roll import snapshot

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")

URL = "sqlite:///x.sqlite"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The loosest umask a server could have: new files would be world-readable and writable."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _roll() -> pd.DataFrame:
    return pd.DataFrame({"id": ["DPT-1", "DPT-2"], "nik": ["3201014312850018", "3201010101010001"],
                         "nama": ["SITI", "BUDI"]})


def test_snapshot_copies_are_owner_only(tmp_path, open_umask):
    root = tmp_path / "snapshot"
    snapshot.save(str(root), URL, "32.01", "2026-01", "t1", _roll())
    folder = snapshot._folder(str(root), URL, "32.01")
    copy = folder / "2026-01.parquet"
    assert _mode(copy) == 0o600
    assert _mode(folder) == _mode(folder.parent) == _mode(root) == 0o700
    assert snapshot.load(str(root), URL, "32.01", "2026-01", "t1")["nik"].tolist() == _roll()["nik"].tolist()
    assert [p.name for p in folder.iterdir()] == ["2026-01.parquet"]  # no partial file left


def test_snapshot_file_is_private_before_any_data_is_written(tmp_path, open_umask, monkeypatch):
    """The partial file already is 0600 when the first byte of the roll goes in."""
    seen = []
    write_table = snapshot.pq.write_table

    def watching(table, where, **kwargs):
        seen.append(stat.S_IMODE(os.fstat(where.fileno()).st_mode))
        assert os.fstat(where.fileno()).st_size == 0
        return write_table(table, where, **kwargs)

    monkeypatch.setattr(snapshot.pq, "write_table", watching)
    snapshot.save(str(tmp_path), URL, "32.01", "2026-01", "t1", _roll())
    assert seen == [0o600]


def test_snapshot_tightens_folders_and_copies_an_older_version_left_open(tmp_path, open_umask):
    folder = snapshot._folder(str(tmp_path), URL, "32.01")
    folder.mkdir(parents=True, mode=0o777)
    (folder / "2025-12.parquet").write_bytes(b"old")
    os.chmod(folder / "2025-12.parquet", 0o644)
    os.chmod(folder, 0o755)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / f".2026-01.{dead.pid}.ab12cd34.parquet").write_bytes(b"partial of a killed run")
    snapshot.save(str(tmp_path), URL, "32.01", "2026-01", "t1", _roll())
    assert _mode(folder) == _mode(folder.parent) == 0o700
    assert {p.name: _mode(p) for p in folder.iterdir()} == {"2025-12.parquet": 0o600, "2026-01.parquet": 0o600}


def test_sqlite_warehouse_and_its_wal_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "db" / "warehouse.sqlite"
    url = f"sqlite:///{path}"
    engine = warehouse_module.engine_for(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE TABLE t (nik TEXT)"))
            conn.execute(sa.text("INSERT INTO t VALUES ('3201014312850018')"))
            conn.commit()
            files = {p.name: _mode(p) for p in path.parent.iterdir()}
        assert {"warehouse.sqlite", "warehouse.sqlite-wal", "warehouse.sqlite-shm"} <= set(files)
        assert set(files.values()) == {0o600}, files
    finally:
        engine.dispose()
        warehouse_module._engines.pop(url, None)
