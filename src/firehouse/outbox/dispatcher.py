"""Delivers outbox events to integrations: at least once, in order per stream.

A round has three steps, each its own short transaction or none:
1. claim: lock a batch of due deliveries (SKIP LOCKED on PostgreSQL, so several workers share
   the queue), count the attempt and give each a lease with a fresh token;
2. deliver: hand each envelope to its integration, outside any transaction;
3. settle: record the outcome, but only if the lease token still matches. A worker that
   stalls or dies lets its lease run out; another worker takes the delivery over, and the
   first worker's late outcome is ignored.

Because the attempt is counted at claim time, a delivery that kills its worker every time
still reaches `max_attempts` and is parked as dead instead of looping forever.
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from firehouse.clock import Clock
from firehouse.db import Database, is_sqlite
from firehouse.observability.context import delivery_scope
from firehouse.outbox.envelope import DeliveryFailed, Envelope, Handler
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription
from firehouse.outbox.queue import DEAD, DELIVERED, PENDING, anything_due, due_batch
from firehouse.outbox.redact import redact_urls_in
from firehouse.outbox.retry import is_exhausted, next_delay

__all__ = ["DeliveryFailed", "Dispatcher", "DispatcherConfig", "Envelope", "Handler"]

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
# Outcomes of an attempt besides the queue's own DELIVERED and DEAD, as the metrics name them.
RETRY = "retry"
LEASE_LOST = "lease_lost"


@dataclass(frozen=True)
class DispatcherConfig:
    """`lease` must comfortably exceed the slowest handler (the webhook timeout)."""

    max_attempts: int = 10
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 20
    concurrency: int = 1  # deliveries of one batch in flight at once


class Dispatcher:
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        clock: Clock,
        config: DispatcherConfig | None = None,
        worker_id: str | None = None,
        *,
        observer: Callable[[str, str], None] | None = None,
    ) -> None:
        """`observer(kind, result)` hears each delivery's outcome (the process's metrics)."""
        self.db = db
        self.observer = observer or _ignore
        self.handlers = dict(handlers)
        self.clock = clock
        self.config = config or DispatcherConfig()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pool_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def wake(self) -> None:
        """Called after every commit, so a new event goes out without waiting for the poll."""
        self._wake.set()

    def run_once(self) -> int:
        """One round; returns how many deliveries it took from the queue (0 when idle).

        A batch never holds two deliveries of one stream to one subscription (a delivery
        waits behind the earlier one, see queue.py), so its deliveries may go out side by
        side without breaking the order within an incident."""
        envelopes, taken = self._claim()
        if self.config.concurrency > 1 and len(envelopes) > 1:
            list(self._pool().map(self._deliver_claimed, envelopes))
        else:
            for envelope in envelopes:
                self._deliver_claimed(envelope)
        return taken

    def request_stop(self) -> None:
        """Graceful stop: deliveries already started finish and settle; the rest of the batch
        is handed back at once (lease released, attempt not counted) for another worker."""
        self._stopping.set()
        self._wake.set()

    def close(self) -> None:
        """Waits for deliveries in flight, then frees the delivery threads."""
        with self._pool_lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.config.concurrency, thread_name_prefix="outbox-delivery"
                )
            return self._executor

    def _deliver_claimed(self, envelope: Envelope) -> None:
        if self._stopping.is_set():
            self.release(envelope)
            return
        if self.clock.now() >= envelope.lease_expires_at:
            # Earlier deliveries of the batch were slow; another worker may own it now.
            log.warning("lease on delivery %s ran out before it started", envelope.delivery_id)
            return
        self.deliver(envelope)

    def release(self, envelope: Envelope) -> bool:
        """Gives a claimed delivery back untried; False when the lease was no longer ours."""
        with self.db.write() as session:
            released = session.execute(
                update(OutboxDelivery)
                .where(
                    OutboxDelivery.id == envelope.delivery_id,
                    OutboxDelivery.state == PENDING,
                    OutboxDelivery.lease_owner == envelope.lease_token,
                )
                .values(
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts=OutboxDelivery.attempts - 1,
                )
            )
        return bool(released.rowcount)  # type: ignore[attr-defined]

    def run_until_idle(self, max_rounds: int = 100) -> int:
        total = 0
        for _ in range(max_rounds):
            taken = self.run_once()
            total += taken
            if taken == 0:
                break
        return total

    def run_forever(
        self,
        stop: threading.Event,
        poll_seconds: float = 1.0,
        between_rounds: Callable[[], object] | None = None,
    ) -> None:
        """`between_rounds` runs after every round (the clock-driven tasks of `periodic`)."""
        while not stop.is_set() and not self._stopping.is_set():
            self._wake.clear()  # before the round: a commit during it must trigger another
            try:
                busy = self.run_once() > 0
            except Exception:  # keep the loop alive; the events stay in the outbox
                log.exception("outbox dispatch round failed")
                busy = False
            if between_rounds is not None:
                between_rounds()
            if not busy:
                self._wake.wait(poll_seconds)

    def claim(self) -> list[Envelope]:
        """Lease a batch of due deliveries to this worker (public for tests and tools)."""
        return self._claim()[0]

    def deliver(self, envelope: Envelope) -> bool:
        """Run the handler and settle; False when the lease was lost and nothing was recorded.

        The observer hears the outcome (delivered, retry, dead, lease_lost: the metrics), and
        log lines written meanwhile carry the delivery's id."""
        with delivery_scope(envelope.delivery_id):
            outcome = self._settle(envelope, self._attempt(envelope))
        self.observer(envelope.kind, outcome)
        return outcome != LEASE_LOST

    def _attempt(self, envelope: Envelope) -> DeliveryFailed | None:
        """Runs the handler; None when the side effect happened, else why it did not."""
        handler = self.handlers.get(envelope.kind)
        if handler is None:
            return DeliveryFailed(f"no integration handles subscriptions of kind '{envelope.kind}'")
        try:
            handler(envelope)
        except DeliveryFailed as failure:
            return failure
        except Exception as exc:  # noqa: BLE001 -- a bug in a handler must not lose the event
            # Where it failed, not what it said: an exception's message may quote the
            # incident (private ones too). The message goes to last_error instead.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "handler for %s crashed with %s:\n%s",
                envelope.subscription,
                type(exc).__name__,
                frames,
            )
            return DeliveryFailed(f"unexpected {type(exc).__name__}: {redact_urls_in(str(exc))}")
        return None

    def _claim(self) -> tuple[list[Envelope], int]:
        now = self.clock.now()
        with self.db.read() as session:
            if not anything_due(session, now):
                return [], 0  # no write transaction, so an idle worker does not wake itself
        query = due_batch(now, self.config.batch_size, skip_locked=not is_sqlite(self.db.engine))
        with self.db.write() as session:
            rows = session.execute(query).all()
            envelopes = [self._take(*row, now=now) for row in rows]
        return [envelope for envelope in envelopes if envelope is not None], len(rows)

    def _take(
        self,
        delivery: OutboxDelivery,
        event: OutboxEvent,
        subscription: Subscription | None,
        *,
        now: datetime,
    ) -> Envelope | None:
        if subscription is None or not subscription.active:
            state = "removed" if subscription is None else "inactive"
            _park(delivery, f"subscription '{delivery.subscription}' is {state}; not sent")
            return None
        if delivery.lease_owner is not None:
            delivery.last_error = "the worker delivering it stopped before settling (lease expired)"
            if is_exhausted(delivery.attempts, self.config.max_attempts):
                _park(delivery, delivery.last_error)
                return None
        delivery.attempts += 1
        delivery.lease_owner = f"{self.worker_id}/{uuid.uuid4().hex[:16]}"
        delivery.lease_expires_at = now + self.config.lease
        return Envelope(
            delivery_id=delivery.id,
            event_id=event.id,
            event_type=event.type,
            stream=event.stream,
            payload=event.payload,
            occurred_at=event.occurred_at,
            subscription=subscription.name,
            kind=subscription.kind,
            settings=dict(subscription.settings),
            attempt=delivery.attempts,
            lease_token=delivery.lease_owner,
            lease_expires_at=delivery.lease_expires_at,
        )

    def _settle(self, envelope: Envelope, failure: DeliveryFailed | None) -> str:
        """Records the attempt's outcome, if the lease is still ours, and returns it."""
        now = self.clock.now()
        with self.db.write() as session:
            row = session.get(OutboxDelivery, envelope.delivery_id, with_for_update=True)
            if row is None or row.state != PENDING or row.lease_owner != envelope.lease_token:
                log.info("delivery %s: lease lost, outcome ignored", envelope.delivery_id)
                return LEASE_LOST
            row.lease_owner = None
            row.lease_expires_at = None
            if failure is None:
                row.state, row.delivered_at, row.last_error = DELIVERED, now, None
                return DELIVERED
            row.last_error = str(failure)[:MAX_ERROR_LENGTH]
            if failure.permanent or is_exhausted(row.attempts, self.config.max_attempts):
                _park(row, row.last_error)
                return DEAD
            row.next_attempt_at = now + next_delay(row.attempts, failure.retry_after)
            return RETRY


def _ignore(_kind: str, _result: str) -> None:
    """The observer when none is given."""


def _park(delivery: OutboxDelivery, reason: str) -> None:
    """Dead: kept with its reason for `firehouse outbox list --dead` and `outbox retry`."""
    delivery.state = DEAD
    delivery.last_error = reason[:MAX_ERROR_LENGTH]
    delivery.lease_owner = None
    delivery.lease_expires_at = None
    log.warning("delivery %s parked as dead: %s", delivery.id, delivery.last_error)
