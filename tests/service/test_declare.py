"""Declaring incidents: numbering, validation, and what gets recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.incidents import queries
from firehouse.incidents.model import Incident
from firehouse.outbox.model import OutboxEvent
from tests.factories import declare


def test_incidents_are_numbered_consecutively_from_one(
    seeded_db: Database, clock: FakeClock
) -> None:
    numbers = [declare(seeded_db, clock.now()).number for _ in range(3)]
    assert numbers == [1, 2, 3]


def test_declaring_records_a_timeline_entry_and_an_outbox_event(
    seeded_db: Database, clock: FakeClock
) -> None:
    incident = declare(seeded_db, clock.now(), priority="P1", message="Website is down")
    with seeded_db.read() as session:
        entries = queries.timeline(session, incident.number)
        events = session.scalars(select(OutboxEvent)).all()
    assert [e.kind for e in entries] == ["declared"]
    assert entries[0].text == "Declared P1 Critical on Website: Website is down"
    assert entries[0].actor == "alice"
    assert [e.type for e in events] == ["incident.declared"]
    assert events[0].stream == "incident:1"
    assert events[0].payload["incident"]["priority"] == "P1"


def test_declared_incident_carries_its_key_times(seeded_db: Database, clock: FakeClock) -> None:
    detected = clock.now() - timedelta(minutes=12)
    incident = declare(seeded_db, clock.now(), detected_at=detected)
    assert incident.detected_at == detected
    assert incident.created_at == clock.now()
    assert incident.acknowledged_at is None
    assert incident.status == "open"


def test_naming_a_commander_at_declaration_acknowledges_the_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    incident = declare(seeded_db, clock.now(), commander="bob")
    with seeded_db.read() as session:
        kinds = [e.kind for e in queries.timeline(session, incident.number)]
    assert incident.holders("commander") == ["bob"]
    assert incident.acknowledged_at == clock.now()
    assert kinds == ["declared", "role_assigned", "acknowledged"]


def test_p5_incidents_are_always_training(seeded_db: Database, clock: FakeClock) -> None:
    assert declare(seeded_db, clock.now(), priority="P5").training is True
    assert declare(seeded_db, clock.now(), priority="P3").training is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_id": "nope"}, "service"),
        ({"service_id": "legacy"}, "service"),
        ({"priority": "P9"}, "priority"),
        ({"message": "   "}, "message"),
        ({"commander": "mallory"}, "commander"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_bad_declarations_name_the_field_and_write_nothing(
    seeded_db: Database, clock: FakeClock, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        declare(seeded_db, clock.now(), **overrides)  # type: ignore[arg-type]
    assert refused.value.field == field
    with seeded_db.read() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_a_refused_declaration_does_not_use_up_a_number(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())
    with pytest.raises(InvalidInput):
        declare(seeded_db, clock.now(), service_id="nope")
    assert declare(seeded_db, clock.now()).number == 2


def test_detection_cannot_be_in_the_future(seeded_db: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        declare(seeded_db, clock.now(), detected_at=clock.now() + timedelta(hours=1))
    assert refused.value.field == "detected_at"


def test_a_new_incident_starts_at_version_one_and_its_event_says_so(
    seeded_db: Database, clock: FakeClock
) -> None:
    incident = declare(seeded_db, clock.now())
    with seeded_db.read() as session:
        event = session.scalars(select(OutboxEvent)).one()
    assert incident.version == 1
    assert event.payload["incident"]["version"] == 1
