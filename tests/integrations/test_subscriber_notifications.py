"""Subscribers are told through the outbox, against a real SMTP server (aiosmtpd) and a real
Standard Webhooks receiver on 127.0.0.1: at least once, and never twice for one update."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.events import EventType
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.statuspage import service_incidents, subscribers
from firehouse.statuspage.model import Component
from firehouse.statuspage.notices import page_part
from firehouse.statuspage.notify import mailer_factory
from firehouse.statuspage.policy import ComponentStatus, page_status
from tests.fakes.smtp_server import SmtpServer
from tests.fakes.standard_webhook_receiver import StandardWebhookReceiver
from tests.integrations.subscriber_support import (
    BASE_URL,
    PAGE,
    confirmed_email,
    dispatcher,
    emit_component_change,
    emit_incident,
    enable,
    notifications,
    notifier,
    pending_deliveries,
)

UNSUBSCRIBE = f"{BASE_URL}/api/v1/statuspage/subscribers/unsubscribe?token="


@pytest.fixture
def clock() -> FakeClock:
    """Real time: receivers check webhook-timestamp against their own clock."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0, follow_redirects=False) as client:
        yield client


@pytest.fixture
def run(db: Database, clock: FakeClock, smtp: SmtpServer, http: httpx.Client) -> Dispatcher:
    enable(db, clock.now(), smtp=smtp.settings())
    return dispatcher(db, clock, notifier(db, clock, http, mailer_factory(None)))


