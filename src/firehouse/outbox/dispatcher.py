"""Delivers outbox events to integrations: at least once, in order per stream.

A delivery is claimed by taking a lease in a short transaction (with SKIP LOCKED on
PostgreSQL so several workers share the queue), handed to its integration outside any
transaction, then settled in another short transaction that checks the lease is still ours.
A worker that dies mid-delivery simply lets its lease expire; another worker takes over.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from firehouse.clock import Clock
from firehouse.db import Database, is_sqlite
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription
from firehouse.outbox.retry import is_exhausted, next_delay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    """One event on its way to one subscription."""

    delivery_id: int
    event_id: int
    event_type: str
    stream: str
    payload: dict[str, Any]
    occurred_at: datetime
    subscription: str
    settings: dict[str, Any]
    attempt: int

    @property
    def idempotency_key(self) -> str:
        """Stable across retries, so a receiver can drop the second copy."""
        return f"{self.event_id}:{self.subscription}"


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Handler(Protocol):
    def __call__(self, envelope: Envelope) -> None: ...


@dataclass(frozen=True)
class DispatcherConfig:
    max_attempts: int = 10
    lease: timedelta = timedelta(seconds=60)
    batch_size: int = 20


class Dispatcher:
    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        clock: Clock,
        config: DispatcherConfig | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.clock = clock
        self.config = config or DispatcherConfig()
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run_once(self) -> int:
        """Claim one batch and try each delivery; returns how many were attempted."""
        claimed = self._claim()
        for envelope in claimed:
            self._deliver(envelope)
        return len(claimed)

    def run_until_idle(self, max_rounds: int = 100) -> int:
        total = 0
        for _ in range(max_rounds):
            attempted = self.run_once()
            total += attempted
            if attempted == 0:
                break
        return total

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # keep the loop alive; the event stays in the outbox
                log.exception("outbox dispatch round failed")
                busy = False
            if not busy:
                self._wake.wait(poll_seconds)
                self._wake.clear()

    def _claim(self) -> list[Envelope]:
        now = self.clock.now()
        delivery = OutboxDelivery
        earlier = aliased(OutboxDelivery)
        blocked = (
            select(earlier.id)
            .where(
                earlier.subscription == delivery.subscription,
                earlier.stream == delivery.stream,
                earlier.state == "pending",
                earlier.id < delivery.id,
            )
            .exists()
        )
        query = (
            select(delivery)
            .where(
                delivery.state == "pending",
                delivery.next_attempt_at <= now,
                or_(delivery.lease_expires_at.is_(None), delivery.lease_expires_at < now),
                ~blocked,
            )
            .order_by(delivery.id)
            .limit(self.config.batch_size)
        )
        if not is_sqlite(self.db.engine):
            query = query.with_for_update(skip_locked=True, of=delivery)
        with self.db.write() as session:
            rows = list(session.scalars(query))
            envelopes = []
            for row in rows:
                row.lease_owner = self.worker_id
                row.lease_expires_at = now + self.config.lease
                event = session.get_one(OutboxEvent, row.event_id)
                subscription = session.get(Subscription, row.subscription)
                envelopes.append(
                    Envelope(
                        delivery_id=row.id,
                        event_id=event.id,
                        event_type=event.type,
                        stream=event.stream,
                        payload=event.payload,
                        occurred_at=event.occurred_at,
                        subscription=row.subscription,
                        settings=(
                            {**subscription.settings, "kind": subscription.kind}
                            if subscription
                            else {}
                        ),
                        attempt=row.attempts + 1,
                    )
                )
                if subscription is None or not subscription.active:
                    envelopes[-1] = _unroutable(envelopes[-1])
        return envelopes

    def _deliver(self, envelope: Envelope) -> None:
        kind = envelope.settings.get("kind", "")
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise DeliveryFailed(
                    envelope.settings.get("error") or f"no integration handles kind '{kind}'"
                )
            handler(envelope)
        except DeliveryFailed as failure:
            self._settle(envelope, error=str(failure), retry_after=failure.retry_after)
        except Exception as exc:  # a bug in a handler must not lose the event
            log.exception("handler for %s crashed", envelope.subscription)
            self._settle(envelope, error=f"{type(exc).__name__}: {exc}")
        else:
            self._settle(envelope, error=None)

    def _settle(
        self, envelope: Envelope, *, error: str | None, retry_after: float | None = None
    ) -> None:
        now = self.clock.now()
        with self.db.write() as session:
            row = session.get(OutboxDelivery, envelope.delivery_id)
            if row is None or row.state != "pending" or row.lease_owner != self.worker_id:
                return  # our lease expired and another worker owns it now
            row.attempts += 1
            row.lease_owner = None
            row.lease_expires_at = None
            if error is None:
                row.state, row.delivered_at, row.last_error = "delivered", now, None
                return
            row.last_error = error[:2000]
            if is_exhausted(row.attempts, self.config.max_attempts):
                row.state = "dead"
                log.warning("delivery %s parked as dead: %s", row.id, row.last_error)
            else:
                row.next_attempt_at = now + next_delay(row.attempts, retry_after)


def _unroutable(envelope: Envelope) -> Envelope:
    settings = {"kind": "", "error": f"subscription '{envelope.subscription}' is not active"}
    return Envelope(**{**envelope.__dict__, "settings": settings})
