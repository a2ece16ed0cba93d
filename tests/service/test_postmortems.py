"""Postmortems: started when a critical incident is resolved, edited, reviewed, published."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import postmortem_service as pm
from firehouse.guidance.model import ChecklistItem, Postmortem
from firehouse.incidents import queries, service
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import EVERYTHING, Sight
from firehouse.outbox.model import OutboxEvent
from tests.factories import declare

ALICE = Sight(person_id="alice")
OUTSIDER = Sight(person_id="dan")


def resolve(db: Database, number: int, clock: FakeClock, note: str = "Rolled back") -> None:
    with db.write() as session:
        service.resolve(session, number, note, actor="alice", now=clock.now())


def critical(db: Database, clock: FakeClock, **extra: object) -> int:
    """A P1 declared and led by alice, resolved 40 minutes later (Thursday 1 January)."""
    number = declare(db, clock.now(), priority="P1", commander="alice", **extra).number
    clock.advance(minutes=40)
    resolve(db, number, clock)
    return number


def postmortems(db: Database) -> list[Postmortem]:
    with db.read() as session:
        return list(session.query(Postmortem))


def edit(
    session: Session,
    number: int,
    document: str,
    clock: FakeClock,
    *,
    version: int = 1,
    actor: str = "alice",
) -> pm.PostmortemView:
    """Alice (unless said otherwise) saves the document over the version she read."""
    now = clock.now()
    return pm.edit(
        session, number, document, expected_version=version, sight=ALICE, actor=actor, now=now
    )


def test_resolving_a_p1_creates_a_draft_owned_by_the_commander(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.read() as session:
        row = pm.get(session, number, EVERYTHING).postmortem
    assert (row.state, row.owner, row.started_at) == ("draft", "alice", None)
    assert row.document.startswith(f"# Postmortem: incident {number} — ")


def test_the_due_date_counts_business_days_from_the_resolution(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)  # resolved Thursday 1 January, 12:40
    with seeded_db.read() as session:
        row = pm.get(session, number, EVERYTHING).postmortem
    assert row.due_at == datetime(2026, 1, 8, 12, 40, tzinfo=UTC)


def test_creating_the_postmortem_is_written_on_the_timeline(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.read() as session:
        last = queries.timeline(session, number, EVERYTHING)[-1]
    assert last.kind == "postmortem"
    assert last.text.startswith("Postmortem draft created")


def test_resolving_a_p2_starts_no_postmortem(seeded_db: Database, clock: FakeClock) -> None:
    number = declare(seeded_db, clock.now(), priority="P2").number
    resolve(seeded_db, number, clock)
    assert postmortems(seeded_db) == []


def test_a_second_resolve_after_a_reopen_makes_no_second_postmortem(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        service.reopen(session, number, reason="It is back", actor="alice", now=clock.now())
    clock.advance(minutes=10)
    resolve(seeded_db, number, clock, note="Fixed for good")
    rows = postmortems(seeded_db)
    assert len(rows) == 1
    assert "Fixed for good" in rows[0].document  # untouched draft: rewritten


def test_a_started_postmortem_is_not_rewritten_by_a_second_resolve(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        edit(session, number, "# Ours", clock)
        service.reopen(session, number, reason="It is back", actor="alice", now=clock.now())
    resolve(seeded_db, number, clock, note="Fixed for good")
    assert postmortems(seeded_db)[0].document == "# Ours"


def test_the_first_edit_starts_the_postmortem_and_bumps_the_version(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    clock.advance(hours=3)
    with seeded_db.write() as session:
        row = edit(session, number, "# Edited", clock).postmortem
        assert (row.version, row.started_at, row.document) == (2, clock.now(), "# Edited")


def test_an_edit_at_an_old_version_is_refused(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        edit(session, number, "# One", clock)
    with pytest.raises(Conflict) as refused, seeded_db.write() as session:
        edit(session, number, "# Two", clock, actor="bob")
    assert refused.value.field == "version"
    assert postmortems(seeded_db)[0].document == "# One"


def test_an_empty_document_is_refused(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        edit(session, number, "  ", clock)
    assert refused.value.field == "document"


def test_states_go_draft_review_published(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        pm.change_state(session, number, "in_review", sight=ALICE, actor="alice", now=clock.now())
        pm.change_state(session, number, "draft", sight=ALICE, actor="alice", now=clock.now())
        pm.change_state(session, number, "in_review", sight=ALICE, actor="alice", now=clock.now())
        row = pm.change_state(
            session, number, "published", sight=ALICE, actor="alice", now=clock.now()
        ).postmortem
        assert (row.state, row.published_at) == ("published", clock.now())


def test_a_draft_cannot_be_published_without_review(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with pytest.raises(Conflict) as refused, seeded_db.write() as session:
        pm.change_state(session, number, "published", sight=ALICE, actor="alice", now=clock.now())
    assert refused.value.field == "state"


def test_an_unknown_state_is_refused(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with pytest.raises(InvalidInput) as refused, seeded_db.write() as session:
        pm.change_state(session, number, "done", sight=ALICE, actor="alice", now=clock.now())
    assert refused.value.field == "state"


def test_a_published_postmortem_cannot_be_edited(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        pm.change_state(session, number, "in_review", sight=ALICE, actor="alice", now=clock.now())
        pm.change_state(session, number, "published", sight=ALICE, actor="alice", now=clock.now())
    with pytest.raises(Conflict), seeded_db.write() as session:
        edit(session, number, "# Late", clock, version=3)


def test_a_postmortem_can_be_started_by_hand_for_any_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = declare(seeded_db, clock.now(), priority="P3").number
    with seeded_db.write() as session:
        _, new = pm.start(session, number, sight=ALICE, actor="alice", now=clock.now())
        _, again = pm.start(session, number, sight=ALICE, actor="alice", now=clock.now())
    assert (new, again) == (True, False)
    assert len(postmortems(seeded_db)) == 1


def test_the_postmortem_of_a_private_incident_is_missing_for_outsiders(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock, private=True)
    with pytest.raises(NotFound) as refused, seeded_db.read() as session:
        pm.get(session, number, OUTSIDER)
    assert refused.value.message == f"no incident {number}"
    with seeded_db.read() as session:
        assert pm.list_postmortems(session, OUTSIDER, now=clock.now()) == []
        assert len(pm.list_postmortems(session, ALICE, now=clock.now())) == 1


def test_overdue_lists_only_unpublished_postmortems_past_their_due_date(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.read() as session:
        assert pm.list_postmortems(session, ALICE, now=clock.now(), overdue=True) == []
    clock.advance(days=8)
    with seeded_db.read() as session:
        late = pm.list_postmortems(session, ALICE, now=clock.now(), overdue=True)
    assert [view.incident.number for view in late] == [number]


def test_html_export_renders_markdown_without_raw_html(
    seeded_db: Database, clock: FakeClock
) -> None:
    number = critical(seeded_db, clock)
    with seeded_db.write() as session:
        edit(session, number, "# T\n\n<script>x</script>", clock)
    with seeded_db.read() as session:
        html = pm.export(session, number, ALICE, fmt="html")
    assert "<h1>T</h1>" in html
    assert "<script>" not in html


def test_each_change_emits_a_postmortem_event(seeded_db: Database, clock: FakeClock) -> None:
    critical(seeded_db, clock)
    with seeded_db.read() as session:
        types = [row.type for row in session.query(OutboxEvent)]
    assert "postmortem.changed" in types


def checklist_state(db: Database, number: int, key: str) -> str | None:
    with db.read() as session:
        item = (
            session.query(ChecklistItem)
            .join(Incident, Incident.id == ChecklistItem.incident_id)
            .filter(Incident.number == number, ChecklistItem.key == key)
            .one_or_none()
        )
        return item.state if item else None


def test_creating_and_publishing_tick_the_checklist(seeded_db: Database, clock: FakeClock) -> None:
    number = critical(seeded_db, clock)
    assert checklist_state(seeded_db, number, "postmortem_created") == "done"
    assert checklist_state(seeded_db, number, "postmortem_completed") == "open"
    with seeded_db.write() as session:
        pm.change_state(session, number, "in_review", sight=ALICE, actor="alice", now=clock.now())
        pm.change_state(session, number, "published", sight=ALICE, actor="alice", now=clock.now())
    assert checklist_state(seeded_db, number, "postmortem_completed") == "done"
