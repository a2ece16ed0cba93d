"""The outbox end to end, on both databases: incidents change, the dispatcher delivers the
events to a real webhook receiver on 127.0.0.1, and every kind of trouble delays a delivery
without losing it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, NotFound
from firehouse.incidents import service
from firehouse.outbox.console import LogHandler
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import Subscription
from firehouse.outbox.service import list_deliveries, retry
from tests.factories import declare
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import (
    NAME,
    SECRET,
    SECRET_ENV,
    add_note,
    deliveries,
    dispatcher,
    exploding,
    numbers,
    only_delivery,
    set_active,
    subscribe,
)

# delivery ------------------------------------------------------------------------------------


def test_an_event_is_delivered_once_signed_with_the_documented_headers(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    number = declare(seeded_db, clock.now()).number
    assert dispatcher(seeded_db, clock, http).run_until_idle() == 1
    [request] = receiver.requests
    assert request.signature_valid
    assert request.header("X-Firehouse-Event") == "incident.declared"
    assert request.header("Idempotency-Key") == f"{request.json()['id']}:{NAME}"
    assert request.header("X-Firehouse-Delivery") == str(only_delivery(seeded_db).id)
    assert request.json()["data"]["incident"]["number"] == number
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts, row.delivered_at) == ("delivered", 1, clock.now())


def test_a_subscription_receives_only_the_event_types_it_asked_for(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url, events=("incident.resolved",))
    number = declare(seeded_db, clock.now()).number
    add_note(seeded_db, clock, number)
    with seeded_db.write() as session:
        service.resolve(session, number, "Fixed", actor="bob", now=clock.now())
    dispatcher(seeded_db, clock, http).run_until_idle()
    assert receiver.event_types() == ["incident.resolved"]
    assert len(deliveries(seeded_db)) == 1


def test_the_log_kind_records_each_event_without_any_provider(
    seeded_db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with seeded_db.write() as session:
        session.add(Subscription(name="log", kind="log", event_types=[], settings={}))
    number = declare(seeded_db, clock.now()).number
    caplog.set_level("INFO", logger="firehouse.events")
    Dispatcher(seeded_db, {"log": LogHandler()}, clock).run_until_idle()
    assert f"incident.declared (incident {number}) delivered to log" in caplog.text
    assert only_delivery(seeded_db).state == "delivered"


# ordering ------------------------------------------------------------------------------------


def test_a_later_event_of_an_incident_waits_while_an_earlier_one_is_retried(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    number = declare(seeded_db, clock.now()).number
    add_note(seeded_db, clock, number)
    receiver.fail_next(1)
    worker = dispatcher(seeded_db, clock, http)
    worker.run_until_idle()
    assert len(receiver.requests) == 1  # the note was not sent ahead of the declaration
    assert [row.state for row in deliveries(seeded_db)] == ["pending", "pending"]
    clock.advance(seconds=2)
    worker.run_until_idle()
    assert receiver.event_types() == ["incident.declared", "incident.timeline_entry_added"]


def test_events_of_different_incidents_do_not_wait_for_each_other(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    first = declare(seeded_db, clock.now()).number
    second = declare(seeded_db, clock.now(), message="Search is slow").number
    receiver.fail_next(1)
    dispatcher(seeded_db, clock, http).run_once()
    assert numbers(receiver) == [second]
    assert [row.state for row in deliveries(seeded_db)] == ["pending", "delivered"]
    assert first != second


# back-off and dead letters ---------------------------------------------------------------------


def test_back_off_doubles_after_each_failed_attempt(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    receiver.fail_next(4, status=503)
    worker = dispatcher(seeded_db, clock, http)
    waits = []
    for _ in range(4):
        worker.run_until_idle()
        due = only_delivery(seeded_db).next_attempt_at
        waits.append((due - clock.now()).total_seconds())
        clock.advance(seconds=waits[-1])
    assert waits == [2, 4, 8, 16]
    worker.run_until_idle()
    assert only_delivery(seeded_db).state == "delivered"


def test_retry_after_from_a_429_is_honoured(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    receiver.fail_next(1, status=429, retry_after="120")
    worker = dispatcher(seeded_db, clock, http)
    worker.run_until_idle()
    assert only_delivery(seeded_db).next_attempt_at == clock.now() + timedelta(seconds=120)
    clock.advance(seconds=119)
    assert worker.run_until_idle() == 0
    clock.advance(seconds=1)
    assert worker.run_until_idle() == 1
    assert len(receiver.accepted) == 1


def test_after_max_attempts_the_delivery_is_dead_and_listed(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    receiver.fail_next(3)
    worker = dispatcher(seeded_db, clock, http, max_attempts=3)
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(minutes=20)
    assert worker.run_until_idle() == 0
    with seeded_db.read() as session:
        [(row, event)] = list_deliveries(session, dead_only=True)
        assert [d.id for d, _ in list_deliveries(session)] == [row.id]
    assert (row.state, row.attempts, event.type) == ("dead", 3, "incident.declared")
    assert row.last_error == f"HTTP 500 from {receiver.url}"


def test_retry_requeues_a_dead_delivery_which_then_delivers(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    receiver.fail_next(1)
    worker = dispatcher(seeded_db, clock, http, max_attempts=1)
    worker.run_until_idle()
    dead = only_delivery(seeded_db)
    assert dead.state == "dead"
    with seeded_db.write() as session:
        retry(session, dead.id, now=clock.now())
    assert worker.run_until_idle() == 1
    assert only_delivery(seeded_db).state == "delivered"
    with seeded_db.read() as session:
        assert list_deliveries(session, dead_only=True) == []
    assert receiver.event_types() == ["incident.declared"]


def test_retry_refuses_unknown_delivered_and_in_flight_deliveries(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now(), message="Search is slow")
    worker = dispatcher(seeded_db, clock, http, batch_size=1)
    worker.run_once()
    in_flight = worker.claim()[0].delivery_id
    delivered = deliveries(seeded_db)[0].id
    for delivery_id, refusal in ((999, NotFound), (delivered, Conflict), (in_flight, Conflict)):
        with pytest.raises(refusal) as refused, seeded_db.write() as session:
            retry(session, delivery_id, now=clock.now())
        assert refused.value.field == "id"


# configuration and secrets ---------------------------------------------------------------------


def test_a_missing_secret_fails_the_delivery_clearly_and_sends_nothing(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    dispatcher(seeded_db, clock, http, environ={}).run_until_idle()
    row = only_delivery(seeded_db)
    assert row.state == "pending"
    assert row.last_error is not None
    assert f"environment variable {SECRET_ENV}" in row.last_error
    assert receiver.requests == []


def test_stored_errors_hold_no_secret_and_no_url_credentials(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url.replace("http://", "http://ops-user:pw-123@") + "?key=k-456")
    declare(seeded_db, clock.now())
    receiver.fail_next(1, status=503)
    dispatcher(seeded_db, clock, http).run_until_idle()
    error = only_delivery(seeded_db).last_error or ""
    assert error == f"HTTP 503 from {receiver.url}"
    for credential in ("ops-user", "pw-123", "k-456", SECRET):
        assert credential not in error


def test_a_handler_crash_keeps_the_event_for_a_later_attempt(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    dispatcher(seeded_db, clock, http, handler=exploding).run_until_idle()
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == "unexpected RuntimeError: boom near https://hooks.example.com/x"
    clock.advance(seconds=2)
    dispatcher(seeded_db, clock, http).run_until_idle()
    assert only_delivery(seeded_db).state == "delivered"


def test_deliveries_to_a_deactivated_subscription_are_parked_until_retried(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    set_active(seeded_db, False)
    worker = dispatcher(seeded_db, clock, http)
    worker.run_until_idle()
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts) == ("dead", 0)
    assert row.last_error == f"subscription '{NAME}' is inactive; not sent"
    assert receiver.requests == []
    set_active(seeded_db, True)
    with seeded_db.write() as session:
        retry(session, row.id, now=clock.now())
    worker.run_until_idle()
    assert receiver.event_types() == ["incident.declared"]


def test_deliveries_to_a_removed_subscription_are_parked(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    with seeded_db.write() as session:
        session.delete(session.get_one(Subscription, NAME))
    dispatcher(seeded_db, clock, http).run_until_idle()
    assert only_delivery(seeded_db).last_error == f"subscription '{NAME}' is removed; not sent"
