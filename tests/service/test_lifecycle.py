"""Status transitions, roles, notes, links and versions of a declared incident."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.incidents import queries, roles, service
from tests.factories import declare


def kinds(db: Database, number: int) -> list[str]:
    with db.read() as session:
        return [e.kind for e in queries.timeline(session, number)]


def test_resolving_requires_a_note_which_becomes_the_final_entry(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        service.resolve(session, number, "  ", actor="bob", now=clock.now())
    assert refused.value.field == "note"
    clock.advance(minutes=30)
    with seeded_db.write() as session:
        incident = service.resolve(
            session, number, "Rolled back deploy 412", actor="bob", now=clock.now()
        )
    assert incident.status == "resolved"
    assert incident.resolved_at == clock.now()
    with seeded_db.read() as session:
        last = queries.timeline(session, number)[-1]
    assert (last.kind, last.text) == ("resolved", "Resolved: Rolled back deploy 412")


def test_closing_requires_a_reason_and_links_the_bugs(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now(), priority="P4").number
    with seeded_db.write() as session:
        incident = service.close(
            session,
            number,
            "Known issue, tracked by the partners team",
            actor="bob",
            now=clock.now(),
            bug_links=("https://jira.example.com/browse/CMS-12",),
        )
    assert incident.status == "closed"
    assert [(ln.kind, ln.url) for ln in incident.links] == [
        ("bug", "https://jira.example.com/browse/CMS-12")
    ]
    # The reporter is owed a reply pointing to the bug (runbook step 3); it is on the timeline.
    assert kinds(seeded_db, number)[-3:] == [
        "link_added",
        "closed",
        "guidance.not_an_incident_reply",
    ]


def test_a_bad_bug_link_closes_nothing(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        service.close(
            session,
            number,
            "dup",
            actor="bob",
            now=clock.now(),
            bug_links=("https://ok.example.com/1", "not a url"),
        )
    assert refused.value.field == "bug_links[1]"
    with seeded_db.read() as session:
        incident = queries.get_incident(session, number)
    assert incident.status == "open"
    assert incident.links == []


@pytest.mark.parametrize("first", ["resolve", "close"])
def test_only_reopen_leaves_a_resolved_or_closed_incident(
    seeded_db: Database, clock: FakeClock, first: str
) -> None:
    number = declare(seeded_db, clock.now()).number
    with seeded_db.write() as session:
        if first == "resolve":
            service.resolve(session, number, "fixed", actor="bob", now=clock.now())
        else:
            service.close(session, number, "not an incident", actor="bob", now=clock.now())
    for action in (
        lambda s: service.resolve(s, number, "again", actor="bob", now=clock.now()),
        lambda s: service.close(s, number, "again", actor="bob", now=clock.now()),
    ):
        with pytest.raises(Conflict), seeded_db.write() as session:
            action(session)
    with seeded_db.write() as session:
        incident = service.reopen(session, number, actor="bob", now=clock.now(), reason="recurred")
    assert incident.status == "open"
    assert incident.resolved_at is None
    assert incident.closed_at is None


def test_reopening_an_open_incident_is_a_conflict(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(Conflict, match="already open"), seeded_db.write() as session:
        service.reopen(session, number, actor="bob", now=clock.now())


def test_priority_change_is_recorded_from_and_to(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now(), priority="P3").number
    with seeded_db.write() as session:
        service.change_priority(session, number, "P1", actor="bob", now=clock.now())
    with seeded_db.read() as session:
        entry = queries.timeline(session, number)[-1]
    assert entry.text == "Priority changed from P3 Moderate to P1 Critical"
    assert entry.data == {"from": "P3", "to": "P1"}


def test_a_new_commander_replaces_the_old_one_and_both_are_recorded(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now(), commander="alice").number
    with seeded_db.write() as session:
        incident = roles.assign_role(
            session, number, "commander", "bob", actor="alice", now=clock.now()
        )
        roles.assign_role(session, number, "responder", "carol", actor="alice", now=clock.now())
        roles.assign_role(session, number, "responder", "dan", actor="alice", now=clock.now())
    assert incident.holders("commander") == ["bob"]
    assert incident.holders("responder") == ["carol", "dan"]
    with seeded_db.read() as session:
        texts = [e.text for e in queries.timeline(session, number)]
    assert "Commander changed from alice to bob" in texts


def test_removing_a_role_nobody_holds_is_not_found(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(NotFound), seeded_db.write() as session:
        roles.remove_role(session, number, "commander", "bob", actor="alice", now=clock.now())


def test_manual_entries_may_be_backdated_but_not_future_dated(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now()).number
    earlier = clock.now() - timedelta(minutes=5)
    with seeded_db.write() as session:
        service.add_timeline_entry(
            session, number, "First 502s seen", actor="bob", now=clock.now(), occurred_at=earlier
        )
    with pytest.raises(InvalidInput), seeded_db.write() as session:
        service.add_timeline_entry(
            session,
            number,
            "later",
            actor="bob",
            now=clock.now(),
            occurred_at=clock.now() + timedelta(days=1),
        )
    with seeded_db.read() as session:
        entries = queries.timeline(session, number)
    assert next(e.text for e in entries) == "First 502s seen"


def test_every_change_bumps_the_version_and_a_stale_version_is_refused(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now()).number
    with seeded_db.write() as session:
        v1 = queries.get_incident(session, number).version
        service.add_timeline_entry(session, number, "looking", actor="bob", now=clock.now())
    with seeded_db.read() as session:
        v2 = queries.get_incident(session, number).version
    assert v2 > v1
    with pytest.raises(Conflict) as refused, seeded_db.write() as session:
        service.update(
            session,
            number,
            service.Changes(message="new"),
            actor="bob",
            now=clock.now(),
            expected_version=v1,
        )
    assert refused.value.field == "If-Match"


def test_linking_the_same_url_twice_keeps_one_link(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    for _ in range(2):
        with seeded_db.write() as session:
            service.add_link(
                session,
                number,
                "https://jira.example.com/FU-1",
                kind="follow_up",
                title="Add alerting",
                actor="bob",
                now=clock.now(),
            )
    with seeded_db.read() as session:
        assert len(queries.get_incident(session, number).links) == 1


def test_an_edit_that_changes_nothing_records_nothing(
    seeded_db: Database, clock: FakeClock
) -> None:
    incident = declare(seeded_db, clock.now())
    with seeded_db.write() as session:
        service.update(
            session,
            incident.number,
            service.Changes(message=incident.message),
            actor="bob",
            now=clock.now(),
        )
    assert kinds(seeded_db, incident.number) == ["declared"]
