"""Deduplication on both databases: one alert per open fingerprint, repeats counted, resolve
ends it, and concurrent first deliveries never make two."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from firehouse.alerts import service
from firehouse.alerts.events import Action, Outcome, Source
from firehouse.alerts.service_ingest import MAX_RAW_BYTES
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, NotFound
from firehouse.outbox.model import OutboxEvent
from tests.service.alert_support import alert_event, all_alerts, deliver


def test_a_first_delivery_opens_an_alert_with_what_was_sent(
    seeded_db: Database, clock: FakeClock
) -> None:
    [result] = deliver(seeded_db, clock, alert_event(), integration="prometheus")
    assert result.outcome is Outcome.CREATED
    [alert] = all_alerts(seeded_db)
    assert result.alert_id == alert.id
    assert (alert.status, alert.count, alert.integration, alert.source) == (
        "open",
        1,
        "prometheus",
        "alertmanager",
    )
    assert alert.labels["instance"] == "web-1"
    assert alert.links["generator"].startswith("https://prometheus")
    assert alert.raw == {"status": "firing", "fingerprint": "disk-full"}
    assert alert.first_seen_at == clock.now()


def test_a_repeat_counts_and_takes_the_newest_content(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, alert_event())
    clock.advance(minutes=5)
    [result] = deliver(
        seeded_db, clock, alert_event(summary="Disk full on web-1", labels={"a": "b"})
    )
    assert result.outcome is Outcome.REPEATED
    [alert] = all_alerts(seeded_db)
    assert (alert.count, alert.summary, alert.labels) == (2, "Disk full on web-1", {"a": "b"})
    assert alert.last_seen_at == clock.now()
    assert alert.first_seen_at == clock.now() - timedelta(minutes=5)


def test_repeats_within_one_delivery_are_counted(seeded_db: Database, clock: FakeClock) -> None:
    results = deliver(seeded_db, clock, alert_event(), alert_event(), alert_event())
    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.REPEATED, Outcome.REPEATED]
    assert [alert.count for alert in all_alerts(seeded_db)] == [3]


def test_resolve_ends_the_alert(seeded_db: Database, clock: FakeClock) -> None:
    deliver(seeded_db, clock, alert_event())
    [result] = deliver(seeded_db, clock, alert_event(action=Action.RESOLVE))
    assert result.outcome is Outcome.RESOLVED
    [alert] = all_alerts(seeded_db)
    assert (alert.status, alert.open_key, alert.resolved_at) == ("resolved", None, clock.now())


def test_a_firing_after_resolve_opens_a_new_alert(seeded_db: Database, clock: FakeClock) -> None:
    deliver(seeded_db, clock, alert_event(), alert_event(action=Action.RESOLVE))
    [result] = deliver(seeded_db, clock, alert_event())
    assert result.outcome is Outcome.CREATED
    assert [a.status for a in all_alerts(seeded_db)] == ["resolved", "open"]


def test_resolve_for_nothing_open_is_ignored(seeded_db: Database, clock: FakeClock) -> None:
    [result] = deliver(seeded_db, clock, alert_event(action=Action.RESOLVE))
    assert (result.outcome, result.alert_id) == (Outcome.IGNORED, None)
    assert all_alerts(seeded_db) == []


def test_acknowledge_keeps_the_alert_open_and_deduplicating(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, alert_event())
    [ack] = deliver(seeded_db, clock, alert_event(action=Action.ACKNOWLEDGE))
    [repeat] = deliver(seeded_db, clock, alert_event())
    assert (ack.outcome, repeat.outcome) == (Outcome.ACKNOWLEDGED, Outcome.REPEATED)
    [alert] = all_alerts(seeded_db)
    assert (alert.status, alert.acknowledged_at, alert.count) == ("acknowledged", clock.now(), 2)


def test_the_same_fingerprint_from_another_source_is_another_alert(
    seeded_db: Database, clock: FakeClock
) -> None:
    deliver(seeded_db, clock, alert_event(), alert_event(source=Source.GENERIC))
    assert len(all_alerts(seeded_db)) == 2


def test_pagerduty_resolve_under_another_routing_key_is_ignored(
    seeded_db: Database, clock: FakeClock
) -> None:
    opened = alert_event(source=Source.PAGERDUTY, scope="key-a")
    deliver(seeded_db, clock, opened)
    [other] = deliver(
        seeded_db, clock, alert_event(source=Source.PAGERDUTY, scope="key-b", action=Action.RESOLVE)
    )
    [ack] = deliver(
        seeded_db,
        clock,
        alert_event(source=Source.PAGERDUTY, scope="key-b", action=Action.ACKNOWLEDGE),
    )
    assert (other.outcome, ack.outcome) == (Outcome.IGNORED, Outcome.IGNORED)
    assert [(a.status, a.acknowledged_at) for a in all_alerts(seeded_db)] == [("open", None)]


def test_opsgenie_close_by_id_addresses_the_alert_id(seeded_db: Database, clock: FakeClock) -> None:
    [created] = deliver(
        seeded_db, clock, alert_event(source=Source.OPSGENIE, fingerprint="db-down")
    )
    close = alert_event(
        source=Source.OPSGENIE, fingerprint=f"id:{created.alert_id}", action=Action.RESOLVE
    )
    [result] = deliver(seeded_db, clock, close)
    assert (result.outcome, result.alert_id) == (Outcome.RESOLVED, created.alert_id)
    assert [a.status for a in all_alerts(seeded_db)] == ["resolved"]


def test_opsgenie_close_by_an_unknown_id_is_ignored(seeded_db: Database, clock: FakeClock) -> None:
    deliver(seeded_db, clock, alert_event(source=Source.OPSGENIE))
    for reference in ("id:999", "id:not-a-number"):
        [result] = deliver(
            seeded_db,
            clock,
            alert_event(source=Source.OPSGENIE, fingerprint=reference, action=Action.RESOLVE),
        )
        assert result.outcome is Outcome.IGNORED


def test_an_oversized_raw_payload_is_cut_with_a_note(seeded_db: Database, clock: FakeClock) -> None:
    deliver(seeded_db, clock, alert_event(raw={"blob": "x" * (MAX_RAW_BYTES * 2)}))
    [alert] = all_alerts(seeded_db)
    assert alert.raw_truncated
    assert alert.raw_size > MAX_RAW_BYTES * 2
    assert len(alert.raw["truncated_json"].encode()) <= MAX_RAW_BYTES
    assert "cut at" in alert.raw["note"]


def test_a_very_long_fingerprint_still_deduplicates(seeded_db: Database, clock: FakeClock) -> None:
    long = "f" * 1000
    deliver(seeded_db, clock, alert_event(long), alert_event(long))
    assert [a.count for a in all_alerts(seeded_db)] == [2]


def test_two_concurrent_first_deliveries_make_one_alert(
    seeded_db: Database, clock: FakeClock
) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def send() -> None:
        barrier.wait()
        outcomes.extend(r.outcome for r in deliver(seeded_db, clock, alert_event()))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [Outcome.CREATED, Outcome.REPEATED]
    assert [a.count for a in all_alerts(seeded_db)] == [2]


# -- acknowledge and resolve by a person -----------------------------------------------------


def test_a_person_acknowledges_an_alert(seeded_db: Database, clock: FakeClock) -> None:
    [created] = deliver(seeded_db, clock, alert_event())
    assert created.alert_id is not None
    with seeded_db.write() as session:
        alert = service.acknowledge(session, created.alert_id, actor="alice", now=clock.now())
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", "alice")


def test_a_resolved_alert_cannot_be_acknowledged(seeded_db: Database, clock: FakeClock) -> None:
    [created] = deliver(seeded_db, clock, alert_event(), alert_event(action=Action.RESOLVE))[:1]
    assert created.alert_id is not None
    with pytest.raises(Conflict), seeded_db.write() as session:
        service.acknowledge(session, created.alert_id, actor="alice", now=clock.now())


def test_a_person_resolving_frees_the_fingerprint(seeded_db: Database, clock: FakeClock) -> None:
    [created] = deliver(seeded_db, clock, alert_event())
    assert created.alert_id is not None
    with seeded_db.write() as session:
        alert = service.resolve(session, created.alert_id, actor="alice", now=clock.now())
        again = service.resolve(session, created.alert_id, actor="bob", now=clock.now())
    assert (alert.status, again.resolved_by) == ("resolved", "alice")
    [next_one] = deliver(seeded_db, clock, alert_event())
    assert next_one.outcome is Outcome.CREATED


def test_acting_on_an_unknown_alert_is_not_found(seeded_db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound), seeded_db.write() as session:
        service.resolve(session, 12345, actor="alice", now=clock.now())


def test_recording_an_alert_emits_no_event(seeded_db: Database, clock: FakeClock) -> None:
    deliver(seeded_db, clock, alert_event(), alert_event(action=Action.RESOLVE))
    with seeded_db.read() as session:
        assert session.scalars(select(OutboxEvent)).all() == []
