"""The checklist at the service level, on both databases: the chat flow's own steps tick their
items, other parts of the guidance tick theirs with `tick`, and hand-made changes are recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from firehouse.chat.flow import ChatFlow
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import NotFound
from firehouse.guidance import checklist_progress, checklist_service
from firehouse.guidance import policy as g
from firehouse.guidance.model import ChecklistItem
from firehouse.incidents import queries, service
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.visibility import EVERYTHING, Sight
from firehouse.outbox.dispatcher import Dispatcher
from tests.factories import declare
from tests.fakes.chat import FakeChatProvider
from tests.service.test_chat_flow import USERS, subscribe

BASE_URL = "https://firehouse.example.com"


def states(db: Database, number: int = 1) -> dict[str, str]:
    with db.read() as session:
        found = checklist_service.incident_checklist(session, number, EVERYTHING)
        return {item.key: item.state for item in found.items}


def test_the_chat_flow_creating_the_channel_and_inviting_ticks_both_items(
    seeded_db: Database, clock: FakeClock
) -> None:
    chat = FakeChatProvider()
    for person, user_id in USERS.items():
        chat.add_user(user_id, f"{person}@example.com", handle=person)
    subscribe(seeded_db)
    flow = ChatFlow(seeded_db, clock, BASE_URL, lambda _settings: chat)
    declare(seeded_db, clock.now(), priority="P2", commander="bob")
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()
    found = states(seeded_db)
    assert (found[g.CHANNEL_CREATED], found[g.RESPONDERS_INVITED]) == ("done", "done")
    with seeded_db.read() as session:
        item = session.scalars(
            select(ChecklistItem).where(ChecklistItem.key == g.CHANNEL_CREATED)
        ).one()
    assert (item.automatic, item.completed_by) == (True, "chat")


def test_tick_completes_an_open_item_once_and_ignores_items_not_carried(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    with seeded_db.write() as session:
        incident = queries.get_incident(session, 1, EVERYTHING)
        first = checklist_progress.tick(
            session, incident, g.POSTMORTEM_CREATED, actor="postmortems", now=clock.now()
        )
        again = checklist_progress.tick(
            session, incident, g.POSTMORTEM_CREATED, actor="someone", now=clock.now()
        )
        unknown = checklist_progress.tick(
            session, incident, "water_plants", actor="x", now=clock.now()
        )
    assert (first, again, unknown) == (True, False, False)
    with seeded_db.read() as session:
        found = checklist_service.incident_checklist(session, 1, EVERYTHING)
    done = next(i for i in found.items if i.key == g.POSTMORTEM_CREATED)
    assert (done.state, done.completed_by, done.automatic) == ("done", "postmortems", True)


def test_a_hand_made_change_is_on_the_timeline_and_ticks_nothing_else(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P2")
    with seeded_db.write() as session:
        checklist_service.change_item(
            session,
            1,
            g.FOLLOW_UPS_LINKED,
            "not_applicable",
            "Nothing to follow up",
            actor="alice",
            now=clock.now(),
            sight=EVERYTHING,
        )
    with seeded_db.read() as session:
        last = session.scalars(select(TimelineEntry).order_by(TimelineEntry.id.desc())).first()
    assert last is not None
    assert (last.kind, last.data["state"]) == ("checklist", "not_applicable")
    assert sum(state != "open" for state in states(seeded_db).values()) == 1


def test_an_incident_without_items_gets_them_at_its_next_change(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P4")
    with seeded_db.write() as session:
        session.execute(delete(ChecklistItem))
    assert states(seeded_db) == {g.FOLLOW_UPS_LINKED: "open", g.FINAL_TIMELINE_ENTRY: "open"}
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
    assert states(seeded_db) == {g.FOLLOW_UPS_LINKED: "open", g.FINAL_TIMELINE_ENTRY: "done"}
    with seeded_db.read() as session:
        incident_id = session.scalar(select(Incident.id))
        count = len(
            session.scalars(
                select(ChecklistItem).where(ChecklistItem.incident_id == incident_id)
            ).all()
        )
    assert count == 2


def test_a_private_incident_is_missing_for_someone_outside_it(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", private=True, commander="alice")
    with pytest.raises(NotFound), seeded_db.read() as session:
        checklist_service.incident_checklist(session, 1, Sight(person_id="dan"))
    with pytest.raises(NotFound), seeded_db.write() as session:
        checklist_service.change_item(
            session,
            1,
            g.PLAYBOOK_UPDATED,
            "done",
            "x",
            actor="dan",
            now=clock.now(),
            sight=Sight(person_id="dan"),
        )


def test_the_summary_line_names_the_next_open_item(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), priority="P4")
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
    with seeded_db.read() as session:
        found = checklist_service.incident_checklist(session, 1, EVERYTHING)
    assert found.summary() == "Checklist: 1/2 done, next: Follow-ups linked (or none needed)"
