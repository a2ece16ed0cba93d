"""Helpers for the Atlassian Statuspage mirror suite: a configured page (through the real
`config apply`), the mirror in a dispatcher, and public incidents changed through the real
status page services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import FirehouseConfig
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.integrations.atlassian_statuspage.client import Pacer
from firehouse.integrations.atlassian_statuspage.mirror import KIND, SUBSCRIPTION, AtlassianMirror
from firehouse.integrations.atlassian_statuspage.shapes import DEFAULT_KEY_ENV
from firehouse.outbox.console import LogHandler
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig, Handler
from firehouse.outbox.model import OutboxDelivery
from firehouse.statuspage import service_components, service_incidents

COMPONENTS = [
    {"id": "website", "name": "Website"},
    {"id": "api", "name": "Public API"},
    {"id": "docs", "name": "Documentation"},  # not mapped: never mirrored
]
MAPPING = {"website": "webcmp000001", "api": "apicmp000001"}
MAX_ATTEMPTS = 4


def apply(db: Database, clock: FakeClock, atlassian: dict[str, Any] | None) -> list[str]:
    page: dict[str, Any] = {"name": "Example Status", "components": COMPONENTS}
    if atlassian is not None:
        page["atlassian"] = atlassian
    document = {"organisation": {"name": "Example Arts"}, "statuspage": page}
    with db.write() as session:
        changes = apply_config(
            session, FirehouseConfig.model_validate(document), source="test", now=clock.now()
        )
    return [str(change) for change in changes]


def dispatcher(
    db: Database, clock: FakeClock, handler: AtlassianMirror, max_attempts: int = MAX_ATTEMPTS
) -> Dispatcher:
    """The mirror, and the null twin for the status page's other subscriptions."""
    handlers: dict[str, Handler] = {
        KIND: handler,
        "statuspage": LogHandler(),
        "statuspage_subscribers": LogHandler(),
    }
    return Dispatcher(db, handlers, clock, DispatcherConfig(max_attempts=max_attempts))


def mirror(
    db: Database, clock: FakeClock, http: Any, key: str, interval: float = 0.0
) -> AtlassianMirror:
    return AtlassianMirror(
        db, clock, http, environ={DEFAULT_KEY_ENV: key}, pacer=Pacer(interval=interval)
    )


def run_until_settled(run: Dispatcher, clock: FakeClock, rounds: int = 12) -> None:
    """Deliver, then keep moving time past every back-off until nothing is pending."""
    for _ in range(rounds):
        run.run_until_idle()
        if not mirror_deliveries(run.db, "pending"):
            return
        clock.advance(hours=1)


def mirror_deliveries(db: Database, state: str | None = None) -> list[OutboxDelivery]:
    with db.read() as session:
        query = select(OutboxDelivery).where(OutboxDelivery.subscription == SUBSCRIPTION)
        if state is not None:
            query = query.where(OutboxDelivery.state == state)
        return list(session.scalars(query.order_by(OutboxDelivery.id)))


def publish(db: Database, clock: FakeClock, components: dict[str, str] | None = None) -> str:
    with db.write() as session:
        incident = service_incidents.create_incident(
            session,
            name="Checkout errors",
            components=components if components is not None else {"website": "partial_outage"},
            body="We are investigating failed checkouts.",
            publish=True,
            actor="ann",
            now=clock.now(),
        )
        return incident.id


def post_update(
    db: Database,
    clock: FakeClock,
    public_id: str,
    *,
    status: str,
    message: str,
    components: dict[str, str] | None = None,
) -> None:
    clock.advance(minutes=1)
    with db.write() as session:
        service_incidents.post_update(
            session,
            public_id,
            status=status,
            message=message,
            actor="ann",
            now=clock.now(),
            component_statuses=components,
        )


def set_component(db: Database, clock: FakeClock, component_id: str, status: str) -> None:
    with db.write() as session:
        service_components.set_status(session, component_id, status, now=clock.now())


def lose_outbox_record(db: Database, delivery_id: int, clock: FakeClock) -> None:
    """The side effect happened but its `delivered` mark was lost: the outbox sends it again."""
    with db.write() as session:
        row = session.get_one(OutboxDelivery, delivery_id)
        row.state, row.delivered_at = "pending", None
        row.next_attempt_at = clock.now() - timedelta(seconds=1)
