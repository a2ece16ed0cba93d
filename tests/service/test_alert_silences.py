"""Silences on both databases: matching alerts are recorded, never routed, while it lasts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from firehouse.alerts import silences
from firehouse.alerts.model import AlertSilence
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from tests.service.alert_support import (
    alert_event,
    all_alerts,
    deliver,
    incident_rule,
    incidents,
    set_routing,
)


def silence(db: Database, clock: FakeClock, **fields: Any) -> AlertSilence:
    arguments: dict[str, Any] = {
        "matchers": {"labels": {"instance": "web-1"}},
        "starts_at": None,
        "ends_at": clock.now() + timedelta(hours=2),
        "author": "alice",
        "reason": "Replacing the disk",
        **fields,
    }
    with db.write() as session:
        return silences.create_silence(session, now=clock.now(), **arguments)


def test_a_silenced_alert_is_recorded_and_not_routed(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    created = silence(seeded_db, clock)
    [result] = deliver(seeded_db, clock, alert_event())
    [alert] = all_alerts(seeded_db)
    assert (alert.action, alert.silenced_by) == ("silenced", created.id)
    assert result.incident_number is None
    assert incidents(seeded_db) == []


def test_an_alert_not_matching_the_silence_is_routed(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    silence(seeded_db, clock)
    deliver(seeded_db, clock, alert_event(labels={"severity": "critical", "instance": "web-2"}))
    assert len(incidents(seeded_db)) == 1


def test_a_silence_ends_at_its_end(seeded_db: Database, clock: FakeClock) -> None:
    set_routing(seeded_db, [incident_rule()])
    silence(seeded_db, clock, ends_at=clock.now() + timedelta(minutes=30))
    clock.advance(minutes=31)
    deliver(seeded_db, clock, alert_event())
    assert [a.action for a in all_alerts(seeded_db)] == ["incident"]


def test_a_scheduled_silence_is_not_active_yet(seeded_db: Database, clock: FakeClock) -> None:
    silence(seeded_db, clock, starts_at=clock.now() + timedelta(hours=1))
    with seeded_db.read() as session:
        assert silences.list_silences(session, active_only=True, now=clock.now()) == []
        assert len(silences.list_silences(session, active_only=False, now=clock.now())) == 1


def test_expiring_a_silence_ends_it_now_and_keeps_the_record(
    seeded_db: Database, clock: FakeClock
) -> None:
    created = silence(seeded_db, clock)
    with seeded_db.write() as session:
        expired = silences.expire_silence(session, created.id, actor="bob", now=clock.now())
    assert (expired.ends_at, expired.expired_by) == (clock.now(), "bob")
    deliver(seeded_db, clock, alert_event())
    assert [a.action for a in all_alerts(seeded_db)] == ["record"]


def test_expiring_an_ended_silence_is_a_conflict(seeded_db: Database, clock: FakeClock) -> None:
    created = silence(seeded_db, clock)
    with seeded_db.write() as session:
        silences.expire_silence(session, created.id, actor="bob", now=clock.now())
    with pytest.raises(Conflict), seeded_db.write() as session:
        silences.expire_silence(session, created.id, actor="bob", now=clock.now())


def test_expiring_an_unknown_silence_is_not_found(seeded_db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound), seeded_db.write() as session:
        silences.expire_silence(session, 404, actor="bob", now=clock.now())


def test_a_regex_silence_matches_the_whole_value(seeded_db: Database, clock: FakeClock) -> None:
    silence(seeded_db, clock, matchers={"regex": {"instance": "web-[0-9]+"}})
    deliver(seeded_db, clock, alert_event("a"), alert_event("b", labels={"instance": "web-1a"}))
    assert [a.action for a in all_alerts(seeded_db)] == ["silenced", "record"]


@pytest.mark.parametrize(
    ("matchers", "field"),
    [
        ({}, "matchers"),
        ([], "matchers"),
        ({"labels": {"a": 1}}, "matchers.labels"),
        ({"regex": {"a": "("}}, "matchers.regex.a"),
        ({"present": "a"}, "matchers.present"),
        ({"source": "nagios"}, "matchers.source"),
        ({"label": {"a": "b"}}, "matchers.label"),
    ],
)
def test_bad_matchers_are_refused_naming_the_field(
    seeded_db: Database, clock: FakeClock, matchers: Any, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        silences.create_silence(
            session,
            matchers=matchers,
            starts_at=None,
            ends_at=clock.now() + timedelta(hours=1),
            author="alice",
            reason="x",
            now=clock.now(),
        )
    assert refused.value.field == field


def test_a_window_already_over_is_refused(seeded_db: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        silence(seeded_db, clock, ends_at=clock.now() - timedelta(minutes=1))
    assert refused.value.field == "ends_at"


def test_a_silence_needs_a_reason(seeded_db: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        silence(seeded_db, clock, reason="  ")
    assert refused.value.field == "reason"
