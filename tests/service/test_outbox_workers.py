"""The outbox under failure, on both databases: a crash between commit and delivery, workers
that stall or die holding a lease, and several workers sharing one queue."""

from __future__ import annotations

import threading
import time

import httpx

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.integrations.webhooks import WebhookHandler
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.envelope import Envelope
from tests.factories import declare
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import (
    SECRET,
    SECRET_ENV,
    add_note,
    deliveries,
    dispatcher,
    only_delivery,
    refusing,
    subscribe,
)


def test_events_committed_but_never_dispatched_survive_a_restart(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    number = declare(seeded_db, clock.now()).number
    add_note(seeded_db, clock, number)
    seeded_db.dispose()  # the process dies before its dispatcher ran
    restarted = Database(seeded_db.url)
    try:
        dispatcher(restarted, clock, http).run_until_idle()
    finally:
        restarted.dispose()
    assert receiver.event_types() == ["incident.declared", "incident.timeline_entry_added"]


def test_an_expired_lease_is_taken_over_and_the_late_outcome_ignored(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    stalled = dispatcher(seeded_db, clock, http, handler=refusing, worker_id="stalled")
    [claimed] = stalled.claim()
    other = dispatcher(seeded_db, clock, http, worker_id="other")
    assert other.run_until_idle() == 0  # the lease still holds
    clock.advance(seconds=60)
    assert other.run_until_idle() == 1
    assert stalled.deliver(claimed) is False
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts, row.last_error) == ("delivered", 2, None)


def test_a_late_outcome_is_ignored_while_the_new_owner_is_still_sending(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    stalled = dispatcher(seeded_db, clock, http, worker_id="stalled")
    [late] = stalled.claim()
    clock.advance(seconds=61)
    other = dispatcher(seeded_db, clock, http, handler=refusing, worker_id="other")
    [current] = other.claim()
    assert stalled.deliver(late) is False  # sent (the receiver drops the copy), not recorded
    assert only_delivery(seeded_db).state == "pending"
    assert other.deliver(current) is True
    assert only_delivery(seeded_db).last_error == "receiver said no"


def test_a_delivery_that_keeps_killing_its_worker_is_parked_as_dead(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    for worker_id in ("first", "second"):
        assert len(dispatcher(seeded_db, clock, http, worker_id=worker_id, max_attempts=2).claim())
        clock.advance(seconds=61)  # ... and the worker died
    assert dispatcher(seeded_db, clock, http, max_attempts=2).run_until_idle() == 1
    row = only_delivery(seeded_db)
    assert (row.state, row.attempts) == ("dead", 2)
    assert "lease expired" in (row.last_error or "")
    assert receiver.requests == []


def test_a_batch_skips_deliveries_whose_lease_ran_out_while_it_worked(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now(), message="Search is slow")
    webhook = WebhookHandler(http, environ={SECRET_ENV: SECRET})

    def slow(envelope: Envelope) -> None:
        webhook(envelope)
        clock.advance(seconds=61)

    dispatcher(seeded_db, clock, http, handler=slow).run_once()
    assert [row.state for row in deliveries(seeded_db)] == ["delivered", "pending"]
    assert len(receiver.requests) == 1


def test_an_idle_round_commits_nothing_so_the_dispatcher_does_not_wake_itself(
    seeded_db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    commits: list[int] = []
    seeded_db.on_commit(lambda: commits.append(1))
    assert dispatcher(seeded_db, clock, http).run_once() == 0
    assert commits == []


def test_concurrent_workers_never_claim_the_same_delivery(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    for index in range(24):
        declare(seeded_db, clock.now(), message=f"Incident {index}")
    workers = [dispatcher(seeded_db, clock, http, batch_size=3) for _ in range(2)]
    claimed = run_in_threads(workers)
    all_ids = [row.id for row in deliveries(seeded_db)]
    assert sorted(claimed) == all_ids  # each exactly once


def run_in_threads(workers: list[Dispatcher]) -> list[int]:
    start = threading.Barrier(len(workers))
    claimed: list[int] = []

    def drain(worker: Dispatcher) -> None:
        start.wait()
        while batch := worker.claim():
            claimed.extend(envelope.delivery_id for envelope in batch)

    threads = [threading.Thread(target=drain, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return claimed


def test_a_commit_wakes_a_running_dispatcher_without_waiting_for_the_poll(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    worker = dispatcher(seeded_db, clock, http)
    seeded_db.on_commit(worker.wake)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, 60.0))
    thread.start()
    try:
        declare(seeded_db, clock.now())
        deadline = time.monotonic() + 10
        while not receiver.accepted and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        worker.wake()
        thread.join(timeout=10)
    assert receiver.event_types() == ["incident.declared"]
    assert not thread.is_alive()
