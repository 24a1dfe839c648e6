"""Shared fixtures: warehouses on SQLite and PostgreSQL, a scratch landing zone."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("PDPB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = os.environ.get("PDPB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _server_or_skip() -> sa.Engine:
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        if IN_CI:
            raise RuntimeError(f"PostgreSQL at {PG_URL} is required when CI=true: {error}") from error
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return engine


@pytest.fixture(autouse=True)
def _mask_rule_restored():
    """The mask rule is the process's (``nik.use_mask_rule``): a test that installs another gets
    the one in force back afterwards."""
    from pdpb_pipeline.domain import nik

    before = nik.mask_rule()
    yield
    nik.use_mask_rule(f"{before[0]},{before[1]}")


@pytest.fixture
def pg_database():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    server = _server_or_skip()
    name = f"pdpb_test_{uuid.uuid4().hex[:12]}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_URL).set(database=name)
    try:
        yield url
    finally:
        from pdpb_pipeline.resources import warehouse

        rendered = url.render_as_string(hide_password=False)
        engine = warehouse._engines.pop(rendered, None)
        if engine is not None:
            engine.dispose()
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def pg_url(pg_database) -> str:
    return pg_database.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request) -> str:
    """Runs a test once on each warehouse database."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)


@pytest.fixture
def production_home(tmp_path, pg_database, monkeypatch):
    """A DAGSTER_HOME holding the project's production dagster.yaml, its DAGSTER_PG_* pointed at
    the test's PostgreSQL database."""
    import shutil
    from pathlib import Path

    ROOT = Path(__file__).resolve().parent.parent
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "production" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_PG_HOST", pg_database.host or "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(pg_database.port or 5432))
    monkeypatch.setenv("DAGSTER_PG_USER", pg_database.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", pg_database.password or "")
    monkeypatch.setenv("DAGSTER_PG_DB", pg_database.database)
    monkeypatch.setenv("DAGSTER_MAX_CONCURRENT_RUNS", "2")
    monkeypatch.setenv("PDPB_REDIS_URL", REDIS_URL)  # the launcher's; only runs launched by a daemon use it
    monkeypatch.setenv("PDPB_CELERY_QUEUE", "pdpb-test")
    return home
