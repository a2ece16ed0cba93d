"""Routing new alerts on both databases: incidents raised once per rule and service, storms
coalesced, the alerts channel told, drops kept quiet."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select

from firehouse.alerts.events import Action, Outcome
from firehouse.alerts.model import AlertGroup
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service as incident_service
from firehouse.outbox.events import EventType
from firehouse.outbox.model import OutboxEvent
from tests.service.alert_support import (
    alert_event,
    all_alerts,
    deliver,
    incident_rule,
    incidents,
    set_routing,
    timeline_texts,
)


def events_of(db: Database, event_type: EventType) -> list[OutboxEvent]:
    with db.read() as session:
        query = select(OutboxEvent).where(OutboxEvent.type == event_type.value)
        return list(session.scalars(query.order_by(OutboxEvent.id)))


def test_an_incident_rule_raises_an_incident_from_the_alert(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule(priority="P2")])
    [result] = deliver(seeded_db, clock, alert_event())
    [incident] = incidents(seeded_db)
    assert result.incident_number == incident.number
    assert (incident.priority, incident.service_id, incident.message) == (
        "P2",
        "website",
        "Disk almost full on web-1",
    )
    assert incident.reporter == "alerts:critical"
    assert incident.source_url == "https://prometheus.example.com/graph?g0.expr=disk"
    [alert] = all_alerts(seeded_db)
    assert (alert.action, alert.rule, alert.incident_id) == ("incident", "critical", incident.id)


def test_without_a_priority_anywhere_the_incident_is_p3(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, alert_event())
    assert [i.priority for i in incidents(seeded_db)] == ["P3"]


def test_repeats_do_not_route_again(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    results = deliver(seeded_db, clock, alert_event(), alert_event(), alert_event())
    assert len(incidents(seeded_db)) == 1
    assert {r.incident_number for r in results} == {1}


def test_an_alert_storm_makes_one_incident(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, *[alert_event(f"alert-{n}") for n in range(30)])
    assert len(incidents(seeded_db)) == 1
    assert {a.incident_id for a in all_alerts(seeded_db)} == {incidents(seeded_db)[0].id}


def test_a_storm_is_coalesced_on_the_timeline(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, *[alert_event(f"alert-{n}") for n in range(30)])
    texts = timeline_texts(seeded_db, 1, kind="alert")
    # the raising alert, the next three one by one, then the milestones 10 and 25
    assert len(texts) == 6
    assert texts[0].startswith("Raised by alert")
    assert texts[-1].startswith("25 alerts attached in all (15 since the last entry)")


def test_another_service_gets_its_own_incident(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, alert_event("a"), alert_event("b", service="cms"))
    assert sorted(i.service_id for i in incidents(seeded_db)) == ["cms", "website"]


def test_after_the_incident_is_resolved_a_new_alert_raises_a_new_one(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, alert_event("a"))
    with seeded_db.write() as session:
        incident_service.resolve(session, 1, "Disk replaced", actor="alice", now=clock.now())
    [result] = deliver(seeded_db, clock, alert_event("b"))
    assert result.incident_number == 2
    with seeded_db.read() as session:
        groups = session.scalars(select(AlertGroup).order_by(AlertGroup.id)).all()
        assert [g.open_key is None for g in groups] == [True, False]


def test_when_every_attached_alert_resolves_the_timeline_says_so_once(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    deliver(seeded_db, clock, alert_event("a"), alert_event("b"))
    deliver(seeded_db, clock, alert_event("a", action=Action.RESOLVE))
    assert timeline_texts(seeded_db, 1, kind="alerts_resolved") == []
    deliver(seeded_db, clock, alert_event("b", action=Action.RESOLVE))
    deliver(seeded_db, clock, alert_event("b", action=Action.RESOLVE))
    [text] = timeline_texts(seeded_db, 1, kind="alerts_resolved")
    assert text.startswith("All 2 alerts attached to this incident resolved")
    assert [i.status for i in incidents(seeded_db)] == ["open"]


def test_an_alert_naming_no_known_service_is_recorded_with_a_note(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    [result] = deliver(seeded_db, clock, alert_event(service="nonexistent"))
    assert result.outcome is Outcome.CREATED
    assert incidents(seeded_db) == []
    [alert] = all_alerts(seeded_db)
    assert alert.action == "record"
    assert "no known service" in alert.route_note


def test_concurrent_alerts_of_one_group_raise_one_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    barrier = threading.Barrier(4)

    def send(fingerprint: str) -> None:
        barrier.wait()
        deliver(seeded_db, clock, alert_event(fingerprint))

    threads = [threading.Thread(target=send, args=(f"f{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(incidents(seeded_db)) == 1
    assert len({a.incident_id for a in all_alerts(seeded_db)}) == 1


def test_the_same_payload_twice_concurrently_makes_at_most_one_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [incident_rule()])
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        deliver(seeded_db, clock, alert_event())

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(incidents(seeded_db)) == 1
    assert [a.count for a in all_alerts(seeded_db)] == [2]


# -- channel, record, drop -------------------------------------------------------------------


def test_a_channel_rule_emits_an_event_the_chat_side_can_post(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [{"name": "post", "action": "channel", "business_hours_only": True}])
    [result] = deliver(seeded_db, clock, alert_event())
    [event] = events_of(seeded_db, EventType.ALERT_ROUTED_TO_CHANNEL)
    assert event.stream == f"alert:{result.alert_id}"
    assert event.payload["alert"]["summary"] == "Disk almost full on web-1"
    assert event.payload["alert"]["labels"]["instance"] == "web-1"
    assert event.payload["route"] == {
        "rule": "post",
        "business_hours_only": True,
        "in_business_hours": True,
        "team": "platform",
    }


def test_business_hours_only_records_outside_the_teams_hours(seeded_db: Database) -> None:
    sunday = FakeClock(datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
    hours = {
        "platform": {"timezone": "Europe/Berlin", "days": ["mon"], "start": "09:00", "end": "18:00"}
    }
    rules = [{"name": "post", "action": "channel", "business_hours_only": True}]
    set_routing(seeded_db, rules, business_hours=hours)
    deliver(seeded_db, sunday, alert_event())
    assert events_of(seeded_db, EventType.ALERT_ROUTED_TO_CHANNEL) == []
    assert [a.action for a in all_alerts(seeded_db)] == ["record"]


def test_a_posted_alert_that_resolves_is_told_on_its_stream(
    seeded_db: Database, clock: FakeClock
) -> None:
    set_routing(seeded_db, [], default="channel")
    [created] = deliver(seeded_db, clock, alert_event())
    deliver(seeded_db, clock, alert_event(action=Action.RESOLVE))
    [event] = events_of(seeded_db, EventType.ALERT_RESOLVED)
    assert event.stream == f"alert:{created.alert_id}"
    assert event.payload["alert"]["status"] == "resolved"


def test_a_dropped_alert_keeps_no_payload_but_counts(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [{"name": "watchdog", "action": "drop"}])
    deliver(seeded_db, clock, alert_event(details={"k": "v"}), alert_event(details={"k": "v"}))
    [alert] = all_alerts(seeded_db)
    assert (alert.action, alert.raw, alert.details, alert.count) == ("dropped", {}, {}, 2)
    assert incidents(seeded_db) == []
