"""The warehouse: voter data, feeds, quarantine and changes, on SQLAlchemy 2.

Embedded default is a SQLite file; production is PostgreSQL, where large writes use COPY.
The schema is versioned with Alembic (``pdpb_pipeline/migrations``) and brought to the newest
version the first time a process connects. Every write an asset makes goes through
``replace``: it deletes the rows of its own partition and inserts the new ones in one
transaction, so a re-run gives the same rows and a crash leaves the last good state.

This module holds the engine and those generic reads and writes; the reads and writes of each
asset's tables are methods named after the asset, one module per group of assets under
``resources/storage`` (mixed into ``Warehouse``): asset bodies hold no SQL.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from dagster import ConfigurableResource
from pydantic import PrivateAttr

from ..linkage.prepare import ROLL_PREPARATION, prepare_frame
from ..partitions import Partition
from ..roll import store
from .storage.daftar import DaftarTables
from .storage.dpb import DpbTables, RollCache, RollCopies
from .storage.feeds import FeedTables
from .storage.gabungan import GabunganTables
from .storage.publikasi import PublikasiTables
from .storage.tautan import TautanTables

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
LOST = "lost the warehouse connection (PostgreSQL restarted?): re-run the month"
#: How the drivers say the server went away (restart, shutdown, crash), as opposed to a query's fault.
_LOST_SIGNS = ("server closed the connection", "terminating connection", "connection already closed",
               "could not connect to server", "connection refused", "the database system is shutting down",
               "the database system is starting up", "the database system is in recovery mode",
               "connection has been closed unexpectedly", "no connection to the server", "connection to server at")


class LostWarehouse(Exception):
    """The warehouse's server went away during a run (its transactions were rolled back)."""


def lost_connection(message: str) -> bool:
    """Whether a database error's text says the server went away mid-run."""
    text = message.lower()
    return any(sign in text for sign in _LOST_SIGNS)

