"""The batch's fast lane: repeats of open alerts counted in bulk, with the same outcome as one
by one, and a careful fallback whenever order or a concurrent change could matter."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import update

from firehouse.alerts import service_bulk
from firehouse.alerts.batching import IngestBatcher, _Job
from firehouse.alerts.events import Action, IngestResult, Outcome
from firehouse.alerts.model import Alert
from firehouse.clock import FakeClock
from firehouse.db import Database
from tests.service.alert_support import (
    alert_event,
    all_alerts,
    deliver,
    incident_rule,
    set_routing,
)


def store(db: Database, clock: FakeClock, *deliveries: list[Any]) -> list[list[IngestResult]]:
    jobs = [_Job(events, "default") for events in deliveries]
    IngestBatcher(db, clock).store(jobs)
    return [job.future.result() for job in jobs]


def test_repeats_across_a_batch_are_counted_once_each_with_the_newest_content(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, alert_event("a"), alert_event("b"))
    clock.advance(seconds=30)
    results = store(
        seeded_db,
        clock,
        [alert_event("a"), alert_event("b")],
        [alert_event("a", summary="Disk full on web-1 (now 99%)")],
    )
    assert [[r.outcome for r in rs] for rs in results] == [
        [Outcome.REPEATED, Outcome.REPEATED],
        [Outcome.REPEATED],
    ]
    a, b = all_alerts(seeded_db)
    assert (a.count, b.count) == (3, 2)
    assert a.summary == "Disk full on web-1 (now 99%)"
    assert a.last_seen_at == clock.now()
    assert results[0][0].alert_id == a.id


def test_a_repeat_answers_with_the_incident_its_alert_raised(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule(priority="P2", service="website")])
    [first] = deliver(seeded_db, clock, alert_event("db-down"))
    assert first.incident_number is not None
    [[again]] = store(seeded_db, clock, [alert_event("db-down")])
    assert (again.outcome, again.incident_number) == (Outcome.REPEATED, first.incident_number)


def test_a_resolve_in_the_same_batch_keeps_payload_order(
    seeded_db: Database, clock: FakeClock
) -> None:
    """Fire, resolve, fire again within one batch: the second firing is a new alert, as it
    would be one delivery at a time."""
    deliver(seeded_db, clock, alert_event("a"))
    results = store(
        seeded_db,
        clock,
        [alert_event("a")],
        [alert_event("a", action=Action.RESOLVE)],
        [alert_event("a")],
    )
    assert [rs[0].outcome for rs in results] == [
        Outcome.REPEATED,
        Outcome.RESOLVED,
        Outcome.CREATED,
    ]
    old, new = all_alerts(seeded_db)
    assert (old.status, old.count) == ("resolved", 2)
    assert (new.status, new.count) == ("open", 1)


def test_an_alert_resolved_between_lookup_and_count_falls_back_to_the_careful_way(
    seeded_db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What another process resolving the alert at that instant looks like: the guarded
    UPDATE counts fewer rows than it was given, and nothing of the lane is kept."""
    deliver(seeded_db, clock, alert_event("a"), alert_event("b"))
    looked_up = service_bulk._open_alerts

    def lookup_then_resolve_a(session: Any, keys: list[str]) -> Any:
        found = looked_up(session, keys)
        session.execute(
            update(Alert).where(Alert.fingerprint == "a").values(open_key=None, status="resolved")
        )
        return found

    monkeypatch.setattr(service_bulk, "_open_alerts", lookup_then_resolve_a)
    [[a, b]] = store(seeded_db, clock, [alert_event("a"), alert_event("b")])

    assert (a.outcome, b.outcome) == (Outcome.CREATED, Outcome.REPEATED)
    counts = {(alert.fingerprint, alert.status): alert.count for alert in all_alerts(seeded_db)}
    assert counts == {("a", "resolved"): 1, ("b", "open"): 2, ("a", "open"): 1}


def test_batches_on_postgresql_wait_for_each_others_alert_keys_instead_of_deadlocking(
    database_url: str, seeded_db: Database
) -> None:
    """Two processes' batches naming the same alerts in opposite orders: the second waits for
    the first to commit, where crosswise row locks would deadlock."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time")
    other_process = Database(database_url)
    entered, locked = threading.Event(), threading.Event()

    def second_batch() -> None:
        with other_process.write() as session:
            entered.set()
            service_bulk.lock_keys(session, [[alert_event("b"), alert_event("a")]])
            locked.set()

    try:
        with seeded_db.write() as session:
            service_bulk.lock_keys(session, [[alert_event("a"), alert_event("b")]])
            waiter = threading.Thread(target=second_batch)
            waiter.start()
            assert entered.wait(5)
            assert not locked.wait(0.3)  # held until the first batch commits
        assert locked.wait(5)
        waiter.join(5)
    finally:
        other_process.dispose()
