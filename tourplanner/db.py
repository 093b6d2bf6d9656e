"""Declarative base, naming convention and column types shared by every domain."""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, Update, bindparam, event, inspect, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, registry
from sqlalchemy.types import TypeDecorator

#: Stable constraint names, so that migrations name what they drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: times must carry their time zone")
        value = value.astimezone(UTC)
        # SQLite keeps no offset: store plain UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def write_columns(session: Session, obj: Any) -> None:
    """Write the changed columns of one persistent object now, by a plain UPDATE on its primary key,
    and mark them as saved: the next flush has nothing to write for it.

    For a hot path changing a few columns of one row, where the unit of work's flush (which
    registers, sorts and compares every object of the session) costs milliseconds of CPU. Only
    column attributes: an object with a changed relationship is refused (ValueError). A column
    with an `onupdate` default that was not set is computed by the UPDATE and read again on access.
    """
    state = inspect(obj)
    mapper = state.mapper
    changed = set(state.manager).difference(state.unmodified)
    if not changed:
        return
    for key in changed:
        if key not in mapper.column_attrs:
            raise ValueError(f"{key}: only columns are written by write_columns")
    keys = tuple(sorted(changed))
    values = {f"new_{key}": state.dict[key] for key in keys}
    values["primary_key"] = state.identity[0]
    # On the session's connection, not through the session: its autoflush would write the object first.
    session.connection().execute(_update_statement(mapper, keys), values)
    state._commit_all(state.dict, session.identity_map)  # as a flush leaves it: nothing pending
    recomputed = [
        attr.key for attr in mapper.column_attrs if attr.key not in changed and attr.columns[0].onupdate is not None
    ]
    if recomputed:
        session.expire(obj, recomputed)


@functools.cache
def _update_statement(mapper: Any, keys: tuple[str, ...]) -> Update:
    """UPDATE of these column attributes by primary key, built once per set of columns (it keeps its cache key)."""
    (primary_key,) = mapper.primary_key
    return (
        update(mapper.local_table)
        .where(primary_key == bindparam("primary_key"))
        .values({mapper.column_attrs[key].columns[0]: bindparam(f"new_{key}") for key in keys})
    )


#: How long a SQLite connection waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Statements with which SQLite (the `sqlite3` module) opens a write transaction.
SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
#: The file beside a SQLite database whose lock serialises its writers, across processes.
SQLITE_WRITER_LOCK_SUFFIX = "-writer.lock"


def configure_sqlite(engine: Engine) -> None:
    """Set every new connection of a SQLite `engine` for several server processes at once.

    WAL: readers never wait for the writer, and a commit appends to the log instead of
    rewriting pages. synchronous=NORMAL: in WAL mode a commit no longer waits for the disk
    (a power cut may lose the last commits, never corrupt the file). busy_timeout: a writer
    waits for the lock held by another process instead of failing at once.

    Writers queue on an OS file lock (`WriterLockedConnection`) before SQLite's own lock:
    SQLite's busy handler polls, sleeping up to 100 ms between tries while the lock may
    long be free, which under load made a booking's p99 ten times its median; a waiter on
    the file lock wakes the moment the writer before it commits.
    """
    if engine.dialect.name != "sqlite":
        return
    is_file = engine.url.database not in (None, "", ":memory:") and not str(engine.url.database).startswith("file:")

    if is_file:

        @event.listens_for(engine, "do_connect")
        def _writer_locked(_dialect: Dialect, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
            cparams["factory"] = WriterLockedConnection

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if is_file:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()


def take_sqlite_writer_lock(connection: Connection) -> bool:
    """Take the writers' file lock for `connection`'s transaction, before anything is read, without a
    statement; whether it is held now (False: no such lock on this connection, take SQLite's own).

    Held until the commit or rollback, through reads that open no SQLite transaction: every writer
    of the database waits for it first, so nothing read under it changes before this transaction ends."""
    dbapi_connection = connection.connection.dbapi_connection
    return isinstance(dbapi_connection, WriterLockedConnection) and dbapi_connection.take_writer_lock(until_commit=True)


#: Per thread: how many of its connections hold the writer lock (a second would wait for the first forever).
_writer_lock_held = threading.local()


class WriterLockedConnection(sqlite3.Connection):
    """A SQLite connection that takes an exclusive OS lock (flock) on a file beside the database for
    each write transaction: from its first INSERT, UPDATE, DELETE or REPLACE until commit or rollback.

    Waiting writers sleep in the kernel and the next one wakes as soon as the lock is released,
    in this process (each connection has its own file description) or another. Readers never
    take it. A thread already writing through another connection does not wait for itself: it
    falls back on SQLite's busy timeout, as without the lock.
    """

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock_path = os.fspath(database) + SQLITE_WRITER_LOCK_SUFFIX
        self._lock_fd: int | None = None
        self._lock_pid = 0
        self._is_locked = False
        #: Taken by `take_writer_lock(until_commit=True)`: held through reads outside a transaction.
        self._until_commit = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        """A cursor that takes the writer lock before a statement opens a write transaction."""
        return super().cursor(factory or WriterLockedCursor)

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        try:
            super().commit()
        finally:
            self._until_commit = False
            self.release_writer_lock()

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self._until_commit = False
            self.release_writer_lock()

    def close(self) -> None:
        """Close the connection and the lock file."""
        try:
            super().close()
        finally:
            if self._is_locked:
                self._unlock()
            if self._lock_fd is not None and self._lock_pid == os.getpid():
                os.close(self._lock_fd)
            self._lock_fd = None

    def take_writer_lock(self, until_commit: bool = False) -> bool:
        """Wait for the writer lock, unless this connection holds it or this thread writes elsewhere;
        whether this connection holds it now.

        `until_commit`: keep it until the next commit or rollback even while no transaction is open,
        so that the reads before the first write see what no other writer can change until then."""
        if until_commit and self._is_locked:
            self._until_commit = True
        if self._is_locked or self.in_transaction or getattr(_writer_lock_held, "count", 0):
            return self._is_locked
        if self._lock_fd is None or self._lock_pid != os.getpid():  # a forked process opens its own
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._is_locked = True
        self._until_commit = until_commit
        _writer_lock_held.count = getattr(_writer_lock_held, "count", 0) + 1
        return True

    def release_writer_lock(self) -> None:
        """Release the writer lock once no transaction is open (a no-op when not held, or held until commit)."""
        if self._is_locked and not self.in_transaction and not self._until_commit:
            self._unlock()

    def _unlock(self) -> None:
        self._is_locked = False
        _writer_lock_held.count = max(0, getattr(_writer_lock_held, "count", 1) - 1)
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


class WriterLockedCursor(sqlite3.Cursor):
    """The cursor of a `WriterLockedConnection`: writes wait for the writer lock first."""

    connection: WriterLockedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        """Execute, first taking the writer lock if the statement opens a write transaction."""
        if sql.lstrip()[:7].upper().startswith(SQLITE_WRITES):
            self.connection.take_writer_lock()
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.release_writer_lock()  # a statement outside a transaction (autocommit)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        """executemany, first taking the writer lock if the statement opens a write transaction."""
        if sql.lstrip()[:7].upper().startswith(SQLITE_WRITES):
            self.connection.take_writer_lock()
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.release_writer_lock()