_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def engine_for(url: str) -> sa.Engine:
    """One engine per URL and process, migrated to the newest schema version."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                path = sa.make_url(url).database
                if path and path != ":memory:" and not path.startswith("file:"):
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                    create_private(Path(path))
                engine = sa.create_engine(url, connect_args={"timeout": 60})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
            migrate(engine)
            _engines[url] = engine
        return engine


def create_private(path: Path) -> None:
    """Creates a new SQLite warehouse file empty (an empty database) and readable by its owner
    only, 0600 whatever the umask, before SQLite writes a row; SQLite gives its ``-wal``,
    ``-shm`` and ``-journal`` files the database file's permissions. An existing file is left as
    it is."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes starting at once must not both create the tables.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(7263001)"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Warehouse(ConfigurableResource, FeedTables, TautanTables, DpbTables, DaftarTables, PublikasiTables,
                GabunganTables):
    """Dagster resource over the warehouse database named by ``url`` (PDPB_WAREHOUSE_URL)."""

    url: str
    #: Where columnar copies of the latest rolls are kept (``PDPB_SNAPSHOT_DIR``; empty: none).
    snapshot_dir: str = ""
    #: How long a run waits for a regency another run is updating (``PDPB_LOCK_WAIT``, seconds;
    #: 0: refuse at once), see ``regency_lock``.
    lock_wait_seconds: float = 60.0
    _meta: sa.MetaData | None = PrivateAttr(default=None)
    #: The rolls this resource read or wrote, each with its stamp (``storage.dpb.RollCache``):
    #: the steps of one run read the previous roll once.
    _rolls: RollCache = PrivateAttr(default_factory=RollCache)
    #: The columnar copies of rolls being written meanwhile (``storage.dpb.RollCopies``).
    _copies: RollCopies = PrivateAttr(default_factory=RollCopies)

    def setup_for_execution(self, context) -> None:
        """A run of a monthly partition starts reading the roll it starts from (the month
        before's, or the DPT's in the regency's first month) while its feed steps run
        (``DpbTables.prefetch_roll``), and prepares it for the linkage
        (``linkage.prepare.prepare_frame``)."""
        run = getattr(context, "run", None)
        key = run.tags.get("dagster/partition") if run is not None else None
        if not key:
            return
        try:
            part = Partition.from_key(key)
        except (KeyError, ValueError):  # not a monthly partition (the baseline job's)
            return
        # (and the roll's own part of the linkage's preparation, which depends on the roll alone)
        self.prefetch_roll(part.regency, part.previous_month, store.BASELINE, derive={ROLL_PREPARATION: prepare_frame})

    @property
    def engine(self) -> sa.Engine:
        return engine_for(self.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def table(self, name: str) -> sa.Table:
        if self._meta is None or name not in self._meta.tables:
            meta = sa.MetaData()
            meta.reflect(self.engine)
            self._meta = meta
        return self._meta.tables[name]

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        with self.engine.begin() as connection:
            yield connection

    def read(self, sql: str | sa.Executable, params: Mapping | None = None) -> pd.DataFrame:
        statement = sa.text(sql) if isinstance(sql, str) else sql
        with self.engine.connect() as connection:
            result = connection.execute(statement, dict(params or {}))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def read_bulk(self, sql: str, params: Mapping | None = None, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
        """Like ``read`` for millions of rows: COPY ... TO STDOUT on PostgreSQL.

        ``sql`` uses ``%(name)s`` placeholders. Every column comes back as text (empty string
        for NULL), which is what the canonical schema wants before ``schema.to_canonical``.
        """
        with self.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            if connection.dialect.name == "postgresql":
                with raw.cursor() as cursor:
                    query = cursor.mogrify(sql, dict(params or {})).decode()
                    buffer = io.StringIO()
                    cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)", buffer)
                buffer.seek(0)
                return pd.read_csv(buffer, dtype=str, keep_default_na=False)
            cursor = raw.cursor()
            try:
                cursor.execute(sql.replace("%(", ":").replace(")s", ""), dict(params or {}))
                columns = [d[0] for d in cursor.description]
                frame = pd.DataFrame.from_records(cursor.fetchall(), columns=columns)
            finally:
                cursor.close()
            # SQLite hands back text (dates are ISO text) or None: only the NULLs need filling.
            return frame.fillna("") if len(frame) else frame.astype(str)

    def replace(
        self,
        table: str,
        where: Mapping[str, object],
        frame: pd.DataFrame,
        connection: sa.Connection | None = None,
    ) -> int:
        """Deletes the rows matching ``where`` and inserts ``frame`` in one transaction.

        ``where`` names the partition (for example regency and month); its values are also
        written into every new row. Returns the number of rows inserted.
        """
        if connection is None:
            with self.begin() as conn:
                return self.replace(table, where, frame, conn)
        t = self.table(table)
        connection.execute(sa.delete(t).where(*[t.c[k] == v for k, v in where.items()]))
        return self.insert(table, frame.assign(**where), connection)

    def insert(self, table: str, frame: pd.DataFrame | pa.Table, connection: sa.Connection) -> int:
        """``frame``'s rows into ``table`` (its columns that the table has); ``frame`` in pandas or,
        for a million rows already in Arrow (the baseline DPT as read), Arrow."""
        if not len(frame):
            return 0
        t = self.table(table)
        names = frame.column_names if isinstance(frame, pa.Table) else frame.columns
        columns = [c.name for c in t.columns if c.name in names]
        data = frame.select(columns) if isinstance(frame, pa.Table) else frame[columns]
        if connection.dialect.name == "postgresql":
            _copy(connection, t, data)
        else:
            _sqlite_insert(connection, t, data.to_pandas() if isinstance(data, pa.Table) else data)
        return len(data)


def iso_dates(values: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text, missing or unreadable ones as NaN: what
    ``pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d")`` gives, a million dates in a
    fraction of the time: each distinct date (a few tens of thousands of birth days) is printed once."""
    parsed = pd.to_datetime(values, errors="coerce")
    codes, uniques = pd.factorize(parsed, use_na_sentinel=True)
    printed = np.append(np.asarray(pd.Index(uniques).strftime("%Y-%m-%d"), dtype=object), np.nan)
    return pd.Series(printed[codes], index=values.index, name=values.name, dtype=object)


def _sqlite_insert(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """executemany on the driver with plain tuples: SQLAlchemy's per-row processing costs more
    than the insert itself for a million rows. Dates are stored as SQLAlchemy stores them on
    SQLite (ISO text), so they read back as dates."""
    out = frame.copy(deep=False)
    for name in out.columns:
        if isinstance(table.c[name].type, sa.Date):
            out[name] = iso_dates(out[name])
    out = out.astype(object).where(out.notna(), None)
    columns = ", ".join(f'"{c}"' for c in out.columns)
    marks = ", ".join("?" for _ in out.columns)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',
                           out.itertuples(index=False, name=None))
    except connection.dialect.dbapi.Error as error:
        raise sa.exc.DBAPIError.instance("INSERT", None, error, connection.dialect.dbapi.Error) from error
    finally:
        cursor.close()


def _copy(connection: sa.Connection, table: sa.Table, frame: pd.DataFrame | pa.Table) -> None:
    """PostgreSQL COPY FROM STDIN: an order of magnitude faster than INSERTs for big frames."""
    if isinstance(frame, pa.Table):
        out, buffer = frame, _arrow_csv(table, frame)
    else:
        out = frame.copy(deep=False)  # only the date columns are replaced, in the copy
        for name in out.columns:
            if isinstance(table.c[name].type, sa.Date):
                out[name] = iso_dates(out[name])
        buffer = _copy_text(table, out)
    names = out.column_names if isinstance(out, pa.Table) else list(out.columns)
    text_columns = [c for c in names if isinstance(table.c[c].type, sa.String) and not table.c[c].nullable]
    options = "FORMAT csv"
    if text_columns:
        options += ", FORCE_NOT_NULL (" + ", ".join(f'"{c}"' for c in text_columns) + ")"
    columns = ", ".join(f'"{c}"' for c in names)
    statement = f'COPY "{table.name}" ({columns}) FROM STDIN WITH ({options})'
    raw = connection.connection.dbapi_connection
    dbapi = connection.dialect.dbapi
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert(statement, buffer)
    except dbapi.Error as error:
        # The same exception classes as an INSERT on either database (IntegrityError...).
        raise sa.exc.DBAPIError.instance(statement, None, error, dbapi.Error) from error


def _copy_text(table: sa.Table, frame: pd.DataFrame) -> io.IOBase:
    """``frame`` as COPY's CSV. Arrow writes it (in C++, without holding the GIL: a 1M-row roll
    in 1.5 s of CPU where pandas' ``to_csv`` took 7.5 s); pandas writes what Arrow cannot type
    (mixed Python objects). COPY reads both alike: a missing value is an unquoted empty field,
    NULL, or '' in a NOT NULL text column (``FORCE_NOT_NULL``). Arrow quotes every text, so an
    empty text in a column that may be NULL is made missing first, as pandas writes it."""
    try:
        return _arrow_csv(table, pa.Table.from_pandas(frame, preserve_index=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        text = io.StringIO()
        frame.to_csv(text, index=False, header=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        text.seek(0)
        return text


def _arrow_csv(table: sa.Table, data: pa.Table) -> io.BytesIO:
    """An Arrow table as COPY's CSV (``_copy_text``); a date column's timestamps as their day."""
    for i, name in enumerate(data.column_names):
        column = data.column(i)
        textual = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        if textual and table.c[name].nullable:
            blank = pc.equal(column, "")
            data = data.set_column(i, name, pc.if_else(blank, pa.scalar(None, column.type), column))
        elif pa.types.is_timestamp(column.type) and isinstance(table.c[name].type, sa.Date):
            data = data.set_column(i, name, pc.cast(column, pa.date32()))
    binary = io.BytesIO()
    pacsv.write_csv(data, binary, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    binary.seek(0)
    return binary
