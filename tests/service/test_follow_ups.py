"""Follow-ups of an incident: built-in ones kept in firehouse, external ones handed to the
`trackers` subscription, and private incidents keeping theirs to themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from firehouse.catalog.model import OrganisationSetting
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import follow_ups
from firehouse.guidance.model import FollowUp
from firehouse.incidents import queries
from firehouse.incidents.visibility import EVERYTHING, Sight
from firehouse.outbox.model import OutboxDelivery, OutboxEvent
from tests.factories import declare

JIRA = {"url": "https://acme.atlassian.net", "project": "OPS"}


def add(db: Database, clock: FakeClock, number: int, **options: object) -> FollowUp:
    with db.write() as session:
        return follow_ups.create(
            session,
            number,
            str(options.pop("title", "Add a canary stage")),
            actor="alice",
            now=clock.now(),
            sight=options.pop("sight", EVERYTHING),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )


def use_jira(db: Database, default: str = "jira") -> None:
    with db.write() as session:
        trackers = {"default": default, "jira": JIRA}
        session.add(OrganisationSetting(key="guidance", value={"trackers": trackers}))


def event_types(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)))


def test_a_built_in_follow_up_is_recorded_on_the_timeline_with_its_event(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now()).number
    row = add(seeded_db, clock, number)
    with seeded_db.read() as session:
        last = queries.timeline(session, number)[-1]
    assert (row.tracker, row.status, len(row.request_key)) == ("builtin", "open", 32)
    assert (last.kind, last.text) == ("follow_up_added", "Follow-up added: Add a canary stage")
    assert event_types(seeded_db)[-1] == "follow_up.changed"


def test_each_follow_up_gets_its_own_request_key(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    first, second = add(seeded_db, clock, number), add(seeded_db, clock, number)
    assert first.request_key != second.request_key


def test_a_jira_follow_up_is_addressed_to_the_trackers_subscription_alone(
    seeded_db: Database, clock: FakeClock
) -> None:
    use_jira(seeded_db)
    number = declare(seeded_db, clock.now()).number
    row = add(seeded_db, clock, number)
    with seeded_db.read() as session:
        sync = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "follow_up.sync"))
        [event] = list(sync)
        [delivery] = session.scalars(
            select(OutboxDelivery).where(OutboxDelivery.event_id == event.id)
        )
    assert row.tracker == "jira"
    assert event.payload == {"follow_up": row.id, "action": "create"}
    assert delivery.subscription == "trackers"


def test_a_tracker_that_is_not_configured_is_refused(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(InvalidInput) as refused:
        add(seeded_db, clock, number, tracker="github")
    assert refused.value.field == "tracker"
    with seeded_db.read() as session:
        assert list(session.scalars(select(FollowUp))) == []


def test_a_follow_up_needs_a_title(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now()).number
    with pytest.raises(InvalidInput) as refused:
        add(seeded_db, clock, number, title="   ")
    assert refused.value.field == "title"


def test_a_built_in_follow_up_is_marked_done_and_reopened(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now()).number
    row = add(seeded_db, clock, number)
    clock.advance(days=3)
    with seeded_db.write() as session:
        done = follow_ups.mark_done(session, row.id, actor="bob", now=clock.now(), sight=EVERYTHING)
        assert (done.status, done.closed_at) == ("done", clock.now())
    with seeded_db.write() as session:
        again = follow_ups.reopen(session, row.id, actor="bob", now=clock.now(), sight=EVERYTHING)
        assert (again.status, again.closed_at) == ("open", None)
    with seeded_db.read() as session:
        kinds = [entry.kind for entry in queries.timeline(session, number)]
    assert kinds[-2:] == ["follow_up_done", "follow_up_reopened"]


def test_an_external_ticket_is_closed_in_its_tracker_not_in_firehouse(
    seeded_db: Database, clock: FakeClock
) -> None:
    use_jira(seeded_db)
    number = declare(seeded_db, clock.now()).number
    row = add(seeded_db, clock, number)
    with pytest.raises(Conflict), seeded_db.write() as session:
        follow_ups.mark_done(session, row.id, actor="bob", now=clock.now(), sight=EVERYTHING)


def test_a_tracker_closing_a_ticket_closes_its_follow_up_and_unknown_ones_are_ignored(
    seeded_db: Database, clock: FakeClock
) -> None:
    use_jira(seeded_db)
    number = declare(seeded_db, clock.now()).number
    row = add(seeded_db, clock, number)
    with seeded_db.write() as session:
        follow_ups.record_ticket(
            session,
            row.id,
            external_key="OPS-7",
            url="https://acme.atlassian.net/browse/OPS-7",
            external_status="To Do",
            now=clock.now(),
        )
    with seeded_db.write() as session:
        unknown = follow_ups.sync_status(
            session, "jira", "OPS-999", done=True, external_status="Done", now=clock.now()
        )
        known = follow_ups.sync_status(
            session, "jira", "OPS-7", done=True, external_status="Done", now=clock.now()
        )
        assert unknown is None
        assert known is not None
        assert (known.status, known.external_status) == ("done", "Done")


def test_follow_ups_of_a_private_incident_are_missing_to_outsiders(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now(), private=True, actor="alice", reporter="alice").number
    row = add(seeded_db, clock, number)
    outsider = Sight(person_id="dan")
    with seeded_db.read() as session, pytest.raises(NotFound):
        follow_ups.list_for(session, number, outsider)
    with seeded_db.read() as session, pytest.raises(NotFound):
        follow_ups.get(session, row.id, outsider)
    with seeded_db.read() as session:
        assert [f.id for f in follow_ups.list_for(session, number, Sight("alice"))] == [row.id]
