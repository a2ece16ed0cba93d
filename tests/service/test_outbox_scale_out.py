"""The outbox with several workers and several deliveries in flight, on both databases:
concurrent delivery that keeps each incident's order, a graceful stop that hands unstarted
work back, permanent failures parked at once, and delivered rows pruned after retention."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from firehouse.outbox.retention import prune_delivered
from tests.factories import declare
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import (
    add_note,
    deliveries,
    dispatcher,
    numbers,
    only_delivery,
    subscribe,
)


class SlowRecorder:
    """A handler that takes a while and remembers how many calls overlapped."""

    def __init__(self, seconds: float = 0.1) -> None:
        self.seconds = seconds
        self.in_flight = 0
        self.most_in_flight = 0
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, envelope: Envelope) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.seconds)
        with self._lock:
            self.in_flight -= 1
            self.seen.append((envelope.stream, envelope.event_type))


def test_a_batch_of_different_incidents_is_delivered_side_by_side(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    subscribe(seeded_db, "http://127.0.0.1:9/unused")
    for _ in range(4):
        declare(seeded_db, clock.now())
    slow = SlowRecorder()
    worker = dispatcher(seeded_db, clock, http, handler=slow, concurrency=4)
    try:
        assert worker.run_once() == 4
    finally:
        worker.close()
    assert slow.most_in_flight == 4
    assert {row.state for row in deliveries(seeded_db)} == {"delivered"}


def test_concurrent_delivery_keeps_each_incidents_events_in_order(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    subscribe(seeded_db, "http://127.0.0.1:9/unused")
    first = declare(seeded_db, clock.now()).number
    second = declare(seeded_db, clock.now()).number
    for number in (first, second, first, second):
        add_note(seeded_db, clock, number)
    slow = SlowRecorder(seconds=0.02)
    worker = dispatcher(seeded_db, clock, http, handler=slow, concurrency=8)
    try:
        worker.run_until_idle()
    finally:
        worker.close()
    for stream in {stream for stream, _ in slow.seen}:
        types = [kind for seen_stream, kind in slow.seen if seen_stream == stream]
        assert types == [
            "incident.declared",
            "incident.timeline_entry_added",
            "incident.timeline_entry_added",
        ]
    assert len(slow.seen) == 6


def test_a_graceful_stop_finishes_the_delivery_in_hand_and_hands_back_the_rest(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    subscribe(seeded_db, "http://127.0.0.1:9/unused")
    for _ in range(3):
        declare(seeded_db, clock.now())
    delivered: list[int] = []
    worker: Dispatcher

    def stop_during_first(envelope: Envelope) -> None:
        worker.request_stop()  # SIGTERM arrives while this delivery is under way
        delivered.append(envelope.delivery_id)

    worker = dispatcher(seeded_db, clock, http, handler=stop_during_first)
    assert worker.run_once() == 3
    rows = deliveries(seeded_db)
    assert [row.state for row in rows] == ["delivered", "pending", "pending"]
    assert [(row.lease_owner, row.attempts) for row in rows[1:]] == [(None, 0), (None, 0)]
    other = dispatcher(seeded_db, clock, http, handler=lambda _envelope: None)
    assert other.run_until_idle() == 2  # at once, without waiting for a lease to expire


def test_a_stopped_dispatcher_leaves_its_loop(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    worker = dispatcher(seeded_db, clock, http)
    loop = threading.Thread(target=worker.run_forever, args=(threading.Event(), 30.0))
    loop.start()
    worker.request_stop()
    loop.join(timeout=5)
    assert not loop.is_alive()


def _deliver_once_to_a_gone_receiver(
    db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(db, receiver.url)
    declare(db, clock.now())
    receiver.fail_next(1, status=410)
    dispatcher(db, clock, http).run_until_idle()


def test_a_receiver_that_answers_gone_parks_the_delivery_at_once(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    _deliver_once_to_a_gone_receiver(seeded_db, clock, http, receiver)
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts) == ("dead", 1)
    assert "HTTP 410" in (row.last_error or "")


def test_a_server_error_is_still_retried(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    receiver.fail_next(1, status=500)
    worker = dispatcher(seeded_db, clock, http)
    worker.run_until_idle()
    assert only_delivery(seeded_db).state == "pending"
    clock.advance(seconds=5)
    worker.run_until_idle()
    assert only_delivery(seeded_db).state == "delivered"
    assert len(numbers(receiver)) == 1


def _counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(OutboxDelivery)) or 0,
            session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
        )


def test_delivered_rows_older_than_the_retention_are_pruned_with_their_events(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    subscribe(seeded_db, "http://127.0.0.1:9/unused")
    declare(seeded_db, clock.now())
    dispatcher(seeded_db, clock, http, handler=lambda _envelope: None).run_until_idle()
    clock.advance(days=20)
    declare(seeded_db, clock.now())  # recent: kept, and pending: kept anyway
    assert _counts(seeded_db) == (2, 2)
    assert prune_delivered(seeded_db, clock.now() - timedelta(days=14), chunk=1) == 1
    assert _counts(seeded_db) == (1, 1)
    assert only_delivery(seeded_db).state == "pending"


def test_dead_deliveries_are_never_pruned(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    _deliver_once_to_a_gone_receiver(seeded_db, clock, http, receiver)
    clock.advance(days=100)
    assert prune_delivered(seeded_db, clock.now()) == 0
    assert only_delivery(seeded_db).state == "dead"
