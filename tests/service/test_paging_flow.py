"""Declaring an incident pages as its priority level says, through the real outbox on both
databases: P1 everyone on call, P2 the service's escalation policy, P3 nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from firehouse.catalog.model import Service
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service as incidents
from firehouse.oncall.flow import PagingFlow
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import OutboxDelivery
from tests.factories import declare
from tests.service.paging_support import (
    POLICY,
    add_on_call,
    notifications,
    page_events,
    pages,
    paging_timeline,
)


@pytest.fixture
def db(seeded_db: Database) -> Database:
    add_on_call(seeded_db, subscribe=True)
    return seeded_db


@pytest.fixture
def dispatcher(db: Database, clock: FakeClock) -> Dispatcher:
    return Dispatcher(db, {"paging": PagingFlow(db, clock)}, clock)


def declare_and_deliver(
    db: Database, clock: FakeClock, dispatcher: Dispatcher, priority: str, **extra: object
) -> None:
    declare(db, clock.now(), priority=priority, **extra)
    dispatcher.run_until_idle()


def change_priority(db: Database, clock: FakeClock, dispatcher: Dispatcher, priority: str) -> None:
    clock.advance(minutes=5)
    with db.write() as session:
        incidents.change_priority(session, 1, priority, actor="bob", now=clock.now())
    dispatcher.run_until_idle()


def test_a_p1_pages_everyone_on_call(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P1")
    [page] = pages(db)
    assert (page.reason, page.escalation_policy_id) == ("declared", None)
    assert {n.person_id for n in notifications(db)} == {"alice", "bob"}
    [(kind, text)] = paging_timeline(db)
    assert kind == "page.triggered"
    assert text.startswith(
        "Paged Alice Ng (on call: engineering/primary) and Bob Ortiz (on call: "
        "engineering/secondary)"
    )


def test_a_p2_follows_the_services_escalation_policy(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P2")
    [page] = pages(db)
    assert page.escalation_policy_id == POLICY
    assert {n.person_id for n in notifications(db)} == {"alice"}


def test_a_p3_pages_nobody(db: Database, clock: FakeClock, dispatcher: Dispatcher) -> None:
    declare_and_deliver(db, clock, dispatcher, "P3")
    assert pages(db) == []
    assert paging_timeline(db) == []


def test_a_training_incident_pages_nobody(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P1", training=True)
    assert pages(db) == []


def test_a_redelivered_declaration_raises_no_second_page(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P1")
    with db.write() as session:
        session.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.subscription == "paging")
            .values(state="pending", next_attempt_at=clock.now())
        )
    assert dispatcher.run_until_idle() == 1
    assert len(pages(db)) == 1
    assert len(notifications(db)) == 4


def test_a_p2_without_an_escalation_policy_says_so_on_the_timeline(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P2", service_id="cms")
    assert pages(db) == []
    assert paging_timeline(db) == [
        ("page.skipped", "Nobody paged: service cms has no escalation policy")
    ]


def test_a_p1_with_nobody_on_call_says_so_on_the_timeline(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    with db.write() as session:
        session.execute(update(Service).values(escalation_policy_id=None))
        from firehouse.oncall.model import Schedule  # noqa: PLC0415

        session.execute(update(Schedule).values(active=False))
    declare_and_deliver(db, clock, dispatcher, "P1")
    assert paging_timeline(db) == [("page.skipped", "Nobody paged: nobody is on call now")]


def test_raising_the_priority_to_a_stronger_rule_pages(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P3")
    change_priority(db, clock, dispatcher, "P2")
    change_priority(db, clock, dispatcher, "P1")
    assert [(p.reason, p.escalation_policy_id) for p in pages(db)] == [
        ("declared", POLICY),
        ("declared", None),
    ]


def test_lowering_the_priority_or_raising_it_back_pages_nobody_again(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P1")
    change_priority(db, clock, dispatcher, "P2")
    change_priority(db, clock, dispatcher, "P1")
    assert len(pages(db)) == 1


def test_the_page_event_is_on_the_incidents_stream(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(db, clock, dispatcher, "P1")
    [(kind, data)] = page_events(db)
    assert (kind, data["stream"], data["incident"], data["invite"]) == (
        "page.triggered",
        "incident:1",
        1,
        False,
    )
