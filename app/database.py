"""The database: declarative base, the UTC timestamp type, engine and session factory.

Rules never commit: the request or the job that called them does (one commit per unit of work).
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, Select, create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidRequestError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.sqlite_writers import TurnTakingConnection, attach_turn, take_turn_before_writing

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
# Ids are INTEGER keys on PostgreSQL: a larger id cannot exist, and binding one would fail as a 500.
MAX_ROW_ID = 2**31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL compare the same way."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


SQLITE_BUSY_SECONDS = 10  # how long a writer waits for SQLite's lock (its turn first, then SQLite's own wait)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the scheduler read while the web writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def _sqlite_savepoint(conn, _name) -> None:
    # pysqlite opens a transaction only before a data change, so a SAVEPOINT issued first would
    # itself start the transaction and its RELEASE would commit everything for good. Open the
    # transaction first, so a savepoint rolls back with its transaction as on PostgreSQL.
    if not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")


def begin_write(session: Session) -> None:
    """Start the session's transaction holding SQLite's write lock (a no-op elsewhere).

    A deferred SQLite transaction that read first cannot always upgrade to a writer under load,
    so a unit of work that will write asks for the lock before its first statement.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# The databases the migrations and the queries are written for.
SUPPORTED_DATABASES = ("sqlite", "postgresql")
_URL_EXAMPLE = "sqlite:///PATH or postgresql://USER@HOST/DATABASE"


def engine_url(url: str) -> str:
    """The URL as the engine opens it: a bare postgresql:// means psycopg 3, the driver installed."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def check_database_url(url: str) -> None:
    """Raise ValueError saying why `url` cannot open a database of ours (not a URL, another kind
    of database, a driver that is not installed); the message never repeats the URL."""
    try:
        parsed = make_url(engine_url(url))
    except ArgumentError:
        raise ValueError(f"not a database URL; use {_URL_EXAMPLE}") from None
    if parsed.get_backend_name() not in SUPPORTED_DATABASES:
        raise ValueError(f"{parsed.get_backend_name()} databases are not supported; use {_URL_EXAMPLE}")
    try:
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError) as exc:  # NoSuchModuleError is an ArgumentError
        raise ValueError(f"the driver {parsed.get_driver_name()!r} cannot be loaded ({exc})") from None


def make_engine(url: str, echo: bool = False, *, autocommit: bool = False) -> Engine:
    """Create the engine for `url`, with the SQLite pragmas the service relies on.

    `autocommit`: every statement is its own transaction and connections are not pinged on
    checkout, for reads of one statement where BEGIN, COMMIT and the ping would triple the round
    trips. Its user (`Database.read`) runs a statement once more when it finds its connection dropped.
    """
    url = engine_url(url)
    # hide_parameters: a failed statement's message (and so its traceback) never carries the values
    # bound to it, which are customers' numbers and texts.
    kwargs: dict = {"echo": echo, "future": True, "hide_parameters": True}
    database_file = None
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        name = make_url(url).database
        if name and name != ":memory:" and not name.startswith("file:") and not autocommit:
            # Writers of a file queue for their turn across processes (app/sqlite_writers.py).
            database_file = os.path.abspath(name)
            kwargs["connect_args"]["factory"] = TurnTakingConnection
    else:
        kwargs["pool_pre_ping"] = not autocommit
    if autocommit:
        kwargs["isolation_level"] = "AUTOCOMMIT"
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint)
    if database_file is not None:
        event.listen(engine, "connect", lambda dbapi_connection, _record: attach_turn(
            dbapi_connection, database_file, SQLITE_BUSY_SECONDS))
        event.listen(engine, "before_cursor_execute", take_turn_before_writing)
    return engine


# SQLite's message and PostgreSQL's SQLSTATE for a table that does not exist.
_MISSING_TABLE = ("no such table", "42P01")
# SQLite's message for a file it cannot open (its folder does not exist yet, or no permission).
_CANNOT_OPEN = "unable to open database file"


def explain_database_error(exc: DBAPIError) -> str:
    """What went wrong, and the fix when it is the usual one (migrations not applied yet)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    code = getattr(exc.orig, "sqlstate", None)
    if code in _MISSING_TABLE or any(m in reason for m in _MISSING_TABLE):
        return f"the database has no tables yet ({reason}); run 'flask --app wsgi db upgrade' first"
    if _CANNOT_OPEN in reason:
        return (f"the database cannot be opened ({reason}); "
                "check DATABASE_URL, or run 'flask --app wsgi db upgrade' first")
    return f"the database refused: {reason}"


