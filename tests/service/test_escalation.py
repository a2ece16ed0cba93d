"""The escalation engine on both databases: steps, waits, repeats, notify rules, and
notifications that are written once however often the task runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.oncall import paging
from tests.factories import declare
from tests.service.paging_support import (
    POLICY,
    add_on_call,
    notifications,
    notify_events,
    page_events,
    paging_timeline,
    raise_page,
    run_for,
    sent,
    set_person,
    the_page,
    tick,
)


@pytest.fixture
def db(seeded_db: Database) -> Database:
    add_on_call(seeded_db)
    return seeded_db


def test_the_first_step_notifies_who_is_on_call_at_once(db: Database, clock: FakeClock) -> None:
    raise_page(db, clock, escalation_policy=POLICY)
    assert sent(db) == [(0, 0, "alice", "slack")]
    assert notify_events(db) == [
        {"subscription": "page-notifications", "notification_id": notifications(db)[0].id}
    ]


def test_by_default_email_follows_a_minute_later(db: Database, clock: FakeClock) -> None:
    raise_page(db, clock, escalation_policy=POLICY)
    email = next(n for n in notifications(db) if n.method == "email")
    assert (email.state, email.due_at) == ("scheduled", clock.now() + timedelta(minutes=1))
    run_for(db, clock, 1)
    assert sent(db) == [(0, 0, "alice", "slack"), (0, 0, "alice", "email")]


def test_a_person_without_a_chat_handle_is_emailed_only(db: Database, clock: FakeClock) -> None:
    set_person(db, "alice", chat_handle=None)
    raise_page(db, clock, person="alice")
    assert [(n.method, n.state) for n in notifications(db)] == [("email", "scheduled")]


def test_notify_rules_say_when_each_method_is_used(db: Database, clock: FakeClock) -> None:
    rules = [
        {"method": "voice", "after_minutes": 0},
        {"method": "sms", "after_minutes": 3},
    ]
    set_person(db, "alice", notify=rules, phone="+447700900123")
    raise_page(db, clock, person="alice")
    assert sent(db) == [(0, 0, "alice", "voice")]
    run_for(db, clock, 2)
    assert sent(db) == [(0, 0, "alice", "voice")]
    run_for(db, clock, 1)
    assert sent(db) == [(0, 0, "alice", "voice"), (0, 0, "alice", "sms")]


def test_a_method_the_person_cannot_receive_is_skipped_and_said(
    db: Database, clock: FakeClock
) -> None:
    set_person(db, "alice", notify=[{"method": "sms"}, {"method": "email"}], phone=None)
    declare(db, clock.now(), priority="P4")
    raise_page(db, clock, person="alice", incident=1)
    assert [n.method for n in notifications(db)] == ["email"]
    [(kind, text)] = paging_timeline(db)
    assert kind == "page.triggered"
    assert "Paged Alice Ng (named)" in text
    assert "cannot reach Alice Ng by sms: no phone number" in text


def test_without_acknowledgement_every_step_and_repeat_runs_then_the_page_is_exhausted(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P4")
    raise_page(db, clock, escalation_policy=POLICY, incident=1)
    run_for(db, clock, 29)
    assert the_page(db).status == "triggered"
    run_for(db, clock, 1)
    page = the_page(db)
    assert (page.status, page.ended_at) == ("exhausted", clock.now())
    steps = sorted({(n.round, n.step, n.person_id) for n in notifications(db)})
    assert steps == [(0, 0, "alice"), (0, 1, "bob"), (1, 0, "alice"), (1, 1, "bob")]
    assert [kind for kind, _data in page_events(db)] == [
        "page.triggered",
        "page.escalated",
        "page.escalated",
        "page.escalated",
        "page.exhausted",
    ]
    assert [kind for kind, _text in paging_timeline(db)][-1] == "page.exhausted"


def test_each_step_waits_its_minutes_before_the_next(db: Database, clock: FakeClock) -> None:
    raise_page(db, clock, escalation_policy=POLICY)
    run_for(db, clock, 4)
    assert {n.person_id for n in notifications(db)} == {"alice"}
    run_for(db, clock, 1)
    assert {n.person_id for n in notifications(db)} == {"alice", "bob"}


def test_a_step_event_says_who_was_paged_why_and_in_which_round(
    db: Database, clock: FakeClock
) -> None:
    declare(db, clock.now(), priority="P4")
    page_id = raise_page(db, clock, escalation_policy=POLICY, incident=1)
    run_for(db, clock, 5)
    kind, data = page_events(db)[1]
    assert kind == "page.escalated"
    assert data == {
        "page": page_id,
        "incident": 1,
        "reason": "manual",
        "round": 0,
        "step": 1,
        "people": ["bob"],
        "invite": False,
        "stream": "incident:1",
    }
    assert "Paged Bob Ortiz (on call: engineering/secondary)" in paging_timeline(db)[1][1]


def test_a_page_without_an_incident_has_its_own_stream(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, person="bob")
    [(_kind, data)] = page_events(db)
    assert (data["stream"], data["incident"]) == (f"page:{page_id}", None)


def test_an_acknowledged_page_sends_nothing_more(db: Database, clock: FakeClock) -> None:
    page_id = raise_page(db, clock, escalation_policy=POLICY)
    with db.write() as session:
        paging.acknowledge_page(
            session, page_id, person_id="alice", actor="alice", via="api", now=clock.now()
        )
    run_for(db, clock, 60)
    assert [(n.person_id, n.method, n.state) for n in notifications(db)] == [
        ("alice", "slack", "queued"),
        ("alice", "email", "skipped"),
    ]
    assert the_page(db).status == "acknowledged"


def test_running_the_task_twice_at_once_writes_each_notification_once(
    db: Database, clock: FakeClock
) -> None:
    raise_page(db, clock, escalation_policy=POLICY)
    clock.advance(minutes=5)
    tick(db, clock.now())
    tick(db, clock.now())
    assert len(notifications(db)) == 4
    # alice's slack at once, her email a minute later, then bob's slack (his email is later)
    assert len(notify_events(db)) == 3
    assert len(notify_events(db)) == len({e["notification_id"] for e in notify_events(db)})
