"""Helpers shared by the outbox service tests: subscriptions, dispatchers, queue rows."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service
from firehouse.integrations.webhooks import WebhookHandler
from firehouse.outbox.dispatcher import DeliveryFailed, Dispatcher, DispatcherConfig, Handler
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.model import OutboxDelivery, Subscription
from tests.fakes.webhook_receiver import WebhookReceiver

SECRET = "outbox-test-secret"
SECRET_ENV = "FIREHOUSE_TEST_WEBHOOK_SECRET"
NAME = "webhook:ops"


def subscribe(db: Database, url: str, *, events: tuple[str, ...] = (), name: str = NAME) -> None:
    settings = {"url": url, "secret_env": SECRET_ENV}
    with db.write() as session:
        session.add(
            Subscription(name=name, kind="webhook", event_types=list(events), settings=settings)
        )


def set_active(db: Database, active: bool, name: str = NAME) -> None:
    with db.write() as session:
        session.get_one(Subscription, name).active = active


def dispatcher(
    db: Database,
    clock: FakeClock,
    http: httpx.Client,
    *,
    environ: dict[str, str] | None = None,
    handler: Handler | None = None,
    worker_id: str | None = None,
    **config: object,
) -> Dispatcher:
    webhook = WebhookHandler(http, environ={SECRET_ENV: SECRET} if environ is None else environ)
    settings = DispatcherConfig(**config)  # type: ignore[arg-type]
    return Dispatcher(db, {"webhook": handler or webhook}, clock, settings, worker_id=worker_id)


def deliveries(db: Database) -> list[OutboxDelivery]:
    with db.read() as session:
        return list(session.scalars(select(OutboxDelivery).order_by(OutboxDelivery.id)))


def only_delivery(db: Database) -> OutboxDelivery:
    [row] = deliveries(db)
    return row


def add_note(db: Database, clock: FakeClock, number: int, text: str = "Rolled back") -> None:
    with db.write() as session:
        service.add_timeline_entry(session, number, text, actor="bob", now=clock.now())


def numbers(receiver: WebhookReceiver) -> list[int]:
    return [request.json()["data"]["incident"]["number"] for request in receiver.accepted]


def refusing(_envelope: Envelope) -> None:
    """A handler whose receiver always says no."""
    raise DeliveryFailed("receiver said no")


def exploding(_envelope: Envelope) -> None:
    """A handler with a bug whose message happens to quote a URL with credentials."""
    raise RuntimeError("boom near https://ops:hunter2@hooks.example.com/x?token=abc")
