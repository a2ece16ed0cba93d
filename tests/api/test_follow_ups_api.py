"""Follow-ups over HTTP: add, list, done and reopen, with roles and private incidents."""

from __future__ import annotations

from typing import Any

from firehouse.auth.service import create_token
from tests.api.client import Api, error_fields


def add(api: Api, number: int, title: str = "Add a canary stage") -> dict[str, Any]:
    response = api.post(f"/api/v1/incidents/{number}/follow-ups", {"title": title})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_responder_adds_a_built_in_follow_up_and_everyone_lists_it(api: Api) -> None:
    number = api.declare()["number"]
    created = add(api, number)
    listed = api.get(f"/api/v1/incidents/{number}/follow-ups").json()
    assert [(f["id"], f["tracker"], f["status"]) for f in listed] == [
        (created["id"], "builtin", "open")
    ]
    assert "follow_up_added" in api.timeline_kinds(number)


def test_a_viewer_may_not_add_a_follow_up(api: Api) -> None:
    number = api.declare()["number"]
    response = api.post(f"/api/v1/incidents/{number}/follow-ups", {"title": "x"}, role="viewer")
    assert response.status_code == 403


def test_an_empty_title_is_refused_naming_the_field(api: Api) -> None:
    number = api.declare()["number"]
    response = api.post(f"/api/v1/incidents/{number}/follow-ups", {"title": "  "})
    assert response.status_code == 422
    assert error_fields(response) == ["title"]


def test_a_tracker_that_is_not_configured_is_refused_naming_the_field(api: Api) -> None:
    number = api.declare()["number"]
    body = {"title": "Ticket", "tracker": "jira"}
    response = api.post(f"/api/v1/incidents/{number}/follow-ups", body)
    assert response.status_code == 422
    assert error_fields(response) == ["tracker"]


def test_a_built_in_follow_up_is_done_then_reopened(api: Api) -> None:
    number = api.declare()["number"]
    created = add(api, number)
    done = api.post(f"/api/v1/follow-ups/{created['id']}/done")
    assert (done.status_code, done.json()["status"]) == (200, "done")
    again = api.post(f"/api/v1/follow-ups/{created['id']}/reopen")
    assert (again.status_code, again.json()["status"]) == (200, "open")


def test_a_missing_follow_up_is_404(api: Api) -> None:
    assert api.post("/api/v1/follow-ups/999/done").status_code == 404


def person_token(api: Api, name: str, person: str) -> None:
    with api.db.write() as session:
        _row, api.tokens[name] = create_token(
            session, name=name, role="responder", now=api.clock.now(), person=person
        )


def test_follow_ups_of_a_private_incident_do_not_leak(api: Api) -> None:
    person_token(api, "alice", "alice")
    person_token(api, "dan", "dan")
    body = {"service": "website", "priority": "P1", "message": "Secret", "private": True}
    number = api.post("/api/v1/incidents", body, role="alice").json()["number"]
    path = f"/api/v1/incidents/{number}/follow-ups"
    created = api.post(path, {"title": "Rotate keys"}, role="alice").json()
    listed = api.get(path, role="dan")
    done = api.post(f"/api/v1/follow-ups/{created['id']}/done", role="dan")
    assert (listed.status_code, done.status_code) == (404, 404)
    assert api.get(path, role="alice").status_code == 200
