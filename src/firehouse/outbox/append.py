"""Appending events: called by service functions inside their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.db import notify_after_commit
from firehouse.outbox.events import DomainEvent, subscribes_to
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription

# Subscription kinds that post events to whatever endpoint an operator configured, outside
# firehouse's access control: they never receive events of a private incident.
OUTSIDE_KINDS = frozenset({"webhook"})


def append(session: Session, event: DomainEvent, *, now: datetime) -> OutboxEvent:
    row = OutboxEvent(
        stream=event.stream, type=event.type.value, payload=event.data, occurred_at=now
    )
    session.add(row)
    session.flush()
    subscriptions = session.scalars(select(Subscription).where(Subscription.active.is_(True)))
    confidential = is_confidential(event)
    for subscription in subscriptions:
        if confidential and subscription.kind in OUTSIDE_KINDS:
            continue
        if subscribes_to(subscription.event_types, event.type.value):
            session.add(
                OutboxDelivery(
                    event_id=row.id,
                    subscription=subscription.name,
                    stream=event.stream,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            notify_after_commit(session)  # wakes the dispatcher once this commits
    return row


def is_confidential(event: DomainEvent) -> bool:
    """An event about a private incident (its snapshot says so; see incidents.recording).

    Decided here, when deliveries are queued, rather than in the webhook handler: no delivery
    row is ever made, so nothing is retried, shown as delivered, or replayed later, and the
    internal subscriptions (chat, status page, paging), which do their own access control,
    still receive the event."""
    incident = event.data.get("incident")
    return isinstance(incident, dict) and bool(incident.get("private"))


def append_addressed(
    session: Session,
    *,
    type: str,
    stream: str,
    data: dict[str, Any],
    subscription: str,
    now: datetime,
) -> OutboxEvent:
    """An internal event for one subscription only, such as one status page notification
    owed to one subscriber. It is not a domain event: no other subscription sees it, however
    broad its filter, and its type need not be an EventType."""
    row = OutboxEvent(stream=stream, type=type, payload=data, occurred_at=now)
    session.add(row)
    session.flush()
    session.add(
        OutboxDelivery(
            event_id=row.id,
            subscription=subscription,
            stream=stream,
            state="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    notify_after_commit(session)
    return row
