"""Paging use cases on both databases: raising a page, acknowledging it, cancelling it,
escalating an incident to point-people, and two workers advancing the same page."""

from __future__ import annotations

import pytest

from firehouse.catalog.model import Service
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.incidents.model import Incident
from firehouse.oncall import paging
from firehouse.oncall.escalation_tasks import advance_due_pages
from firehouse.oncall.flow import page_message
from firehouse.oncall.model import Page
from tests.factories import declare
from tests.service.paging_support import (
    POLICY,
    add_on_call,
    notifications,
    page_events,
    pages,
    paging_timeline,
    raise_page,
    tick,
    timeline,
)


@pytest.fixture
def db(seeded_db: Database) -> Database:
    add_on_call(seeded_db)
    return seeded_db


def ack(db: Database, clock: FakeClock, page_id: int, via: str = "api") -> Page:
    with db.write() as session:
        return paging.acknowledge_page(
            session, page_id, person_id="alice", actor="alice", via=via, now=clock.now()
        )


def acknowledged_at(db: Database, number: int = 1) -> object:
    with db.read() as session:
        return session.query(Incident).filter_by(number=number).one().acknowledged_at


# raising ---------------------------------------------------------------------------------------
def test_a_service_page_follows_the_services_escalation_policy(
    db: Database, clock: FakeClock
) -> None:
    raise_page(db, clock, service="website")
    assert the_policy(db) == POLICY


def test_a_service_without_a_policy_pages_its_point_people(db: Database, clock: FakeClock) -> None:
    raise_page(db, clock, service="cms")
    assert {(n.person_id, n.target) for n in notifications(db)} == {
        ("carol", "point-person of cms")
    }


