"""Engine, declarative base and the unit of work.

SQLite is the embedded default. Two things make it behave under concurrent requests:
WAL (readers never block the writer) and `BEGIN IMMEDIATE` for write transactions, which
takes the write lock up front so two writers queue on busy_timeout instead of deadlocking
when both try to upgrade a read lock.
"""

from __future__ import annotations

import fcntl  # POSIX only, as is the rest of the tooling (make, signals)
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from firehouse.clock import as_utc
from firehouse.errors import Unavailable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_WRITE = "firehouse_write"
_NOTIFY = "firehouse_notify_after_commit"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """`pool_size` connections per process on PostgreSQL, and twice as many more in bursts; with
    many processes, size it so that all of them together stay under the server's
    max_connections (or put PgBouncer in front)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_size=pool_size, max_overflow=2 * pool_size, pool_pre_ping=True
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself, so we choose its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


class WriterLock:
    """SQLite's one writer at a time, queued in the kernel across processes and threads.

    Writers wait on `flock` of a file beside the database, which wakes the next one as soon
    as the lock is free. Left to SQLite's busy handler, which polls with growing sleeps,
    concurrent writers from two server processes saw p99 latencies of a second.
    Re-entrant within a thread, like the RLock it wraps.
    """

    def __init__(self, url: str) -> None:
        database = make_url(url).database
        self._threads = threading.RLock()
        self._depth = 0
        self._path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and self._path is not None:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class Database:
    """One per process: the engine and the two kinds of unit of work."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )
        self._commit_listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        # SQLite has one writer at a time. Writers of this process queue here, on a lock that
        # wakes the next one at once, instead of in SQLite's busy handler, which polls with
        # growing sleeps and gave p99 latencies of seconds under concurrent declares.
        self._writer: WriterLock | None = WriterLock(url) if is_sqlite(self.engine) else None

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after a write transaction that `notify_after_commit` marked commits.

        Only marked transactions notify: waking the dispatcher after every commit made it
        poll the outbox once per declare, which cost a third of a declare's CPU for nothing
        when no integration was subscribed.
        """
        with self._lock:
            self._commit_listeners.append(listener)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for one use case: all of it commits, or none of it does."""
        with self._writer or nullcontext():
            session = self._write()
            notify = False
            try:
                yield session
                notify = session.info.get(_NOTIFY, False)
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise Unavailable(f"database unavailable: {exc.orig}") from exc
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        if notify:
            for listener in list(self._commit_listeners):
                listener()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._read()
        try:
            yield session
        except OperationalError as exc:
            raise Unavailable(f"database unavailable: {exc.orig}") from exc
        finally:
            session.close()  # ends the transaction; unlike rollback(), keeps loaded objects usable

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writer is not None:
            self._writer.close()


def notify_after_commit(session: Session) -> None:
    """Ask for the `on_commit` listeners once this session's transaction has committed."""
    session.info[_NOTIFY] = True


BigId = BigInteger().with_variant(Integer, "sqlite")
"""A 64-bit key that still autoincrements on SQLite (only INTEGER PRIMARY KEY does)."""
