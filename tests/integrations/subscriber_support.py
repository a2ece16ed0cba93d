"""Helpers for the status page subscriber suites: a page with components, its subscription,
events as the status page emits them, and a dispatcher running the subscribers' handler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.append import append
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig
from firehouse.outbox.events import DomainEvent, EventType
from firehouse.outbox.model import OutboxDelivery, Subscription
from firehouse.statuspage import subscribers
from firehouse.statuspage.model import Component, Subscriber, SubscriberNotification
from firehouse.statuspage.notify import KIND, MailerFor, SubscriberNotifier, mailer_factory

BASE_URL = "http://firehouse.test"
PAGE_NAME = "Example Status"
COMPONENTS = {"website": "Website", "api": "Public API"}


def enable(db: Database, now: datetime, smtp: dict[str, Any] | None = None) -> None:
    """What `config apply` does for a `statuspage:` section, plus two components."""
    with db.write() as session:
        for position, (component_id, name) in enumerate(COMPONENTS.items()):
            session.add(
                Component(
                    id=component_id,
                    name=name,
                    position=position,
                    status="operational",
                    created_at=now,
                    updated_at=now,
                )
            )
        session.add(
            Subscription(
                name=subscribers.SUBSCRIPTION,
                kind=KIND,
                event_types=["statuspage.*"],
                settings={"name": PAGE_NAME, "url": "https://status.example.com", "smtp": smtp},
            )
        )


PAGE = {"name": PAGE_NAME, "url": "https://status.example.com", "updated_at": None}


def emit_incident(
    db: Database,
    now: datetime,
    *,
    components: tuple[str, ...] = ("website",),
    event_type: EventType = EventType.STATUSPAGE_INCIDENT_UPDATED,
    body: str | None = "We are looking into failed checkouts.",
    published: bool = True,
) -> int:
    """A status page event as firehouse.statuspage.events shapes it."""
    incident = {
        "id": "p31zjtct2jer",
        "name": "Checkout errors",
        "status": "investigating",
        "impact": "major",
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "published_at": now.isoformat() if published else None,
        "monitoring_at": None,
        "resolved_at": None,
        "components": [
            {"id": c, "name": COMPONENTS[c], "status": "partial_outage"} for c in components
        ],
    }
    update = None
    if body is not None:
        update = {
            "id": "u1",
            "status": "investigating",
            "body": body,
            "created_at": now.isoformat(),
            "affected_components": [],
        }
    payload = {
        "page": PAGE,
        "incident": incident,
        "update": update,
        "changed": [],
        "component_changes": [],
    }
    return _emit(db, now, event_type, payload)


def emit_component_change(db: Database, now: datetime, component: str = "api") -> int:
    name = COMPONENTS[component]
    payload = {
        "page": PAGE,
        "component": {
            "id": component,
            "name": name,
            "group": None,
            "status": "major_outage",
            "description": "",
            "updated_at": now.isoformat(),
        },
        "component_changes": [
            {
                "id": component,
                "name": name,
                "group": None,
                "old_status": "operational",
                "new_status": "major_outage",
            }
        ],
    }
    return _emit(db, now, EventType.STATUSPAGE_COMPONENT_CHANGED, payload)


def _emit(db: Database, now: datetime, event_type: EventType, payload: dict[str, Any]) -> int:
    with db.write() as session:
        event = append(session, DomainEvent(event_type, stream="statuspage", data=payload), now=now)
        return event.id


def notifier(
    db: Database, clock: Clock, http: httpx.Client, mailer_for: MailerFor | None = None
) -> SubscriberNotifier:
    return SubscriberNotifier(
        db, clock, base_url=BASE_URL, http=http, mailer_for=mailer_for or mailer_factory(None)
    )


def dispatcher(db: Database, clock: Clock, handler: SubscriberNotifier) -> Dispatcher:
    return Dispatcher(db, {KIND: handler}, clock, DispatcherConfig(max_attempts=5))


def confirmed_email(
    db: Database, now: datetime, address: str, components: tuple[str, ...] = ()
) -> Subscriber:
    with db.write() as session:
        subscriber = subscribers.subscribe_email(session, address, components, now=now)
        token = subscribers.link_token(subscriber, "confirm")
        return subscribers.confirm(session, token, now=now)


def notifications(db: Database) -> list[tuple[int, str, str]]:
    with db.read() as session:
        rows = session.scalars(select(SubscriberNotification).order_by(SubscriberNotification.id))
        return [(row.event_id, row.subscriber_id, row.state) for row in rows]


def pending_deliveries(db: Database) -> int:
    with db.read() as session:
        query = select(func.count()).where(OutboxDelivery.state == "pending")
        return int(session.scalar(query) or 0)
