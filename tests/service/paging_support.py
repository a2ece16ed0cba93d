"""An on-call organisation for the paging tests: a schedule with one person per layer, an
escalation policy over it, and helpers to run the clock-driven tasks and read the results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from firehouse.catalog.model import Person, Service
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.oncall import paging
from firehouse.oncall.escalation_tasks import paging_tasks
from firehouse.oncall.model import EscalationPolicy, Page, PageNotification, Schedule
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription

PRIMARY = "alice"  # engineering/primary, always (a one-person rotation)
SECONDARY = "bob"  # engineering/secondary
POLICY = "website-escalation"


def layer(name: str, person: str) -> dict[str, Any]:
    return {"name": name, "people": [person], "rotation": "daily", "start": "2025-12-01"}


def add_on_call(db: Database, *, repeat: int = 1, subscribe: bool = False) -> None:
    """Step 1 pages the primary and waits 5 minutes, step 2 the secondary and waits 10; the
    whole policy runs `repeat` more times. The website service follows it."""
    with db.write() as session:
        session.add(
            Schedule(
                id="engineering",
                name="Engineering",
                layers=[layer("primary", PRIMARY), layer("secondary", SECONDARY)],
            )
        )
        session.add(
            EscalationPolicy(
                id=POLICY,
                name="Website",
                repeat=repeat,
                steps=[
                    {
                        "notify": [{"schedule": "engineering", "layer": "primary"}],
                        "wait_minutes": 5,
                    },
                    {
                        "notify": [{"schedule": "engineering", "layer": "secondary"}],
                        "wait_minutes": 10,
                    },
                ],
            )
        )
        session.get_one(Service, "website").escalation_policy_id = POLICY
        session.add(
            Subscription(name="page-notifications", kind="page_notifications", event_types=[])
        )
        if subscribe:
            session.add(
                Subscription(
                    name="paging",
                    kind="paging",
                    event_types=["incident.declared", "incident.priority_changed"],
                )
            )


def set_person(db: Database, person_id: str, **fields: Any) -> None:
    with db.write() as session:
        person = session.get_one(Person, person_id)
        for name, value in fields.items():
            setattr(person, name, value)


def raise_page(db: Database, clock: FakeClock, **fields: Any) -> int:
    fields.setdefault("message", "Checkout is down")
    with db.write() as session:
        page = paging.create_page(
            session, paging.PageRequest(**fields), actor="carol", now=clock.now()
        )
        return page.id


def tick(db: Database, now: datetime) -> None:
    """One run of the periodic paging task, as a worker's loop would run it."""
    for task in paging_tasks(db):
        task.run(now)


def run_for(db: Database, clock: FakeClock, minutes: int) -> None:
    """Let time pass a minute at a time, running the task each minute."""
    for _ in range(minutes):
        clock.advance(minutes=1)
        tick(db, clock.now())


def the_page(db: Database, page_id: int | None = None) -> Page:
    with db.read() as session:
        if page_id is None:
            return session.scalars(select(Page)).one()
        return session.get_one(Page, page_id)


def pages(db: Database) -> list[Page]:
    with db.read() as session:
        return list(session.scalars(select(Page).order_by(Page.id)))


def notifications(db: Database) -> list[PageNotification]:
    with db.read() as session:
        return list(session.scalars(select(PageNotification).order_by(PageNotification.id)))


def sent(db: Database) -> list[tuple[int, int, str, str]]:
    """(round, step, person, method) of every notification handed to the outbox."""
    return [
        (n.round, n.step, n.person_id, n.method) for n in notifications(db) if n.state == "queued"
    ]


def notify_events(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.execute(
            select(OutboxEvent.payload, OutboxDelivery.subscription)
            .join(OutboxDelivery, OutboxDelivery.event_id == OutboxEvent.id)
            .where(OutboxEvent.type == "page.notify")
            .order_by(OutboxEvent.id)
        )
        return [{"subscription": sub, **payload} for payload, sub in rows]


def page_events(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.execute(
            select(OutboxEvent.type, OutboxEvent.payload, OutboxEvent.stream)
            .where(OutboxEvent.type.like("page.%"), OutboxEvent.type != "page.notify")
            .order_by(OutboxEvent.id)
        )
        return [(kind, {**payload, "stream": stream}) for kind, payload, stream in rows]


def timeline(db: Database, number: int = 1) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.execute(
            select(TimelineEntry.kind, TimelineEntry.text)
            .join(Incident, Incident.id == TimelineEntry.incident_id)
            .where(Incident.number == number)
            .order_by(TimelineEntry.id)
        )
        return [(kind, text) for kind, text in rows]


def paging_timeline(db: Database, number: int = 1) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text in timeline(db, number) if kind.startswith("page.")]
