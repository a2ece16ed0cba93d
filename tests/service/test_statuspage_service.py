"""Use cases of the status page on both databases: public incidents, component arithmetic,
maintenance windows and the events they tell subscribers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.statuspage import queries, service
from firehouse.statuspage.ids import ALPHABET, LENGTH
from firehouse.statuspage.model import Maintenance, PublicIncident
from tests.service.statuspage_support import (
    add_components,
    component_statuses,
    event_types,
    statuspage_events,
)


@pytest.fixture
def page(seeded_db: Database, clock: FakeClock) -> Database:
    add_components(seeded_db, clock.now())
    return seeded_db


def create(db: Database, clock: FakeClock, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "name": "Checkout is slow",
        "components": {"checkout": "partial_outage"},
        "body": "We are looking into slow checkouts.",
        **overrides,
    }
    with db.write() as session:
        incident = service.create_incident(session, actor="alice", now=clock.now(), **fields)
        return incident.id


def publish(db: Database, clock: FakeClock, public_id: str, message: str | None = None) -> None:
    with db.write() as session:
        service.publish_incident(
            session, public_id, actor="alice", now=clock.now(), message=message
        )


def update(db: Database, clock: FakeClock, public_id: str, status: str, **extra: Any) -> None:
    """A minute later: updates of one instant would have no order."""
    clock.advance(minutes=1)
    with db.write() as session:
        service.post_update(
            session,
            public_id,
            status=status,
            message=extra.pop("message", f"Now {status}."),
            actor="alice",
            now=clock.now(),
            **extra,
        )


def resolve(db: Database, clock: FakeClock, public_id: str) -> None:
    clock.advance(minutes=1)
    with db.write() as session:
        service.resolve(session, public_id, "All fixed.", actor="alice", now=clock.now())


def loaded(db: Database, public_id: str) -> PublicIncident:
    with db.read() as session:
        incident = queries.get_incident(session, public_id)
        session.expunge_all()
        return incident


# -- ids and drafts --------------------------------------------------------------------------


def test_public_ids_look_like_statuspage_ids(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock)
    assert len(public_id) == LENGTH
    assert set(public_id) <= set(ALPHABET)


def test_a_new_incident_is_a_draft_that_changes_no_component_and_tells_no_one(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock)
    incident = loaded(page, public_id)
    assert incident.published_at is None
    assert [u.body for u in incident.updates] == ["We are looking into slow checkouts."]
    assert component_statuses(page)["checkout"] == "operational"
    assert event_types(page) == []


def test_without_an_impact_the_impact_follows_the_components(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(
        page, clock, components={"checkout": "major_outage", "api": "degraded_performance"}
    )
    assert loaded(page, public_id).impact == "critical"


def test_a_new_incident_may_not_start_resolved(page: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        create(page, clock, status="resolved")
    assert refused.value.field == "status"


def test_an_unknown_component_is_refused_by_name(page: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        create(page, clock, components={"nope": "partial_outage"})
    assert refused.value.field == "components.nope"


def test_an_incident_cannot_put_a_component_under_maintenance(
    page: Database, clock: FakeClock
) -> None:
    with pytest.raises(InvalidInput) as refused:
        create(page, clock, components={"api": "under_maintenance"})
    assert refused.value.field == "components.api"


# -- publishing ------------------------------------------------------------------------------


def test_publishing_puts_the_components_in_the_incidents_status(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock)
    clock.advance(minutes=5)
    publish(page, clock, public_id)
    assert loaded(page, public_id).published_at == clock.now()
    assert component_statuses(page)["checkout"] == "partial_outage"


def test_publishing_tells_subscribers_everything_they_need(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock, impact="major")
    publish(page, clock, public_id)
    [(event_type, payload)] = statuspage_events(page)
    assert event_type == "statuspage.incident_published"
    assert payload["page"]["name"] == "Status"
    assert payload["incident"]["id"] == public_id
    assert payload["incident"]["impact"] == "major"
    assert payload["incident"]["components"] == [
        {"id": "checkout", "name": "Checkout", "status": "partial_outage"}
    ]
    assert payload["update"]["body"] == "We are looking into slow checkouts."
    assert payload["update"]["affected_components"] == [
        {
            "code": "checkout",
            "name": "Checkout",
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]
    assert payload["component_changes"] == [
        {
            "id": "checkout",
            "name": "Checkout",
            "group": None,
            "old_status": "operational",
            "new_status": "partial_outage",
        }
    ]


def test_publishing_without_any_update_needs_a_message(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, body=None)
    with pytest.raises(InvalidInput) as refused:
        publish(page, clock, public_id)
    assert refused.value.field == "message"
    publish(page, clock, public_id, message="We are investigating.")
    assert [u.body for u in loaded(page, public_id).updates] == ["We are investigating."]


def test_publishing_twice_is_a_conflict(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, publish=True)
    with pytest.raises(Conflict):
        publish(page, clock, public_id)


def test_an_unknown_public_incident_is_not_found(page: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        publish(page, clock, "nosuchid")


# -- component arithmetic ----------------------------------------------------------------------


def test_a_component_shows_the_worst_of_the_published_incidents_holding_it(
    page: Database, clock: FakeClock
) -> None:
    minor = create(page, clock, components={"checkout": "degraded_performance"}, publish=True)
    major = create(page, clock, components={"checkout": "major_outage"}, publish=True)
    assert component_statuses(page)["checkout"] == "major_outage"
    resolve(page, clock, major)
    assert component_statuses(page)["checkout"] == "degraded_performance"
    resolve(page, clock, minor)
    assert component_statuses(page)["checkout"] == "operational"


def test_a_draft_holds_no_component(page: Database, clock: FakeClock) -> None:
    create(page, clock, components={"checkout": "major_outage"}, publish=True)
    draft = create(page, clock, components={"checkout": "degraded_performance"})
    update(page, clock, draft, "identified", component_statuses={"checkout": "major_outage"})
    assert component_statuses(page)["checkout"] == "major_outage"


def test_an_update_changes_the_statuses_it_names(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, publish=True)
    update(
        page,
        clock,
        public_id,
        "identified",
        component_statuses={"checkout": "degraded_performance", "api": "partial_outage"},
    )
    assert component_statuses(page) == {
        "website": "operational",
        "api": "partial_outage",
        "checkout": "degraded_performance",
    }
    newest = loaded(page, public_id).updates[0]
    assert {(a["code"], a["old_status"], a["new_status"]) for a in newest.affected_components} == {
        ("checkout", "partial_outage", "degraded_performance"),
        ("api", "operational", "partial_outage"),
    }


def test_resolving_returns_components_to_operational_and_says_so(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock, publish=True)
    clock.advance(hours=1)
    resolve(page, clock, public_id)
    incident = loaded(page, public_id)
    assert (incident.status, incident.resolved_at) == ("resolved", clock.now())
    assert incident.updates[0].affected_components == [
        {
            "code": "checkout",
            "name": "Checkout",
            "old_status": "partial_outage",
            "new_status": "operational",
        }
    ]
    assert component_statuses(page)["checkout"] == "operational"
    assert event_types(page)[-1] == "statuspage.incident_updated"


def test_resolving_leaves_a_component_that_a_maintenance_holds_under_maintenance(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock, publish=True)
    schedule(page, clock, start=timedelta(0), components=["checkout"])
    assert component_statuses(page)["checkout"] == "partial_outage"  # the outage outranks it
    resolve(page, clock, public_id)
    assert component_statuses(page)["checkout"] == "under_maintenance"


def test_monitoring_is_stamped_once(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, publish=True)
    update(page, clock, public_id, "monitoring")
    first = clock.now()
    clock.advance(minutes=10)
    update(page, clock, public_id, "identified")
    update(page, clock, public_id, "monitoring")
    assert loaded(page, public_id).monitoring_at == first


def test_after_resolution_only_a_postmortem_may_follow(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, publish=True)
    with pytest.raises(Conflict):
        update(page, clock, public_id, "postmortem")
    resolve(page, clock, public_id)
    with pytest.raises(Conflict) as refused:
        update(page, clock, public_id, "investigating")
    assert refused.value.field == "status"
    update(page, clock, public_id, "postmortem", message="What happened, and what we changed.")
    assert loaded(page, public_id).status == "postmortem"


def test_an_update_needs_a_message(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock)
    with pytest.raises(InvalidInput) as refused:
        update(page, clock, public_id, "identified", message="   ")
    assert refused.value.field == "message"


def test_patching_the_impact_tells_subscribers_what_changed(
    page: Database, clock: FakeClock
) -> None:
    public_id = create(page, clock, publish=True)
    with page.write() as session:
        service.patch_incident(session, public_id, impact="critical", now=clock.now())
    event_type, payload = statuspage_events(page)[-1]
    assert event_type == "statuspage.incident_updated"
    assert payload["changed"] == ["impact"]
    assert payload["update"] is None


def test_patching_nothing_new_tells_no_one(page: Database, clock: FakeClock) -> None:
    public_id = create(page, clock, publish=True, impact="major")
    before = event_types(page)
    with page.write() as session:
        service.patch_incident(
            session, public_id, impact="major", name="Checkout is slow", now=clock.now()
        )
    assert event_types(page) == before


def test_setting_a_component_by_hand_tells_subscribers(page: Database, clock: FakeClock) -> None:
    with page.write() as session:
        service.set_status(session, "api", "degraded_performance", now=clock.now())
        service.set_status(session, "api", "degraded_performance", now=clock.now())
    [(event_type, payload)] = statuspage_events(page)
    assert event_type == "statuspage.component_changed"
    assert payload["component"]["status"] == "degraded_performance"
    assert payload["component_changes"][0]["old_status"] == "operational"


def test_setting_an_unknown_status_names_the_field(page: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused, page.write() as session:
        service.set_status(session, "api", "on_fire", now=clock.now())
    assert refused.value.field == "status"


# -- maintenance -------------------------------------------------------------------------------


def schedule(
    db: Database,
    clock: FakeClock,
    *,
    start: timedelta = timedelta(hours=1),
    length: timedelta = timedelta(hours=2),
    components: list[str] | None = None,
) -> str:
    with db.write() as session:
        maintenance = service.create_maintenance(
            session,
            name="Database upgrade",
            scheduled_for=clock.now() + start,
            scheduled_until=clock.now() + start + length,
            component_ids=components if components is not None else ["api"],
            actor="alice",
            now=clock.now(),
        )
        return maintenance.id


def maintenance(db: Database, maintenance_id: str) -> Maintenance:
    with db.read() as session:
        found = queries.get_maintenance(session, maintenance_id)
        session.expunge_all()
        return found


def advance(db: Database, clock: FakeClock) -> int:
    with db.write() as session:
        return service.advance_maintenances(session, clock.now())


def test_a_scheduled_maintenance_changes_no_component_until_it_starts(
    page: Database, clock: FakeClock
) -> None:
    maintenance_id = schedule(page, clock)
    assert maintenance(page, maintenance_id).status == "scheduled"
    assert component_statuses(page)["api"] == "operational"
    assert event_types(page) == ["statuspage.maintenance_scheduled"]
    assert advance(page, clock) == 0


def test_advancing_starts_a_window_that_has_begun(page: Database, clock: FakeClock) -> None:
    maintenance_id = schedule(page, clock)
    clock.advance(hours=1)
    assert advance(page, clock) == 1
    started = maintenance(page, maintenance_id)
    assert (started.status, started.started_at) == ("in_progress", clock.now())
    assert component_statuses(page)["api"] == "under_maintenance"
    assert started.updates[0].affected_components[0]["new_status"] == "under_maintenance"
    assert advance(page, clock) == 0


def test_advancing_completes_a_window_that_has_ended(page: Database, clock: FakeClock) -> None:
    maintenance_id = schedule(page, clock)
    clock.advance(hours=1)
    advance(page, clock)
    clock.advance(hours=2)
    assert advance(page, clock) == 1
    done = maintenance(page, maintenance_id)
    assert (done.status, done.completed_at) == ("completed", clock.now())
    assert component_statuses(page)["api"] == "operational"
    assert [u.status for u in done.updates] == ["completed", "in_progress", "scheduled"]


def test_a_window_missed_entirely_goes_straight_to_completed(
    page: Database, clock: FakeClock
) -> None:
    maintenance_id = schedule(page, clock)
    clock.advance(hours=5)
    advance(page, clock)
    assert maintenance(page, maintenance_id).status == "completed"
    assert component_statuses(page)["api"] == "operational"


def test_a_window_that_has_already_begun_starts_when_scheduled(
    page: Database, clock: FakeClock
) -> None:
    maintenance_id = schedule(page, clock, start=timedelta(0))
    started = maintenance(page, maintenance_id)
    assert (started.status, started.started_at) == ("in_progress", clock.now())
    assert [u.status for u in started.updates] == ["in_progress"]
    assert component_statuses(page)["api"] == "under_maintenance"


def test_a_responder_moves_a_maintenance_forward_with_a_message(
    page: Database, clock: FakeClock
) -> None:
    maintenance_id = schedule(page, clock, start=timedelta(0))
    clock.advance(minutes=30)
    with page.write() as session:
        service.update_maintenance(
            session,
            maintenance_id,
            status="verifying",
            message="Checking.",
            actor="bob",
            now=clock.now(),
        )
    found = maintenance(page, maintenance_id)
    assert (found.status, found.updates[0].body, found.updates[0].author) == (
        "verifying",
        "Checking.",
        "bob",
    )
    assert event_types(page)[-1] == "statuspage.maintenance_updated"


def test_a_maintenance_cannot_skip_back_or_change_once_completed(
    page: Database, clock: FakeClock
) -> None:
    maintenance_id = schedule(page, clock)
    with pytest.raises(Conflict), page.write() as session:
        service.update_maintenance(
            session, maintenance_id, status="verifying", actor="bob", now=clock.now()
        )
    with page.write() as session:
        service.update_maintenance(
            session, maintenance_id, status="completed", actor="bob", now=clock.now()
        )
    with pytest.raises(Conflict), page.write() as session:
        service.update_maintenance(
            session, maintenance_id, name="Again", actor="bob", now=clock.now()
        )


def test_a_window_must_end_after_it_starts(page: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        schedule(page, clock, length=timedelta(0))
    assert refused.value.field == "scheduled_until"


def test_moving_a_maintenance_off_a_component_releases_it(page: Database, clock: FakeClock) -> None:
    maintenance_id = schedule(page, clock, start=timedelta(0), components=["api", "website"])
    with page.write() as session:
        service.update_maintenance(
            session, maintenance_id, component_ids=["website"], actor="bob", now=clock.now()
        )
    statuses = component_statuses(page)
    assert (statuses["api"], statuses["website"]) == ("operational", "under_maintenance")