class Database:
    """An engine and its session factory; one per app or per scheduler process."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._echo = echo
        # `read()`: one autocommit connection per thread, made on first use, closed by dispose().
        self._reader_engine: Engine | None = None
        self._reader_local = threading.local()
        self._reader_lock = threading.Lock()
        self._reader_connections: list[Connection] = []
        self._direct_reads = _DirectReads()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new session; the caller commits or rolls back and closes it."""
        return self.sessions()

    def read(self, statement, params: dict | None = None) -> list:
        """The rows of one statement that only reads, in one round trip.

        It runs on this thread's own autocommit connection, kept open between requests, so no
        checkout, ping, BEGIN or COMMIT is paid: for the reads every call makes (the welcome's
        caller lookup). A SELECT whose parameters and columns need no conversion by SQLAlchemy
        is compiled once and handed straight to the driver, which halves the client's work per
        read (bench/ivr_webhook.py); anything else runs through SQLAlchemy as usual. Either way
        the rows are tuples and errors are SQLAlchemy's. A connection found dropped (a database
        restart) is replaced and the statement run once more: it changes nothing.
        """
        params = params or {}
        for attempt in (1, 2):
            connection = self._reader_connection()
            try:
                direct = None if self._echo else self._direct_reads.get(statement, connection.dialect)
                if direct is None:
                    rows = [tuple(row) for row in connection.execute(statement, params)]
                    connection.rollback()  # ends SQLAlchemy's bookkeeping; autocommit sends nothing
                    return rows
                return direct.run(connection, params)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
                self._drop_reader_connection(connection)
        raise AssertionError("unreachable")

    def _reader_connection(self) -> Connection:
        connection = getattr(self._reader_local, "connection", None)
        if connection is None:
            with self._reader_lock:
                if self._reader_engine is None:
                    in_memory = self.dialect == "sqlite" and self.engine.url.database in (None, "", ":memory:")
                    # An in-memory SQLite database exists only on its own connection.
                    self._reader_engine = self.engine if in_memory else make_engine(
                        self.url, echo=self._echo, autocommit=True)
                connection = self._reader_engine.connect()
                self._reader_connections.append(connection)
            self._reader_local.connection = connection
        return connection

    def _drop_reader_connection(self, connection: Connection) -> None:
        self._reader_local.connection = None
        with self._reader_lock:
            if connection in self._reader_connections:
                self._reader_connections.remove(connection)
        connection.close()

    def dispose(self) -> None:
        with self._reader_lock:
            connections, self._reader_connections = self._reader_connections, []
        for connection in connections:
            connection.close()
        self._reader_local = threading.local()
        self.engine.dispose()
        if self._reader_engine is not None and self._reader_engine is not self.engine:
            self._reader_engine.dispose()


class _DirectRead:
    """A SELECT compiled once for one dialect, run on the driver's cursor without SQLAlchemy's
    per-execution work (which costs more than the driver itself for a one-row lookup)."""

    def __init__(self, compiled) -> None:
        self.sql = str(compiled)
        self.defaults = dict(compiled.params)
        self.order = tuple(compiled.positiontup) if compiled.positional else None
        self.required = frozenset(bind.key for bind in compiled.binds.values() if bind.required)

    def run(self, connection: Connection, params: dict) -> list:
        missing = self.required - params.keys()
        if missing:
            raise InvalidRequestError(f"A value is required for bind parameter {sorted(missing)[0]!r}")
        values = {**self.defaults, **params}
        args = [values[name] for name in self.order] if self.order is not None else values
        dbapi_connection = connection.connection.dbapi_connection
        dialect = connection.dialect
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, args)
            return [tuple(row) for row in cursor.fetchall()]
        except dialect.loaded_dbapi.Error as exc:
            lost = dialect.is_disconnect(exc, dbapi_connection, cursor)
            if lost:
                connection.invalidate(exc)
            raise DBAPIError.instance(self.sql, args, exc, dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=dialect) from exc
        finally:
            try:
                cursor.close()
            except dialect.loaded_dbapi.Error:
                pass  # the connection is gone: the error above says so


class _DirectReads:
    """Which statements `Database.read` may hand straight to the driver, decided once each."""

    LIMIT = 64  # statements are module constants; one built per call is compiled, not kept

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, _DirectRead | None]] = {}

    def get(self, statement, dialect) -> _DirectRead | None:
        known = self._known.get(id(statement))
        if known is not None and known[0] is statement:
            return known[1]
        direct = self._compile(statement, dialect)
        if len(self._known) < self.LIMIT:
            self._known[id(statement)] = (statement, direct)  # the statement is kept, so its id stays its own
        return direct

    @staticmethod
    def _compile(statement, dialect) -> _DirectRead | None:
        if not isinstance(statement, Select):
            return None
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            return None
        for bind in compiled.binds.values():
            if bind.expanding or bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                return None
        for column in statement.selected_columns:
            if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
                return None
        return _DirectRead(compiled)
