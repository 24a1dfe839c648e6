"""What a run leaves behind, in comparable form: every warehouse table and every published file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

#: Columns that differ between two runs of the same month by design: which run wrote the row,
#: the roll's random stamp, and the claim of the run holding the regency (``kunci_regency``).
RUN_COLUMNS = {"run_id", "published_run_id", "token"}
SKIP_TABLES = {"kunci_regency", "alembic_version"}


def warehouse_state(url: str) -> dict[str, pd.DataFrame]:
    """Every table, run ids, stamps and timestamps left out, rows in a fixed order, as text."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for name, table in sorted(meta.tables.items()):
                if name in SKIP_TABLES:
                    continue
                columns = [c for c in table.columns
                           if c.name not in RUN_COLUMNS and not isinstance(c.type, sa.DateTime)]
                rows = conn.execute(sa.select(*columns)).fetchall()
                frame = pd.DataFrame([[None if v is None else str(v) for v in row] for row in rows],
                                     columns=[c.name for c in columns])
                out[name] = frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)
        return out
    finally:
        engine.dispose()


def published_files(folder: Path) -> dict[str, str]:
    """{path relative to ``folder``: sha256} of every file under it."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_warehouse(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert sorted(actual) == sorted(expected)
    for name, frame in expected.items():
        assert len(actual[name]) == len(frame), f"table {name}: {len(actual[name])} rows, expected {len(frame)}"
        pd.testing.assert_frame_equal(actual[name], frame, obj=f"table {name}")
