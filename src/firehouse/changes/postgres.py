"""The change feed on PostgreSQL: every process's commits, heard through LISTEN/NOTIFY.

Database triggers (migration 0010) call `pg_notify` for every write to the watched tables,
whoever the writer is (API, CLI, worker, intake), and PostgreSQL delivers a notification
only when its transaction commits, once per distinct payload. Each process keeps one
listening connection, outside the engine's pool, in a daemon thread. When that connection
drops, hints may be lost: subscribers are woken ("look again") at once, `cross_process`
turns False so readers go back to polling, and the thread reconnects with back-off, waking
everyone once more when it is listening again.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from firehouse.changes.feed import INCIDENT, STATUSPAGE, ChangeFeed

log = logging.getLogger(__name__)

# The channel names the triggers notify, and the feed channel each maps to.
PG_CHANNELS = {"firehouse_incident": INCIDENT, "firehouse_statuspage": STATUSPAGE}

Connect = Callable[[], psycopg.Connection[tuple[object, ...]]]


def connector(engine: Engine) -> Connect:
    """A connection made as the engine makes its own (host, user, password, options from its
    URL), but autocommit, outside the pool, and never rendered as a string, so never logged."""
    _args, params = engine.dialect.create_connect_args(engine.url)
    params.pop("context", None)  # SQLAlchemy's type adapters; this connection needs none
    params.setdefault("application_name", "firehouse change feed")  # for pg_stat_activity

    def connect() -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(autocommit=True, connect_timeout=5, **params)

    return connect


class PostgresFeed(ChangeFeed):
    def __init__(
        self,
        connect: Connect,
        *,
        ping_seconds: float = 30.0,
        min_backoff: float = 0.1,
        max_backoff: float = 5.0,
    ) -> None:
        super().__init__()
        self._connect = connect
        self._ping_seconds = ping_seconds
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None  # a pipe that interrupts the wait on stop
        self._failing: str | None = None

    @property
    def cross_process(self) -> bool:
        return self._listening.is_set()

    def wait_listening(self, timeout: float) -> bool:
        """For startup and tests: True once the listening connection is up."""
        return self._listening.wait(timeout)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._wake = os.pipe()
        self._thread = threading.Thread(
            target=self._run, args=(self._wake[0],), name="change-feed", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Prompt: the listener's wait is interrupted rather than waited out."""
        self._stopping.set()
        if self._thread is None or self._wake is None:
            return
        os.write(self._wake[1], b"x")
        self._thread.join(timeout=10)
        self._thread = None
        for end in self._wake:
            os.close(end)
        self._wake = None

    def _run(self, wake: int) -> None:
        backoff = self._min_backoff
        while not self._stopping.is_set():
            try:
                self._listen(wake)
            except Exception as exc:  # noqa: BLE001 -- the listener must outlive any failure
                self._report(exc)
            if self._listening.is_set():
                self._listening.clear()
                self.publish_everything()  # hints may have been lost: everyone looks again
                backoff = self._min_backoff  # first retry at once after a working spell
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    def _listen(self, wake: int) -> None:
        with self._connect() as connection:
            for channel in PG_CHANNELS:
                connection.execute(f"LISTEN {channel}")
            self.publish_everything()  # whatever happened while we were away
            self._listening.set()
            if self._failing is not None:
                log.info("change feed: listening again")
                self._failing = None
            while not self._stopping.is_set():
                self._receive(connection, wake)

    def _receive(self, connection: psycopg.Connection[tuple[object, ...]], wake: int) -> None:
        """Wait for the server (or `stop`), then take what arrived. A quiet spell ends with a
        ping, so a connection lost without a word (a network partition) is noticed too."""
        ready, _, _ = select.select([connection.fileno(), wake], [], [], self._ping_seconds)
        if self._stopping.is_set():
            return
        if not ready:
            connection.execute("SELECT 1")
        for notification in connection.notifies(timeout=0):  # what is there, without waiting
            self._deliver(notification.channel, notification.payload)

    def _deliver(self, pg_channel: str, payload: str) -> None:
        channel = PG_CHANNELS.get(pg_channel)
        if channel is not None:
            self.publish(channel, payload or None)

    def _report(self, exc: Exception) -> None:
        """Once per outage; the exception's type only: its text may quote the server."""
        failure = type(exc).__name__
        if failure != self._failing:
            log.warning("change feed: not listening (%s); retrying with back-off", failure)
            self._failing = failure
