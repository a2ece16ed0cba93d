"""A paged incident, one queued notification, and the real dispatcher running the real
`page_notifications` handler: what the page notification suites share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select

from firehouse.catalog.model import Person
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents.model import TimelineEntry
from firehouse.integrations.paging import build_page_notifier
from firehouse.oncall.model import Page, PageNotification
from firehouse.oncall.paging import acknowledge_page
from firehouse.outbox.append import append_addressed
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig
from firehouse.outbox.model import OutboxDelivery, Subscription
from firehouse.settings import Settings
from tests.factories import declare, seed_catalog

BASE_URL = "http://firehouse.test"
SECRET_KEY = "page-notification-tests"
SUBSCRIPTION = "page-notifications"
TOKEN_ENV = "FIREHOUSE_TWILIO_AUTH_TOKEN"
ALICE_PHONE = "+447700900123"


@dataclass
class Paging:
    """One incident (#1, P1, "Checkout fails for some users") and one page for it."""

    db: Database
    clock: FakeClock
    http: httpx.Client
    settings: dict[str, Any] = field(default_factory=dict)
    process: dict[str, Any] = field(default_factory=dict)
    page_id: int = 0

    def start(self, message: str = "Checkout fails for some users") -> Paging:
        now = self.clock.now()
        with self.db.write() as session:
            seed_catalog(session)
        incident = declare(self.db, now, priority="P1", message=message)
        with self.db.write() as session:
            session.get_one(Person, "alice").phone = ALICE_PHONE
            session.add(
                Subscription(
                    name=SUBSCRIPTION,
                    kind="page_notifications",
                    event_types=["page.notify"],
                    settings={"ack_link_minutes": 60, **self.settings},
                )
            )
            page = Page(
                trigger_key=f"test:{incident.number}",
                incident_id=incident.id,
                message=f"P1 incident #{incident.number}: {message}",
                reason="declared",
                status="triggered",
                created_by="alice",
                created_at=now,
            )
            session.add(page)
            session.flush()
            self.page_id = page.id
        return self

    def notify(self, person_id: str = "alice", method: str = "sms") -> int:
        """A notification queued as the escalation engine queues one."""
        now = self.clock.now()
        with self.db.write() as session:
            row = PageNotification(
                page_id=self.page_id,
                round=0,
                step=0,
                person_id=person_id,
                method=method,
                target="on call in schedule engineering/primary",
                state="queued",
                due_at=now,
                queued_at=now,
            )
            session.add(row)
            session.flush()
            self.requeue(row.id, session=session)
            return row.id

    def requeue(self, notification_id: int, session: Any = None) -> None:
        """One more `page.notify` for the same row: a redelivery as the outbox may make."""
        if session is None:
            with self.db.write() as own:
                self.requeue(notification_id, own)
            return
        append_addressed(
            session,
            type="page.notify",
            stream=f"page:{self.page_id}",
            data={"notification_id": notification_id},
            subscription=SUBSCRIPTION,
            now=self.clock.now(),
        )

    def dispatcher(self) -> Dispatcher:
        settings = Settings(
            database_url=self.db.url, base_url=BASE_URL, secret_key=SECRET_KEY, **self.process
        )
        handler = build_page_notifier(self.db, settings, self.clock, self.http)
        return Dispatcher(
            self.db, {"page_notifications": handler}, self.clock, DispatcherConfig(max_attempts=5)
        )

    def run(self) -> None:
        self.dispatcher().run_until_idle()

    def row(self, notification_id: int) -> PageNotification:
        with self.db.read() as session:
            return session.get_one(PageNotification, notification_id)

    def acknowledge(self, person_id: str = "alice", via: str = "api") -> None:
        with self.db.write() as session:
            acknowledge_page(
                session,
                self.page_id,
                person_id=person_id,
                actor=person_id,
                via=via,
                now=self.clock.now(),
            )

    def notified(self) -> list[str]:
        """The `page.notified` timeline entries' texts, in order."""
        with self.db.read() as session:
            entries = session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.kind == "page.notified")
                .order_by(TimelineEntry.id)
            )
            return [entry.text for entry in entries]

    def deliveries(self) -> list[OutboxDelivery]:
        with self.db.read() as session:
            query = select(OutboxDelivery).where(OutboxDelivery.subscription == SUBSCRIPTION)
            return list(session.scalars(query.order_by(OutboxDelivery.id)))

    def pending_error(self) -> str:
        [delivery] = [d for d in self.deliveries() if d.state == "pending"]
        return delivery.last_error or ""

    def wait_for_retry(self, seconds: float = 16) -> datetime:
        return self.clock.advance(seconds=seconds)
