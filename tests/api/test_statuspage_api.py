"""The status page's admin and responder API: /api/v1/statuspage/…"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import Api, error_fields
from tests.service.statuspage_support import add_components, subscribe_flow

ROOT = "/api/v1/statuspage"


@pytest.fixture
def page(api: Api) -> Api:
    add_components(api.db, api.clock.now())
    return api


def create(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Checkout is slow",
        "components": {"checkout": "partial_outage"},
        "body": "We are looking into slow checkouts.",
        **overrides,
    }
    response = api.post(f"{ROOT}/incidents", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def components(api: Api) -> dict[str, str]:
    return {c["id"]: c["status"] for c in api.get(f"{ROOT}/components").json()}


def run_flow(api: Api) -> None:
    api.app.state.runtime.dispatcher.run_until_idle()


# -- components --------------------------------------------------------------------------------


def test_components_are_listed_in_page_order_with_their_status(page: Api) -> None:
    response = page.get(f"{ROOT}/components")
    assert response.status_code == 200
    assert [(c["id"], c["group"], c["status"]) for c in response.json()] == [
        ("website", "Marketplace", "operational"),
        ("api", "Marketplace", "operational"),
        ("checkout", None, "operational"),
    ]


def test_a_responder_sets_a_components_status(page: Api) -> None:
    response = page.patch(f"{ROOT}/components/api", {"status": "degraded_performance"})
    assert response.status_code == 200
    assert response.json()["status"] == "degraded_performance"
    assert components(page)["api"] == "degraded_performance"


def test_a_viewer_cannot_change_a_component(page: Api) -> None:
    response = page.patch(f"{ROOT}/components/api", {"status": "major_outage"}, role="viewer")
    assert response.status_code == 403


def test_an_unknown_component_status_is_422_naming_status(page: Api) -> None:
    response = page.patch(f"{ROOT}/components/api", {"status": "on_fire"})
    assert response.status_code == 422
    assert error_fields(response) == ["status"]


def test_an_unknown_component_is_404(page: Api) -> None:
    response = page.patch(f"{ROOT}/components/nope", {"status": "operational"})
    assert response.status_code == 404


def test_reading_needs_a_token(page: Api) -> None:
    assert page.client.get(f"{ROOT}/components").status_code == 401


# -- public incidents --------------------------------------------------------------------------


def test_creating_answers_201_with_a_draft_and_its_location(page: Api) -> None:
    response = page.post(f"{ROOT}/incidents", {"name": "Slow", "body": "Looking into it."})
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"{ROOT}/incidents/{created['id']}"
    assert (created["published"], created["status"], created["impact"]) == (
        False,
        "investigating",
        "none",
    )
    assert [u["body"] for u in created["updates"]] == ["Looking into it."]


def test_creating_with_a_bad_impact_names_impact(page: Api) -> None:
    response = page.post(f"{ROOT}/incidents", {"name": "Slow", "impact": "huge"})
    assert response.status_code == 422
    assert error_fields(response) == ["impact"]


def test_creating_with_an_unknown_component_names_it(page: Api) -> None:
    response = page.post(
        f"{ROOT}/incidents", {"name": "Slow", "components": {"nope": "major_outage"}}
    )
    assert response.status_code == 422
    assert error_fields(response) == ["components.nope"]


def test_creating_with_an_unknown_field_names_it(page: Api) -> None:
    response = page.post(f"{ROOT}/incidents", {"name": "Slow", "severity": "high"})
    assert response.status_code == 422
    assert error_fields(response) == ["severity"]


def test_creating_needs_the_responder_role(page: Api) -> None:
    response = page.post(f"{ROOT}/incidents", {"name": "Slow"}, role="viewer")
    assert response.status_code == 403


def test_publishing_shows_the_components_and_publishing_twice_is_409(page: Api) -> None:
    created = create(page)
    response = page.post(f"{ROOT}/incidents/{created['id']}/publish")
    assert response.status_code == 200
    assert response.json()["published"] is True
    assert components(page)["checkout"] == "partial_outage"
    again = page.post(f"{ROOT}/incidents/{created['id']}/publish")
    assert again.status_code == 409
    assert error_fields(again) == ["id"]


def test_publishing_without_an_update_needs_a_message(page: Api) -> None:
    created = create(page, body=None)
    response = page.post(f"{ROOT}/incidents/{created['id']}/publish", {})
    assert response.status_code == 422
    assert error_fields(response) == ["message"]
    ok = page.post(f"{ROOT}/incidents/{created['id']}/publish", {"message": "Investigating."})
    assert ok.status_code == 200


def test_posting_an_update_answers_with_the_newest_update_first(page: Api) -> None:
    created = create(page, publish=True)
    page.clock.advance(minutes=5)
    response = page.post(
        f"{ROOT}/incidents/{created['id']}/updates",
        {
            "status": "identified",
            "message": "A bad deploy; rolling back.",
            "component_statuses": {"checkout": "major_outage"},
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "identified"
    assert [u["status"] for u in body["updates"]] == ["identified", "investigating"]
    assert body["updates"][0]["affected_components"] == [
        {
            "code": "checkout",
            "name": "Checkout",
            "old_status": "partial_outage",
            "new_status": "major_outage",
        }
    ]
    assert components(page)["checkout"] == "major_outage"


def test_an_update_without_a_message_names_message(page: Api) -> None:
    created = create(page)
    response = page.post(f"{ROOT}/incidents/{created['id']}/updates", {"status": "identified"})
    assert response.status_code == 422
    assert error_fields(response) == ["message"]


def test_an_update_cannot_set_under_maintenance(page: Api) -> None:
    created = create(page)
    response = page.post(
        f"{ROOT}/incidents/{created['id']}/updates",
        {
            "status": "identified",
            "message": "x",
            "component_statuses": {"api": "under_maintenance"},
        },
    )
    assert response.status_code == 422
    assert error_fields(response) == ["component_statuses.api"]


def test_resolving_returns_the_components_and_later_updates_are_409(page: Api) -> None:
    created = create(page, publish=True)
    page.clock.advance(minutes=5)
    response = page.post(f"{ROOT}/incidents/{created['id']}/resolve", {"message": "Fixed."})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_at"] is not None
    assert components(page)["checkout"] == "operational"
    late = page.post(
        f"{ROOT}/incidents/{created['id']}/updates", {"status": "monitoring", "message": "x"}
    )
    assert late.status_code == 409
    assert error_fields(late) == ["status"]


def test_patching_changes_name_impact_and_component_statuses(page: Api) -> None:
    created = create(page, publish=True)
    response = page.patch(
        f"{ROOT}/incidents/{created['id']}",
        {
            "name": "Checkout down",
            "impact": "critical",
            "component_statuses": {"api": "major_outage"},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["impact"]) == ("Checkout down", "critical")
    assert {c["id"]: c["status"] for c in body["components"]} == {
        "api": "major_outage",
        "checkout": "partial_outage",
    }
    assert components(page)["api"] == "major_outage"


def test_an_unknown_public_incident_is_404(page: Api) -> None:
    assert page.get(f"{ROOT}/incidents/nosuchthing").status_code == 404
    response = page.post(f"{ROOT}/incidents/nosuchthing/resolve", {"message": "x"})
    assert response.status_code == 404


def test_incidents_are_listed_newest_first_in_pages(page: Api) -> None:
    for name in ("First", "Second", "Third"):
        create(page, name=name)
        page.clock.advance(minutes=1)
    first = page.get(f"{ROOT}/incidents", params={"limit": 2}).json()
    assert [i["name"] for i in first["items"]] == ["Third", "Second"]
    second = page.get(f"{ROOT}/incidents", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [i["name"] for i in second.json()["items"]] == ["First"]
    assert second.json()["next_cursor"] is None


def test_a_bad_cursor_names_cursor(page: Api) -> None:
    response = page.get(f"{ROOT}/incidents", params={"cursor": "nope"})
    assert response.status_code == 422
    assert error_fields(response) == ["cursor"]


def test_a_bad_filter_names_it(page: Api) -> None:
    response = page.get(f"{ROOT}/incidents", params={"status": "broken"})
    assert response.status_code == 422
    assert error_fields(response) == ["status"]


# -- linked to internal incidents ----------------------------------------------------------------


def test_the_internal_incident_shows_its_public_incident(page: Api) -> None:
    subscribe_flow(page.db)
    page.declare(priority="P2")
    assert page.incident(1)["statuspage"] is None  # the flow has not run yet
    run_flow(page)
    linked = page.incident(1)["statuspage"]
    assert set(linked) == {"id", "status", "impact", "published"}
    assert (linked["status"], linked["impact"], linked["published"]) == (
        "investigating",
        "major",
        False,
    )
    listed = page.get("/api/v1/incidents").json()["items"][0]["statuspage"]
    assert listed == linked


def test_public_incidents_are_found_by_internal_number(page: Api) -> None:
    subscribe_flow(page.db)
    page.declare(priority="P2")
    page.declare(priority="P3")
    run_flow(page)
    found = page.get(f"{ROOT}/incidents", params={"incident": 2}).json()["items"]
    assert [(i["incident"], i["impact"]) for i in found] == [(2, "minor")]
    unknown = page.get(f"{ROOT}/incidents", params={"incident": 99})
    assert unknown.status_code == 404
    assert error_fields(unknown) == ["incident"]


def test_pending_resolution_lists_those_whose_internal_incident_ended(page: Api) -> None:
    subscribe_flow(page.db)
    page.declare(priority="P2")
    page.declare(priority="P2")
    run_flow(page)
    assert page.act(1, "resolve", {"note": "Rolled back"}).status_code == 200
    run_flow(page)
    pending = page.get(f"{ROOT}/incidents", params={"pending_resolution": "true"}).json()
    assert [i["incident"] for i in pending["items"]] == [1]
    public_id = pending["items"][0]["id"]
    page.post(f"{ROOT}/incidents/{public_id}/resolve", {"message": "Fixed."})
    after = page.get(f"{ROOT}/incidents", params={"pending_resolution": "true"}).json()
    assert after["items"] == []


# -- maintenance -------------------------------------------------------------------------------

LATER = "2026-01-01T14:00:00Z"
MUCH_LATER = "2026-01-01T16:00:00Z"


def schedule(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Database upgrade",
        "scheduled_for": LATER,
        "scheduled_until": MUCH_LATER,
        "component_ids": ["api"],
        **overrides,
    }
    response = api.post(f"{ROOT}/maintenances", body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_scheduling_a_maintenance_answers_201_with_its_first_update(page: Api) -> None:
    created = schedule(page, body="We upgrade the database.")
    assert created["status"] == "scheduled"
    assert [u["body"] for u in created["updates"]] == ["We upgrade the database."]
    listed = page.get(f"{ROOT}/maintenances").json()
    assert [m["id"] for m in listed] == [created["id"]]
    assert page.get(f"{ROOT}/maintenances/{created['id']}").json()["name"] == "Database upgrade"


def test_a_window_ending_before_it_starts_names_scheduled_until(page: Api) -> None:
    response = page.post(
        f"{ROOT}/maintenances",
        {"name": "x", "scheduled_for": MUCH_LATER, "scheduled_until": LATER},
    )
    assert response.status_code == 422
    assert error_fields(response) == ["scheduled_until"]


def test_a_time_without_a_zone_names_the_field(page: Api) -> None:
    response = page.post(
        f"{ROOT}/maintenances",
        {"name": "x", "scheduled_for": "2026-01-01T14:00:00", "scheduled_until": MUCH_LATER},
    )
    assert response.status_code == 422
    assert error_fields(response) == ["scheduled_for"]


def test_a_maintenance_on_an_unknown_component_names_it(page: Api) -> None:
    response = page.post(
        f"{ROOT}/maintenances",
        {
            "name": "x",
            "scheduled_for": LATER,
            "scheduled_until": MUCH_LATER,
            "component_ids": ["nope"],
        },
    )
    assert response.status_code == 422
    assert error_fields(response) == ["component_ids.0"]


def test_a_responder_starts_and_completes_a_maintenance(page: Api) -> None:
    created = schedule(page)
    path = f"{ROOT}/maintenances/{created['id']}"
    started = page.patch(path, {"status": "in_progress"})
    assert started.status_code == 200
    assert components(page)["api"] == "under_maintenance"
    page.clock.advance(minutes=1)
    done = page.patch(path, {"status": "completed", "message": "All done."}).json()
    assert (done["status"], done["updates"][0]["body"]) == ("completed", "All done.")
    assert components(page)["api"] == "operational"
    again = page.patch(path, {"status": "in_progress"})
    assert again.status_code == 409
    assert error_fields(again) == ["status"]


def test_an_unknown_maintenance_is_404(page: Api) -> None:
    assert page.patch(f"{ROOT}/maintenances/nope", {"name": "x"}).status_code == 404


def test_the_routes_are_documented_in_openapi(page: Api) -> None:
    paths = page.client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/components",
        "/components/{component_id}",
        "/incidents",
        "/incidents/{public_id}",
        "/incidents/{public_id}/publish",
        "/incidents/{public_id}/updates",
        "/incidents/{public_id}/resolve",
        "/maintenances",
        "/maintenances/{maintenance_id}",
    ):
        assert ROOT + path in paths, path
