"""What the deployment's database says, read from the test process."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.alerts.model import Alert
from firehouse.db import Database
from firehouse.guidance.model import SchedulerLease
from firehouse.incidents.model import Incident
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.outbox.queue import PENDING

T = TypeVar("T")


@dataclass(frozen=True)
class Delivery:
    id: int
    event_id: int
    subscription: str
    stream: str
    state: str
    attempts: int
    lease_owner: str | None


@dataclass(frozen=True)
class StoredAlert:
    fingerprint: str
    status: str
    count: int


def read(database_url: str, query: Callable[[Session], T]) -> T:
    db = Database(database_url)
    try:
        with db.read() as session:
            return query(session)
    finally:
        db.dispose()


def incident_numbers(session: Session) -> list[int]:
    return sorted(session.scalars(select(Incident.number)))


def deliveries(session: Session) -> list[Delivery]:
    rows = session.execute(
        select(OutboxDelivery, OutboxEvent.stream)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .order_by(OutboxDelivery.id)
    )
    return [
        Delivery(d.id, d.event_id, d.subscription, stream, d.state, d.attempts, d.lease_owner)
        for d, stream in rows
    ]


def alerts(session: Session) -> list[StoredAlert]:
    return [StoredAlert(a.fingerprint, a.status, a.count) for a in session.scalars(select(Alert))]


def scheduler_holders(session: Session) -> dict[str, str | None]:
    return {row.name: row.holder for row in session.scalars(select(SchedulerLease))}


def lease_owner(database_url: str, delivery_id: int) -> str | None:
    return read(database_url, lambda s: s.get(OutboxDelivery, delivery_id).lease_owner)  # type: ignore[union-attr]


def wait_until_drained(database_url: str, timeout: float) -> list[Delivery]:
    """Every delivery settled (delivered or dead), or what is still pending at the deadline."""
    db = Database(database_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            with db.read() as session:
                pending = [d for d in deliveries(session) if d.state == PENDING]
            if not pending or time.monotonic() > deadline:
                return pending
            time.sleep(0.3)
    finally:
        db.dispose()
