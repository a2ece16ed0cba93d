"""Keeps this process's status-page snapshot current, off the request path.

Three things make the snapshot change: a commit in this process, a commit in another
process, and the passing of time (maintenance windows open and close, the uptime bars move on
a day), covered by a full rebuild every `refresh_seconds`.

Commits are heard on the change feed's `statuspage` channel (firehouse.changes). On
PostgreSQL it carries every process's commits, so the cheap fingerprint is polled only as a
safety net, every `safety_poll_seconds`. On SQLite it carries this process's commits only,
so the fingerprint is still polled every `poll_seconds` for other processes (several `serve`
workers on one file), as it is while a PostgreSQL feed reconnects. Without a feed, this
process's commits are heard through the database's `on_commit` listeners (transactions
marked with `notify_after_commit`). Bursts of commits are debounced into one rebuild.
Requests only ever read `current`, a reference swapped atomically once a new snapshot is
complete.
"""

from __future__ import annotations

import logging
import threading
import time

from firehouse.changes import STATUSPAGE, ChangeFeed, Subscription
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.statuspage import snapshot
from firehouse.statuspage.snapshot import Snapshot

log = logging.getLogger(__name__)


class Publisher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        base_url: str,
        *,
        debounce_seconds: float = 0.1,
        poll_seconds: float = 2.0,
        refresh_seconds: float = 30.0,
        feed: ChangeFeed | None = None,
        safety_poll_seconds: float = 10.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._base_url = base_url
        self._debounce = debounce_seconds
        self._poll = poll_seconds
        self._refresh = refresh_seconds
        self._feed = feed
        self._safety_poll = safety_poll_seconds
        self._subscription: Subscription | None = None
        self._current: Snapshot | None = None
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._building = threading.Lock()
        self._thread: threading.Thread | None = None
        self._listening = False
        self._built_monotonic = 0.0
        self._failing: str | None = None

    @property
    def current(self) -> Snapshot | None:
        """The snapshot requests serve; None only until the first build has succeeded."""
        return self._current

    def changed(self) -> None:
        """Called after a notifying commit: cheap, never blocks the committing thread."""
        self._changed.set()

    def rebuild(self) -> Snapshot:
        """Read everything public in one transaction, render it, and swap it in."""
        with self._building:
            with self._db.read() as session:
                marker = snapshot.fingerprint(session)
                data = snapshot.load(session, now=self._clock.now(), base_url=self._base_url)
            built = snapshot.build(
                data, built_at=self._clock.now(), previous=self._current, fingerprint=marker
            )
            self._current = built
            self._built_monotonic = time.monotonic()
            return built

    def start(self) -> None:
        """Build the first snapshot now (so the first request finds one), then keep it fresh."""
        if self._feed is not None and self._subscription is None:
            self._subscription = self._feed.subscribe(STATUSPAGE, callback=self.changed)
        elif self._feed is None and not self._listening:
            self._db.on_commit(self.changed)
            self._listening = True
        try:
            self.rebuild()
        except Exception as exc:  # noqa: BLE001 -- the page comes up even with the database away
            self._report(exc)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="statuspage-publisher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._changed.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            woken = self._changed.wait(timeout=self._poll_interval())
            if self._stopping.is_set():
                return
            if woken:
                self._stopping.wait(self._debounce)  # let a burst of commits finish first
                self._changed.clear()
            try:
                if woken or self._due() or self._changed_elsewhere():
                    self.rebuild()
                self._failing = None
            except Exception as exc:  # noqa: BLE001 -- keep the last good snapshot; retry later
                self._report(exc)

    def _report(self, exc: Exception) -> None:
        """Once per kind of failure, not once every poll while the database is away."""
        failure = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if failure != self._failing:
            log.warning("status page: keeping the last snapshot; rebuilding failed: %s", failure)
            self._failing = failure

    def _poll_interval(self) -> float:
        """Long while the feed hears every process; short while it cannot."""
        if self._feed is not None and self._feed.cross_process:
            return max(self._poll, self._safety_poll)
        return self._poll

    def _due(self) -> bool:
        return self._current is None or time.monotonic() - self._built_monotonic >= self._refresh

    def _changed_elsewhere(self) -> bool:
        """Another process committed: its listeners ran there, not here."""
        with self._db.read() as session:
            marker = snapshot.fingerprint(session)
        return self._current is None or marker != self._current.fingerprint
