"""Status page test data: components on the page, and reading what the outbox was told."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from firehouse.db import Database
from firehouse.outbox.model import OutboxEvent, Subscription
from firehouse.statuspage.model import Component

COMPONENTS = (
    ("website", "Website", "Marketplace"),
    ("api", "Public API", "Marketplace"),
    ("checkout", "Checkout", None),
)


def add_components(db: Database, now: datetime) -> None:
    """The page's components; the seeded `website` service lists the `website` component."""
    with db.write() as session:
        for position, (component_id, name, group) in enumerate(COMPONENTS):
            session.add(
                Component(
                    id=component_id,
                    name=name,
                    description="",
                    group_name=group,
                    position=position,
                    status="operational",
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )


def subscribe_flow(db: Database) -> None:
    """What `config apply` does when firehouse.yaml has a `statuspage:` section."""
    with db.write() as session:
        session.add(
            Subscription(
                name="statuspage", kind="statuspage", event_types=["incident.*"], settings={}
            )
        )


def component_statuses(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {row.id: row.status for row in session.scalars(select(Component))}


def statuspage_events(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type.like("statuspage.%"))
            .order_by(OutboxEvent.id)
        )
        return [(row.type, dict(row.payload)) for row in rows]


def event_types(db: Database) -> list[str]:
    return [event_type for event_type, _payload in statuspage_events(db)]
