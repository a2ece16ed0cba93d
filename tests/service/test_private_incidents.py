"""Private incidents in the service layer: who sees them, and what integrations are told."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import InvalidInput, NotFound
from firehouse.incidents import privacy, queries, roles
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role
from firehouse.incidents.visibility import EVERYTHING, Sight, ensure_visible, visible_ids
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import OutboxEvent, Subscription
from firehouse.statuspage import service_incidents
from firehouse.statuspage.flow import StatuspageFlow
from firehouse.statuspage.model import PublicIncident
from tests.factories import declare
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import deliveries, dispatcher, numbers, subscribe
from tests.service.statuspage_support import add_components, subscribe_flow

DAN = Sight(person_id="dan")
ALICE = Sight(person_id="alice")


def declare_private(db: Database, clock: FakeClock, **extra: object) -> Incident:
    fields: dict[str, object] = {"reporter": "alice", "private": True, **extra}
    return declare(db, clock.now(), priority="P1", message="Credentials leaked", **fields)


def listed(db: Database, sight: Sight, **criteria: object) -> list[int]:
    with db.read() as session:
        page, _cursor = queries.list_incidents(
            session,
            queries.IncidentFilter(**criteria),  # type: ignore[arg-type]
            sight,
        )
        return [incident.number for incident in page]


def test_a_non_participant_lists_only_ordinary_incidents(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())
    declare_private(seeded_db, clock)
    assert listed(seeded_db, DAN) == [1]
    assert listed(seeded_db, DAN, priority="P1") == []


def test_a_page_of_a_non_participant_is_full_and_its_cursor_skips_private_incidents(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())
    declare(seeded_db, clock.now())
    declare_private(seeded_db, clock)
    with seeded_db.read() as session:
        page, cursor = queries.list_incidents(session, queries.IncidentFilter(limit=1), DAN)
        assert [i.number for i in page] == [2]
        assert cursor == 2


def test_the_reporter_a_role_holder_and_an_admin_list_it(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare_private(seeded_db, clock, commander="bob")
    assert listed(seeded_db, ALICE) == [1]
    assert listed(seeded_db, Sight(person_id="bob")) == [1]
    assert listed(seeded_db, EVERYTHING) == [1]


def test_a_caller_naming_no_person_sees_no_private_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare_private(seeded_db, clock)
    assert listed(seeded_db, Sight()) == []


def test_loading_it_as_a_non_participant_fails_exactly_like_a_missing_number(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare_private(seeded_db, clock)
    with seeded_db.read() as session:
        with pytest.raises(NotFound) as hidden:
            queries.get_incident(session, 1, DAN)
        with pytest.raises(NotFound) as missing:
            queries.get_incident(session, 2, DAN)
    assert (hidden.value.message, hidden.value.field) == ("no incident 1", "number")
    assert (missing.value.message, missing.value.field) == ("no incident 2", "number")


def test_its_timeline_is_missing_for_a_non_participant(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare_private(seeded_db, clock)
    with seeded_db.read() as session:
        with pytest.raises(NotFound):
            queries.timeline(session, 1, DAN)
        assert [e.kind for e in queries.timeline(session, 1, ALICE)] == ["declared"]


def test_a_change_by_a_non_participant_finds_no_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare_private(seeded_db, clock)
    with seeded_db.read() as session:
        with pytest.raises(NotFound):
            ensure_visible(session, 1, DAN)
        ensure_visible(session, 1, ALICE)


def test_visible_ids_drops_private_incidents_of_others(
    seeded_db: Database, clock: FakeClock
) -> None:
    ordinary = declare(seeded_db, clock.now()).id
    private = declare_private(seeded_db, clock).id
    with seeded_db.read() as session:
        assert visible_ids(session, [ordinary, private], DAN) == {ordinary}
        assert visible_ids(session, [ordinary, private], ALICE) == {ordinary, private}


def test_a_role_removed_takes_the_sight_with_it(seeded_db: Database, clock: FakeClock) -> None:
    declare_private(seeded_db, clock)
    with seeded_db.write() as session:
        roles.assign_role(session, 1, "responder", "dan", actor="alice", now=clock.now())
    assert listed(seeded_db, DAN) == [1]
    with seeded_db.write() as session:
        roles.remove_role(session, 1, "responder", "dan", actor="alice", now=clock.now())
    assert listed(seeded_db, DAN) == []


def test_a_private_incident_needs_a_named_participant(
    seeded_db: Database, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as refused:
        declare(seeded_db, clock.now(), private=True)
    assert refused.value.field == "private"


def test_the_event_snapshot_says_the_incident_is_private(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())
    declare_private(seeded_db, clock)
    with seeded_db.read() as session:
        payloads = session.scalars(select(OutboxEvent.payload).order_by(OutboxEvent.id))
        assert [p["incident"]["private"] for p in payloads] == [False, True]


def test_making_it_private_is_on_the_timeline(seeded_db: Database, clock: FakeClock) -> None:
    declare(seeded_db, clock.now(), reporter="alice")
    with seeded_db.write() as session:
        privacy.set_private(session, 1, True, sight=ALICE, actor="alice", now=clock.now())
    with seeded_db.read() as session:
        last = queries.timeline(session, 1, ALICE)[-1]
        assert (last.kind, last.data["private"]) == ("visibility_changed", True)
    assert listed(seeded_db, DAN) == []


def test_a_non_participant_may_not_make_an_ordinary_incident_private(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), reporter="alice")
    with seeded_db.write() as session, pytest.raises(privacy.NotAParticipant):
        privacy.set_private(session, 1, True, sight=DAN, actor="dan", now=clock.now())


def test_generic_webhooks_receive_nothing_of_a_private_incident(
    seeded_db: Database, clock: FakeClock, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(seeded_db, receiver.url)
    declare_private(seeded_db, clock, commander="bob")
    declare(seeded_db, clock.now())
    dispatcher(seeded_db, clock, http).run_until_idle()
    assert numbers(receiver) == [2]
    assert [d.subscription for d in deliveries(seeded_db)] == ["webhook:ops"]


def test_internal_subscriptions_still_receive_events_of_a_private_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    with seeded_db.write() as session:
        session.add(Subscription(name="chat", kind="chat", event_types=[], settings={}))
    declare_private(seeded_db, clock)
    assert [d.subscription for d in deliveries(seeded_db)] == ["chat"]


def test_the_status_page_prepares_nothing_for_a_private_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    add_components(seeded_db, clock.now())
    subscribe_flow(seeded_db)
    flow = StatuspageFlow(seeded_db, clock)
    declare_private(seeded_db, clock)
    with seeded_db.write() as session:
        roles.assign_role(session, 1, Role.COMMANDER.value, "bob", actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.read() as session:
        assert session.scalars(select(PublicIncident)).all() == []


def test_making_an_incident_private_deletes_its_draft_public_incident(
    seeded_db: Database, clock: FakeClock
) -> None:
    add_components(seeded_db, clock.now())
    subscribe_flow(seeded_db)
    flow = StatuspageFlow(seeded_db, clock)
    declare(seeded_db, clock.now(), priority="P1", reporter="alice")
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.read() as session:
        assert len(session.scalars(select(PublicIncident)).all()) == 1  # a draft, unpublished
    with seeded_db.write() as session:
        privacy.set_private(session, 1, True, sight=ALICE, actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.read() as session:
        assert session.scalars(select(PublicIncident)).all() == []
        texts = [entry.text for entry in queries.timeline(session, 1, EVERYTHING)]
    assert any("Deleted draft public incident" in text for text in texts)


def test_a_published_public_incident_stays_when_the_incident_becomes_private(
    seeded_db: Database, clock: FakeClock
) -> None:
    add_components(seeded_db, clock.now())
    subscribe_flow(seeded_db)
    flow = StatuspageFlow(seeded_db, clock)
    declare(seeded_db, clock.now(), priority="P1", reporter="alice")
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.write() as session:
        public = session.scalars(select(PublicIncident)).one()
        service_incidents.publish_incident(session, public.id, actor="alice", now=clock.now())
    with seeded_db.write() as session:
        privacy.set_private(session, 1, True, sight=ALICE, actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"statuspage": flow}, clock).run_until_idle()
    with seeded_db.read() as session:
        assert len(session.scalars(select(PublicIncident)).all()) == 1