def test_a_sign_up_gets_a_confirmation_mail_with_its_links(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    with db.write() as session:
        row = subscribers.subscribe_email(session, "ann@example.com", [], now=clock.now())
        confirm = subscribers.link_token(row, "confirm")
    run.run_until_idle()
    [mail] = smtp.messages
    assert mail["To"] == "ann@example.com"
    assert "Confirm" in mail["Subject"]
    text = mail.get_content()
    assert f"/subscribers/confirm?token={confirm}" in text
    assert mail["List-Unsubscribe"].startswith(f"<{UNSUBSCRIBE}")


def test_an_unconfirmed_subscriber_is_told_nothing(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    with db.write() as session:
        subscribers.subscribe_email(session, "ann@example.com", [], now=clock.now())
    run.run_until_idle()
    emit_incident(db, clock.now())
    run.run_until_idle()
    assert [mail["Subject"] for mail in smtp.messages] == [
        "[Example Status] Confirm your subscription"
    ]


def test_a_notification_mail_carries_the_update_and_one_click_unsubscribe(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    row = confirmed_email(db, clock.now(), "ann@example.com")
    token = subscribers.link_token(row, "unsubscribe")
    event_id = emit_incident(db, clock.now(), body="We are looking into failed checkouts.")
    run.run_until_idle()
    [mail] = smtp.messages
    assert mail["Subject"] == "[Example Status] Checkout errors"
    text = mail.get_content()
    assert "Investigating - We are looking into failed checkouts." in text
    assert "Website (partial outage)" in text
    assert f"{UNSUBSCRIBE}{token}" in text
    assert mail["List-Unsubscribe"] == f"<{UNSUBSCRIBE}{token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"] == f"<statuspage.{event_id}.{row.id}@firehouse.test>"
    assert notifications(db) == [(event_id, row.id, "sent")]


def test_subscribers_hear_only_of_the_components_they_chose(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    confirmed_email(db, clock.now(), "web@example.com", ("website",))
    confirmed_email(db, clock.now(), "api@example.com", ("api",))
    emit_component_change(db, clock.now(), "api")
    run.run_until_idle()
    [mail] = smtp.messages
    assert (mail["To"], mail["Subject"]) == (
        "api@example.com",
        "[Example Status] Public API is major outage",
    )


def test_a_mail_server_that_is_down_then_up_delivers_once(
    db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    down = SmtpServer()  # a free port with nothing listening yet
    enable(db, clock.now(), smtp=down.settings())
    run = dispatcher(db, clock, notifier(db, clock, http, mailer_factory(None)))
    confirmed_email(db, clock.now(), "ann@example.com")
    emit_incident(db, clock.now())
    run.run_until_idle()
    assert pending_deliveries(db) == 1  # the fan-out went; the mail waits for a retry
    with down:
        clock.advance(minutes=1)
        run.run_until_idle()
        clock.advance(minutes=10)
        run.run_until_idle()
        assert len(down.messages) == 1
    assert pending_deliveries(db) == 0


def test_a_temporary_refusal_is_retried_and_delivered_once(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    confirmed_email(db, clock.now(), "ann@example.com")
    smtp.refuse_next(1)
    emit_incident(db, clock.now())
    run.run_until_idle()
    assert smtp.messages == []
    clock.advance(minutes=1)
    run.run_until_idle()
    assert len(smtp.messages) == 1


def test_a_recipient_the_server_refuses_for_good_is_not_retried(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    confirmed_email(db, clock.now(), "gone@example.com")
    run.run_until_idle()
    smtp.refuse_next(1, reply="550 5.1.1 no such user")
    emit_incident(db, clock.now())
    run.run_until_idle()
    assert [state for _e, _s, state in notifications(db)] == ["refused"]
    assert pending_deliveries(db) == 0


def test_a_fan_out_delivered_twice_tells_each_subscriber_once(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    confirmed_email(db, clock.now(), "ann@example.com")
    emit_incident(db, clock.now())
    [fan_out] = _claimed(run, EventType.STATUSPAGE_INCIDENT_UPDATED)
    run.handlers[fan_out.kind](fan_out)  # the worker told them, then died before settling
    run.deliver(replace(fan_out, attempt=2))  # so another worker runs the fan-out again
    clock.advance(minutes=2)  # the first lease runs out
    run.run_until_idle()
    assert len(smtp.messages) == 1
    assert len(notifications(db)) == 1


def test_a_notification_delivered_again_after_it_was_sent_is_dropped(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    confirmed_email(db, clock.now(), "ann@example.com")
    emit_incident(db, clock.now())
    run.run_until_idle()
    [sent] = smtp.messages
    [notification] = _all_again(db, run, subscribers.NOTIFICATION)
    run.handlers[notification.kind](notification)
    assert smtp.messages == [sent]


def test_a_subscriber_gone_before_sending_is_not_told(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    row = confirmed_email(db, clock.now(), "ann@example.com")
    emit_incident(db, clock.now())
    [fan_out] = _claimed(run, EventType.STATUSPAGE_INCIDENT_UPDATED)
    run.deliver(fan_out)
    with db.write() as session:
        subscribers.unsubscribe(
            session, subscribers.link_token(row, "unsubscribe"), now=clock.now()
        )
    clock.advance(minutes=2)  # the lease on the confirmation claimed alongside runs out
    run.run_until_idle()
    assert smtp.messages == []
    assert [state for _e, _s, state in notifications(db)] == ["dropped"]


def test_a_webhook_subscriber_gets_a_signed_statuspage_shaped_post(
    db: Database, clock: FakeClock, run: Dispatcher
) -> None:
    with StandardWebhookReceiver() as receiver, db.write() as session:
        created = subscribers.subscribe_webhook(
            session, receiver.url, [], now=clock.now(), allow_loopback=True
        )
    with StandardWebhookReceiver(created.secret) as receiver:
        _point(db, created.subscriber.id, receiver.url)
        _set_status(db, "website", "partial_outage")
        event_id = emit_incident(db, clock.now())
        run.run_until_idle()
        [request] = receiver.accepted
    assert request.signature_valid
    assert request.headers["webhook-id"] == f"msg_{event_id}.{created.subscriber.id}"
    body = request.json()
    assert set(body) == {"meta", "page", "incident"}
    assert body["meta"]["unsubscribe"].startswith(UNSUBSCRIBE)
    expected = page_status([ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.OPERATIONAL], [])
    assert body["page"] == {
        "id": page_part(PAGE)["id"],
        "status_indicator": expected.indicator.value,
        "status_description": expected.description,
    }
    assert body["incident"]["name"] == "Checkout errors"


def test_a_failing_webhook_is_retried_with_the_same_webhook_id(
    db: Database, clock: FakeClock, run: Dispatcher
) -> None:
    with StandardWebhookReceiver() as receiver:
        with db.write() as session:
            created = subscribers.subscribe_webhook(
                session, receiver.url, [], now=clock.now(), allow_loopback=True
            )
        receiver.secret = created.secret
        receiver.fail_next(1, status=503)
        emit_component_change(db, clock.now())
        run.run_until_idle()
        clock.advance(minutes=1)
        run.run_until_idle()
        ids = [request.headers["webhook-id"] for request in receiver.received]
        assert len(ids) == 2
        assert ids[0] == ids[1]
        [accepted] = receiver.accepted
    assert set(accepted.json()) == {"meta", "page", "component_update", "component"}
    assert receiver.duplicates == 0


def _set_status(db: Database, component_id: str, status: str) -> None:
    with db.write() as session:
        session.get_one(Component, component_id).status = status


def _point(db: Database, subscriber_id: str, url: str) -> None:
    with db.write() as session:
        session.get_one(subscribers.Subscriber, subscriber_id).address = url


def _claimed(run: Dispatcher, event_type: str) -> list[Envelope]:
    return [envelope for envelope in run.claim() if envelope.event_type == event_type]


def _all_again(db: Database, run: Dispatcher, event_type: str) -> list[Envelope]:
    """Those messages queued again, as if the outbox had lost its record of delivering them."""
    with db.write() as session:
        query = select(OutboxDelivery).join(OutboxEvent).where(OutboxEvent.type == event_type)
        for row in session.scalars(query):
            row.state, row.next_attempt_at = "pending", run.clock.now()
    return _claimed(run, event_type)


def test_publishing_through_the_status_page_service_tells_subscribers(
    db: Database, clock: FakeClock, smtp: SmtpServer, run: Dispatcher
) -> None:
    """End to end with the real event payloads of firehouse.statuspage.events."""
    confirmed_email(db, clock.now(), "web@example.com", ("website",))
    confirmed_email(db, clock.now(), "api@example.com", ("api",))
    with db.write() as session:
        service_incidents.create_incident(
            session,
            name="Checkout errors",
            actor="alice",
            now=clock.now(),
            components={"website": "partial_outage"},
            body="We are looking into failed checkouts.",
            publish=True,
        )
    run.run_until_idle()
    [mail] = smtp.messages
    assert mail["To"] == "web@example.com"
    assert "We are looking into failed checkouts." in mail.get_content()
