"""Follow-ups wired to a tracker emulator: the guidance setting, the `trackers` subscription,
and a dispatcher running the real TrackerHandler."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from firehouse.catalog.model import OrganisationSetting
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.guidance import follow_ups
from firehouse.guidance.model import FollowUp
from firehouse.incidents.model import Incident, IncidentLink
from firehouse.incidents.visibility import EVERYTHING
from firehouse.integrations.trackers.handler import TrackerHandler
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig
from firehouse.outbox.model import OutboxDelivery, Subscription
from tests.api.client import seeded_app
from tests.factories import declare


def configure(db: Database, tracker: str, section: Mapping[str, Any]) -> None:
    """As `firehouse apply` leaves it with `guidance.trackers.<tracker>` set."""
    trackers = {"default": tracker, tracker: dict(section)}
    with db.write() as session:
        session.add(OrganisationSetting(key="guidance", value={"trackers": trackers}))
        session.add(
            Subscription(
                name="trackers",
                kind="trackers",
                event_types=["follow_up.sync"],
                settings=trackers,
            )
        )


def dispatcher(
    db: Database, clock: FakeClock, client: httpx.Client, environ: Mapping[str, str]
) -> Dispatcher:
    handler = TrackerHandler(db, clock, client, environ=environ)
    return Dispatcher(db, {"trackers": handler}, clock, DispatcherConfig(max_attempts=5))


def add_follow_up(db: Database, clock: FakeClock, title: str = "Add a canary stage") -> int:
    number = declare(db, clock.now()).number
    with db.write() as session:
        row = follow_ups.create(
            session, number, title, actor="alice", now=clock.now(), sight=EVERYTHING
        )
        return row.id


def follow_up(db: Database, follow_up_id: int) -> FollowUp:
    with db.read() as session:
        return session.get_one(FollowUp, follow_up_id)


def follow_up_links(db: Database, follow_up_id: int) -> list[str]:
    with db.read() as session:
        row = session.get_one(FollowUp, follow_up_id)
        incident = session.get_one(Incident, row.incident_id)
        return [
            link.url
            for link in session.query(IncidentLink).filter_by(incident_id=incident.id)
            if link.kind == "follow_up"
        ]


def next_attempt_delay(db: Database, clock: FakeClock) -> timedelta:
    with db.read() as session:
        [delivery] = session.query(OutboxDelivery).filter_by(subscription="trackers").all()
        return delivery.next_attempt_at - clock.now()


def last_error(db: Database) -> str:
    with db.read() as session:
        [delivery] = session.query(OutboxDelivery).filter_by(subscription="trackers").all()
        return str(delivery.last_error)


@contextmanager
def web_app(database_url: str, clock: FakeClock) -> Iterator[tuple[TestClient, Database]]:
    """The whole app (no dispatcher), for the trackers' webhooks."""
    app, db = seeded_app(database_url, clock)
    with TestClient(app, raise_server_exceptions=False) as web:
        yield web, db
    db.dispose()


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