def test_a_schedule_layer_page_reaches_who_holds_that_layer(db: Database, clock: FakeClock) -> None:
    raise_page(db, clock, schedule="engineering", layer="secondary")
    assert {n.person_id for n in notifications(db)} == {"bob"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"person": "alice", "service": "website"}, "person"),
        ({}, "person"),
        ({"person": "nobody"}, "person"),
        ({"service": "legacy"}, "service"),
        ({"escalation_policy": "missing"}, "escalation_policy"),
        ({"schedule": "engineering", "layer": "tertiary"}, "layer"),
        ({"person": "alice", "layer": "primary"}, "layer"),
        ({"person": "alice", "incident": 99}, "incident"),
        ({"person": "alice", "message": "  "}, "message"),
    ],
)
def test_bad_page_requests_name_the_field(
    db: Database, clock: FakeClock, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        raise_page(db, clock, **fields)
    assert refused.value.field == field
    assert pages(db) == []


def test_the_same_trigger_key_returns_the_first_page(db: Database, clock: FakeClock) -> None:
    first = raise_page(db, clock, person="alice", trigger_key="alert:7")
    again = raise_page(db, clock, person="bob", trigger_key="alert:7")
    assert first == again
    assert len(notifications(db)) == 2  # alice's slack and email, once


# acknowledging ---------------------------------------------------------------------------------
def test_acknowledging_records_who_how_and_when(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, escalation_policy=POLICY)
    clock.advance(minutes=2)
    page = ack(db, clock, page_id, via="cli")
    assert (page.status, page.acknowledged_by, page.acknowledged_via) == (
        "acknowledged",
        "alice",
        "cli",
    )
    assert page.acknowledged_at == clock.now()
    assert page.next_step_at is None


def test_acknowledging_sets_the_incidents_acknowledged_time(db: Database, clock: FakeClock) -> None:
    declare(db, clock.now(), priority="P4")
    page_id = raise_page(db, clock, escalation_policy=POLICY, incident=1)
    clock.advance(minutes=3)
    ack(db, clock, page_id)
    assert acknowledged_at(db) == clock.now()
    kinds = [kind for kind, _text in timeline(db)]
    assert kinds[-2:] == ["page.acknowledged", "acknowledged"]
    assert paging_timeline(db)[-1] == (
        "page.acknowledged",
        "Alice Ng acknowledged the page (via api)",
    )


def test_a_later_page_does_not_move_the_incidents_first_acknowledgement(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P4")
    first = raise_page(db, clock, person="alice", incident=1)
    second = raise_page(db, clock, person="bob", incident=1)
    ack(db, clock, first)
    acknowledged = clock.now()
    clock.advance(minutes=5)
    ack(db, clock, second)
    assert acknowledged_at(db) == acknowledged


def test_acknowledging_twice_changes_nothing_the_second_time(
    db: Database, clock: FakeClock
) -> None:
    page_id = raise_page(db, clock, person="alice")
    first = ack(db, clock, page_id, via="link")
    clock.advance(minutes=1)
    second = ack(db, clock, page_id, via="api")
    assert (second.acknowledged_at, second.acknowledged_via) == (first.acknowledged_at, "link")
    assert [kind for kind, _ in page_events(db)] == ["page.triggered", "page.acknowledged"]


def test_an_exhausted_page_can_still_be_acknowledged(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, person="alice")
    clock.advance(hours=1)
    tick(db, clock.now())
    assert ack(db, clock, page_id).status == "acknowledged"


def test_acknowledging_an_unknown_page_is_not_found(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        ack(db, clock, 404)


def test_acknowledging_by_an_unknown_means_is_refused(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, person="alice")
    with pytest.raises(InvalidInput) as refused:
        ack(db, clock, page_id, via="pigeon")
    assert refused.value.field == "via"


# cancelling ------------------------------------------------------------------------------------
def test_cancelling_stops_the_page_and_skips_what_was_waiting(
    db: Database, clock: FakeClock
) -> None:
    page_id = raise_page(db, clock, escalation_policy=POLICY)
    with db.write() as session:
        paging.cancel_page(session, page_id, actor="carol", now=clock.now())
    clock.advance(hours=1)
    tick(db, clock.now())
    assert [n.state for n in notifications(db)] == ["queued", "skipped"]
    with pytest.raises(Conflict):
        ack(db, clock, page_id)


def test_an_acknowledged_page_cannot_be_cancelled(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, person="alice")
    ack(db, clock, page_id)
    with db.write() as session, pytest.raises(Conflict):
        paging.cancel_page(session, page_id, actor="carol", now=clock.now())


# point-people ----------------------------------------------------------------------------------
def escalate(db: Database, clock: FakeClock, **fields: str) -> Page:
    with db.write() as session:
        return paging.escalate_to_point_people(
            session,
            1,
            actor="bob",
            now=clock.now(),
            **fields,  # type: ignore[arg-type]
        )


def test_escalating_pages_the_incidents_service_point_people_and_invites_them(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P3", service_id="cms")
    page = escalate(db, clock)
    assert page.reason == "point_person"
    [(kind, data)] = page_events(db)
    assert (kind, data["people"], data["invite"]) == ("page.triggered", ["carol"], True)
    assert "Paged Carol Diaz (point-person of cms)" in paging_timeline(db)[0][1]


def test_escalating_can_name_another_service_or_one_person(db: Database, clock: FakeClock) -> None:
    declare(db, clock.now(), priority="P3")
    escalate(db, clock, service_id="cms")
    escalate(db, clock, person_id="dan")
    assert [data["people"] for _kind, data in page_events(db)] == [["carol"], ["dan"]]


def test_escalating_again_while_the_page_escalates_returns_it(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P3")
    assert escalate(db, clock).id == escalate(db, clock).id
    assert len(pages(db)) == 1


def test_escalating_to_a_service_without_point_people_is_refused(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P3")
    with db.write() as session:
        session.get_one(Service, "website").point_people = []
    with pytest.raises(InvalidInput) as refused:
        escalate(db, clock)
    assert refused.value.field == "service"


def test_escalating_an_unknown_incident_is_not_found(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        escalate(db, clock)


# workers ---------------------------------------------------------------------------------------
def test_two_workers_never_advance_the_same_page_twice(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    raise_page(db, clock, escalation_policy=POLICY)
    clock.advance(minutes=5)
    other = Database(database_url)
    try:
        with db.write() as session:
            assert advance_due_pages(session, clock.now(), skip_locked=True) == 1
            # While the first worker holds the page, the second one passes it by.
            tick(other, clock.now())
        tick(other, clock.now())
    finally:
        other.dispose()
    assert sorted((n.step, n.person_id, n.method) for n in notifications(db)) == [
        (0, "alice", "email"),
        (0, "alice", "slack"),
        (1, "bob", "email"),
        (1, "bob", "slack"),
    ]


def the_policy(db: Database) -> str | None:
    [page] = pages(db)
    return page.escalation_policy_id


# private incidents -----------------------------------------------------------------------------


def test_acknowledging_a_page_of_a_private_incident_makes_the_person_a_responder(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P1", reporter="carol", private=True)
    page_id = raise_page(db, clock, person="alice", incident=1)
    ack(db, clock, page_id)
    with db.read() as session:
        incident = session.query(Incident).filter_by(number=1).one()
        assert ("responder", "alice") in {(a.role, a.person_id) for a in incident.roles}


def test_acknowledging_a_page_of_an_ordinary_incident_assigns_no_role(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P1")
    page_id = raise_page(db, clock, person="alice", incident=1)
    ack(db, clock, page_id)
    with db.read() as session:
        assert session.query(Incident).filter_by(number=1).one().roles == []


def test_a_page_of_a_private_incident_tells_nothing_of_it() -> None:
    private = page_message(4, "P1", {"message": "Customer records exposed", "private": True})
    ordinary = page_message(4, "P1", {"message": "Checkout down"})
    assert "Customer records" not in private
    assert private.startswith("Incident #4 (P1)")
    assert ordinary == "Incident #4 (P1): Checkout down"
