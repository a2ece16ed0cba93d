"""Forgetting what was delivered long ago, so the outbox tables stay the size of recent work.

Every change writes an event and a delivery per subscription; a busy deployment adds millions
of rows a year that nobody reads once they are delivered. Delivered rows older than the
retention are deleted in bounded chunks (short transactions, no long lock on PostgreSQL),
then the events left with no delivery. Dead and pending deliveries are never touched: they are
work still owed, or evidence an operator needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import aliased

from firehouse.db import Database
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.outbox.queue import DELIVERED

CHUNK = 5000


def prune_delivered(db: Database, before: datetime, *, chunk: int = CHUNK) -> int:
    """Deletes deliveries delivered before `before`, and their events once no delivery of
    them remains; returns how many deliveries went."""
    removed = 0
    while True:
        with db.write() as session:
            ids = session.scalars(
                select(OutboxDelivery.id)
                .where(OutboxDelivery.state == DELIVERED, OutboxDelivery.delivered_at < before)
                .order_by(OutboxDelivery.id)
                .limit(chunk)
            ).all()
            if ids:
                session.execute(delete(OutboxDelivery).where(OutboxDelivery.id.in_(ids)))
        removed += len(ids)
        if len(ids) < chunk:
            break
    _prune_orphan_events(db, before, chunk)
    return removed


def _prune_orphan_events(db: Database, before: datetime, chunk: int) -> None:
    remaining = aliased(OutboxDelivery)
    while True:
        with db.write() as session:
            ids = session.scalars(
                select(OutboxEvent.id)
                .where(
                    OutboxEvent.occurred_at < before,
                    ~select(remaining.id).where(remaining.event_id == OutboxEvent.id).exists(),
                )
                .order_by(OutboxEvent.id)
                .limit(chunk)
            ).all()
            if ids:
                session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
        if len(ids) < chunk:
            return
