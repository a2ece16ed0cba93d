"""How the status page follows internal incidents, through the real outbox on both databases."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from firehouse.catalog.model import PriorityLevelRow
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service as incidents
from firehouse.incidents.model import TimelineEntry
from firehouse.incidents.policy import DEFAULT_POLICY
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.model import OutboxEvent
from firehouse.statuspage import queries
from firehouse.statuspage.flow import StatuspageFlow
from firehouse.statuspage.model import PublicIncident
from tests.factories import declare
from tests.service.statuspage_support import (
    add_components,
    component_statuses,
    statuspage_events,
    subscribe_flow,
)

SECRET_MESSAGE = "Primary db credentials leaked in deploy log"
SECRET_DESCRIPTION = "Rotate the password for db-admin@10.0.0.12"


@pytest.fixture
def flow(seeded_db: Database, clock: FakeClock) -> StatuspageFlow:
    add_components(seeded_db, clock.now())
    subscribe_flow(seeded_db)
    return StatuspageFlow(seeded_db, clock)


@pytest.fixture
def dispatcher(seeded_db: Database, clock: FakeClock, flow: StatuspageFlow) -> Dispatcher:
    return Dispatcher(seeded_db, {"statuspage": flow}, clock)


def publish_immediately(db: Database, *priorities: str) -> None:
    """A policy like the default, except these levels publish at once."""
    with db.write() as session:
        for level in DEFAULT_POLICY.ordered():
            chosen = "immediately" if level.priority in priorities else "confirm"
            fields = dataclasses.asdict(level) | {"statuspage_publish": chosen}
            fields["examples"] = list(fields["examples"])
            session.add(PriorityLevelRow(rank=level.rank, **fields))


def public_incidents(db: Database) -> list[PublicIncident]:
    with db.read() as session:
        page, _next = queries.list_incidents(session, queries.IncidentFilter())
        session.expunge_all()
        return page


def the_public_incident(db: Database) -> PublicIncident:
    [only] = public_incidents(db)
    return only


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


def resolve_internal(db: Database, clock: FakeClock, dispatcher: Dispatcher) -> None:
    clock.advance(minutes=30)
    with db.write() as session:
        incidents.resolve(session, 1, "Rolled back", actor="bob", now=clock.now())
    dispatcher.run_until_idle()


def timeline_texts(db: Database) -> list[str]:
    with db.read() as session:
        query = select(TimelineEntry.text).where(TimelineEntry.kind == "statuspage")
        return list(session.scalars(query.order_by(TimelineEntry.id)))


# -- declaring ---------------------------------------------------------------------------------


def test_a_p2_creates_a_draft_with_major_impact_and_partial_outage_components(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    public = the_public_incident(seeded_db)
    assert public.published_at is None
    assert (public.impact, public.status) == ("major", "investigating")
    assert [(c.component_id, c.status) for c in public.components] == [
        ("website", "partial_outage")
    ]
    assert public.name == "Website — partial outage"
    assert component_statuses(seeded_db)["website"] == "operational"  # a draft shows nothing
    assert statuspage_events(seeded_db) == []


def test_the_draft_is_linked_and_says_so_on_the_timeline(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    public = the_public_incident(seeded_db)
    assert public.incident_id is not None
    [text] = timeline_texts(seeded_db)
    assert public.id in text
    assert "firehouse statuspage publish 1" in text


def test_public_text_never_repeats_the_internal_message_or_description(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    publish_immediately(seeded_db, "P1")
    declare_and_deliver(
        seeded_db,
        clock,
        dispatcher,
        "P1",
        message=SECRET_MESSAGE,
        description=SECRET_DESCRIPTION,
    )
    public = the_public_incident(seeded_db)
    shown = json.dumps(
        [public.name, [u.body for u in public.updates], statuspage_events(seeded_db)]
    )
    assert "Primary db" not in shown
    assert "db-admin" not in shown
    assert '"number"' not in shown


def test_a_p1_whose_level_publishes_immediately_is_published_at_once(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    publish_immediately(seeded_db, "P1")
    declare_and_deliver(seeded_db, clock, dispatcher, "P1")
    public = the_public_incident(seeded_db)
    assert (public.published_at, public.impact) == (clock.now(), "critical")
    assert component_statuses(seeded_db)["website"] == "major_outage"
    [(event_type, payload)] = statuspage_events(seeded_db)
    assert event_type == "statuspage.incident_published"
    assert payload["incident"]["id"] == public.id


@pytest.mark.parametrize("priority", ["P4", "P5"])
def test_p4_and_p5_never_create_a_public_incident(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, priority: str
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, priority)
    assert public_incidents(seeded_db) == []
    assert timeline_texts(seeded_db) == []


def test_a_training_incident_never_creates_a_public_incident(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P1", training=True)
    assert public_incidents(seeded_db) == []


def test_a_service_without_components_still_gets_a_draft(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P3", service_id="cms")
    public = the_public_incident(seeded_db)
    assert (public.name, public.impact, public.components) == (
        "Partner CMS — degraded service",
        "minor",
        [],
    )


# -- priority changes --------------------------------------------------------------------------


def test_raising_the_priority_raises_the_impact_and_component_status(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P3")
    change_priority(seeded_db, clock, dispatcher, "P1")
    public = the_public_incident(seeded_db)
    assert public.impact == "critical"
    assert [c.status for c in public.components] == ["major_outage"]
    assert "Raised public incident" in timeline_texts(seeded_db)[-1]


def test_lowering_the_priority_never_lowers_the_impact(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P1")
    change_priority(seeded_db, clock, dispatcher, "P3")
    assert the_public_incident(seeded_db).impact == "critical"


def test_raising_a_p4_to_p2_creates_the_draft_then(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P4")
    change_priority(seeded_db, clock, dispatcher, "P2")
    assert the_public_incident(seeded_db).impact == "major"


def test_raising_to_a_level_that_publishes_immediately_publishes_the_draft(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    publish_immediately(seeded_db, "P1")
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    change_priority(seeded_db, clock, dispatcher, "P1")
    public = the_public_incident(seeded_db)
    assert public.published_at == clock.now()
    assert component_statuses(seeded_db)["website"] == "major_outage"


def test_a_published_incident_raised_tells_subscribers(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    publish_immediately(seeded_db, "P1", "P2")
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    change_priority(seeded_db, clock, dispatcher, "P1")
    event_type, payload = statuspage_events(seeded_db)[-1]
    assert event_type == "statuspage.incident_updated"
    assert payload["changed"] == ["impact", "components"]
    assert payload["component_changes"][0]["new_status"] == "major_outage"


# -- resolution --------------------------------------------------------------------------------


def test_resolving_the_internal_incident_proposes_resolving_the_public_one(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    resolve_internal(seeded_db, clock, dispatcher)
    public = the_public_incident(seeded_db)
    assert public.resolution_proposed_at == clock.now()
    assert public.status == "investigating"  # a responder confirms with a final update
    with seeded_db.read() as session:
        pending, _ = queries.list_incidents(
            session, queries.IncidentFilter(pending_resolution=True)
        )
        assert [p.id for p in pending] == [public.id]
    assert 'firehouse statuspage resolve 1 "message"' in timeline_texts(seeded_db)[-1]


def test_reopening_withdraws_the_proposal(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    resolve_internal(seeded_db, clock, dispatcher)
    with seeded_db.write() as session:
        incidents.reopen(session, 1, actor="bob", now=clock.now())
    dispatcher.run_until_idle()
    assert the_public_incident(seeded_db).resolution_proposed_at is None


def replayed(db: Database, clock: FakeClock) -> list[Envelope]:
    """Every incident event again, as a redelivery after a lost acknowledgement would be."""
    with db.read() as session:
        rows = session.scalars(
            select(OutboxEvent).where(OutboxEvent.type.like("incident.%")).order_by(OutboxEvent.id)
        ).all()
        return [
            Envelope(
                delivery_id=0,
                event_id=row.id,
                event_type=row.type,
                stream=row.stream,
                payload=dict(row.payload),
                occurred_at=row.occurred_at,
                subscription="statuspage",
                kind="statuspage",
                settings={},
                attempt=2,
                lease_token="replay",
                lease_expires_at=clock.now(),
            )
            for row in rows
        ]


def test_the_same_envelopes_twice_do_nothing_more(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, flow: StatuspageFlow
) -> None:
    publish_immediately(seeded_db, "P1")
    declare_and_deliver(seeded_db, clock, dispatcher, "P2")
    change_priority(seeded_db, clock, dispatcher, "P1")
    resolve_internal(seeded_db, clock, dispatcher)
    before = (public_incidents(seeded_db), timeline_texts(seeded_db), statuspage_events(seeded_db))
    clock.advance(hours=1)
    for envelope in replayed(seeded_db, clock):
        flow(envelope)
    [public] = public_incidents(seeded_db)
    assert public.resolution_proposed_at == before[0][0].resolution_proposed_at
    assert public.updated_at == before[0][0].updated_at
    assert timeline_texts(seeded_db) == before[1]
    assert statuspage_events(seeded_db) == before[2]
