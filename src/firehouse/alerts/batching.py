"""Group commit for alert intake: the alerts of every request waiting at one moment are
stored in one transaction, and each request is answered only once that transaction committed.

Monitoring sends alerts in bursts from many connections at once. One transaction per request
pays a BEGIN, a turn of SQLite's single writer (or a PostgreSQL commit) and a thread-pool hop
per request; here a burst of N requests pays them once. The repeats of the whole batch are
counted in bulk first (service_bulk); each request's other alerts are then applied inside
their own savepoint, so a request that fails leaves the others' alerts in the batch
and gets its own error; if the commit itself fails, every request of the batch gets that
error (a 503) and none was acknowledged, so the guarantee "2xx only after the commit" holds.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from firehouse.alerts import service, service_bulk
from firehouse.alerts.events import AlertEvent, IngestResult
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.errors import DomainError, Unavailable

log = logging.getLogger(__name__)

MAX_BATCH = 256

Observer = Callable[[Sequence[AlertEvent], Sequence[IngestResult]], None]


def _ignore(_events: Sequence[AlertEvent], _results: Sequence[IngestResult]) -> None:
    """The observer when none is given."""


@dataclass
class _Job:
    events: Sequence[AlertEvent]
    integration: str
    future: Future[list[IngestResult]] = field(default_factory=Future)


class IngestBatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        max_batch: int = MAX_BATCH,
        observer: Observer | None = None,
    ) -> None:
        """`observer(events, results)` hears each request's committed alerts (the metrics)."""
        self.db = db
        self.observer = observer or _ignore
        self.clock = clock
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, events: Sequence[AlertEvent], integration: str) -> Future[list[IngestResult]]:
        """The future completes after the commit that stored `events`, or with its error."""
        job = _Job(events, integration)
        self._ensure_running()
        self._jobs.put(job)
        return job.future

    def stop(self) -> None:
        """Stores what was submitted, then ends the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout=30)

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="alert-intake-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)  # stop after this batch
                    break
                batch.append(job)
            self.store(batch)

    def store(self, batch: list[_Job]) -> None:
        outcomes: list[list[IngestResult] | BaseException] = []
        try:
            with self.db.write() as session:
                now = self.clock.now()
                service_bulk.lock_keys(session, [job.events for job in batch])
                counted = _by_delivery(
                    service_bulk.count_repeats(session, [job.events for job in batch], now=now)
                )
                for index, job in enumerate(batch):
                    known = counted.get(index, {})
                    if len(known) == len(job.events):  # all repeats: nothing left to do
                        outcomes.append([known[i] for i in range(len(job.events))])
                        continue
                    try:
                        with session.begin_nested():
                            results = service.ingest(
                                session,
                                job.events,
                                integration=job.integration,
                                now=now,
                                known=known,
                            )
                        outcomes.append(results)
                    except Exception as exc:
                        log.exception("alerts of one intake request could not be stored")
                        outcomes.append(exc)
        except DomainError as exc:
            self._fail(batch, exc)
            return
        except Exception as exc:  # the batch is lost as a whole; each sender will retry
            log.exception("alert intake batch of %d requests failed", len(batch))
            self._fail(batch, Unavailable(f"alerts could not be stored: {type(exc).__name__}"))
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                job.future.set_exception(_as_domain(outcome))
            else:
                self.observer(job.events, outcome)
                job.future.set_result(outcome)

    @staticmethod
    def _fail(batch: list[_Job], exc: BaseException) -> None:
        for job in batch:
            job.future.set_exception(exc)


def _by_delivery(
    counted: dict[tuple[int, int], IngestResult],
) -> dict[int, dict[int, IngestResult]]:
    grouped: dict[int, dict[int, IngestResult]] = {}
    for (delivery, event), result in counted.items():
        grouped.setdefault(delivery, {})[event] = result
    return grouped


def _as_domain(exc: BaseException) -> BaseException:
    if isinstance(exc, DomainError):
        return exc
    return Unavailable(f"alerts could not be stored: {type(exc).__name__}")
