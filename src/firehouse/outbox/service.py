"""Operator use cases on the outbox: see what is waiting or dead, send it again.

`firehouse outbox list [--dead]` and `firehouse outbox retry ID` are thin wrappers over these.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.db import notify_after_commit
from firehouse.errors import Conflict, NotFound
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.outbox.queue import DEAD, DELIVERED, PENDING


def list_deliveries(
    session: Session, *, dead_only: bool = False, limit: int = 100
) -> list[tuple[OutboxDelivery, OutboxEvent]]:
    """Undelivered deliveries (pending and dead), newest first; only dead ones if asked."""
    query = (
        select(OutboxDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .order_by(OutboxDelivery.id.desc())
        .limit(limit)
    )
    if dead_only:
        query = query.where(OutboxDelivery.state == DEAD)
    else:
        query = query.where(OutboxDelivery.state != DELIVERED)
    return [(row[0], row[1]) for row in session.execute(query)]


def retry(session: Session, delivery_id: int, *, now: datetime) -> OutboxDelivery:
    """Queue a dead (or backing-off) delivery for an attempt now, with a fresh attempt budget.

    A delivery a worker is sending right now is refused: clearing its lease would let a
    second worker send it in parallel. `last_error` is kept until the next attempt replaces it.
    """
    row = session.get(OutboxDelivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no outbox delivery {delivery_id}", field="id")
    if row.state == DELIVERED:
        raise Conflict(f"delivery {delivery_id} was already delivered", field="id")
    if row.lease_expires_at is not None and row.lease_expires_at > now:
        raise Conflict(f"delivery {delivery_id} is being sent right now", field="id")
    row.state = PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_owner = None
    row.lease_expires_at = None
    notify_after_commit(session)
    return row
