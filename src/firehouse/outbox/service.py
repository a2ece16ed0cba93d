"""Operator use cases on the outbox: see what is stuck, send it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import Conflict, NotFound
from firehouse.outbox.model import OutboxDelivery, OutboxEvent


def list_deliveries(
    session: Session, *, dead_only: bool = False, limit: int = 100
) -> list[tuple[OutboxDelivery, OutboxEvent]]:
    query = (
        select(OutboxDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .order_by(OutboxDelivery.id.desc())
        .limit(limit)
    )
    if dead_only:
        query = query.where(OutboxDelivery.state == "dead")
    else:
        query = query.where(OutboxDelivery.state != "delivered")
    return [(row[0], row[1]) for row in session.execute(query)]


def retry(session: Session, delivery_id: int, *, now: datetime) -> OutboxDelivery:
    row = session.get(OutboxDelivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound(f"no outbox delivery {delivery_id}", field="id")
    if row.state == "delivered":
        raise Conflict(f"delivery {delivery_id} was already delivered", field="id")
    row.state = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_owner = None
    row.lease_expires_at = None
    return row
