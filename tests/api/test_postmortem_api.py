"""Postmortems over HTTP: read, start, edit, review, publish, export, list."""

from __future__ import annotations

import httpx
import pytest

from firehouse.auth.service import create_token
from tests.api.client import Api, error_fields

SECRET = "Payment keys were exposed"


def resolved_p1(api: Api) -> int:
    number = int(api.declare(priority="P1", commander="alice")["number"])
    assert api.act(number, "resolve", {"note": "Rolled back"}).status_code == 200
    return number


def person_token(api: Api, name: str, role: str, person: str) -> None:
    with api.db.write() as session:
        _row, api.tokens[name] = create_token(
            session, name=name, role=role, now=api.clock.now(), person=person
        )


def put(api: Api, number: int, body: object, role: str = "responder") -> httpx.Response:
    return api.client.put(
        f"/api/v1/incidents/{number}/postmortem", json=body, headers=api.auth(role)
    )


def test_a_resolved_p1_has_a_draft_postmortem(api: Api) -> None:
    number = resolved_p1(api)
    response = api.get(f"/api/v1/incidents/{number}/postmortem")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["owner"], body["version"]) == ("draft", "alice", 1)
    assert "## Key times" in body["document"]


def test_an_incident_without_one_answers_404(api: Api) -> None:
    number = int(api.declare()["number"])
    response = api.get(f"/api/v1/incidents/{number}/postmortem")
    assert response.status_code == 404
    assert error_fields(response) == ["number"]


def test_starting_by_hand_creates_then_returns_the_same_one(api: Api) -> None:
    number = int(api.declare()["number"])
    first = api.post(f"/api/v1/incidents/{number}/postmortem")
    again = api.post(f"/api/v1/incidents/{number}/postmortem")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created_at"] == first.json()["created_at"]


def test_a_viewer_may_not_start_one(api: Api) -> None:
    number = int(api.declare()["number"])
    assert api.post(f"/api/v1/incidents/{number}/postmortem", role="viewer").status_code == 403


def test_editing_at_the_current_version_saves_and_bumps_it(api: Api) -> None:
    number = resolved_p1(api)
    response = put(api, number, {"document": "# Ours", "version": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["document"], body["version"]) == ("# Ours", 2)
    assert body["started_at"] is not None


def test_editing_at_a_stale_version_is_a_conflict(api: Api) -> None:
    number = resolved_p1(api)
    put(api, number, {"document": "# One", "version": 1})
    response = put(api, number, {"document": "# Two", "version": 1})
    assert response.status_code == 409
    assert error_fields(response) == ["version"]


def test_an_empty_document_names_the_field(api: Api) -> None:
    number = resolved_p1(api)
    response = put(api, number, {"document": "", "version": 1})
    assert response.status_code == 422
    assert "document" in " ".join(error_fields(response))


def test_review_then_publish(api: Api) -> None:
    number = resolved_p1(api)
    path = f"/api/v1/incidents/{number}/postmortem/state"
    assert api.post(path, {"state": "in_review"}).status_code == 200
    published = api.post(path, {"state": "published"})
    assert published.status_code == 200, published.text
    assert published.json()["published_at"] is not None


def test_publishing_a_draft_directly_is_a_conflict(api: Api) -> None:
    number = resolved_p1(api)
    response = api.post(f"/api/v1/incidents/{number}/postmortem/state", {"state": "published"})
    assert response.status_code == 409
    assert error_fields(response) == ["state"]


def test_an_unknown_state_is_refused_naming_the_field(api: Api) -> None:
    number = resolved_p1(api)
    response = api.post(f"/api/v1/incidents/{number}/postmortem/state", {"state": "done"})
    assert response.status_code == 422
    assert "state" in " ".join(error_fields(response))


def test_markdown_export_is_the_document(api: Api) -> None:
    number = resolved_p1(api)
    document = api.get(f"/api/v1/incidents/{number}/postmortem").json()["document"]
    response = api.get(f"/api/v1/incidents/{number}/postmortem.md")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.text == document


def test_html_export_escapes_raw_html(api: Api) -> None:
    number = resolved_p1(api)
    put(api, number, {"document": "# Title\n\n<script>alert(1)</script>", "version": 1})
    response = api.get(f"/api/v1/incidents/{number}/postmortem.html")
    assert response.status_code == 200
    assert "<h1>Title</h1>" in response.text
    assert "<script>" not in response.text


def test_the_list_filters_by_state_and_overdue(api: Api) -> None:
    number = resolved_p1(api)
    drafts = api.get("/api/v1/postmortems?state=draft").json()["items"]
    assert [item["incident"] for item in drafts] == [number]
    assert api.get("/api/v1/postmortems?overdue=true").json()["items"] == []
    api.clock.advance(days=10)
    late = api.get("/api/v1/postmortems?overdue=true").json()["items"]
    assert [item["incident"] for item in late] == [number]


@pytest.fixture
def private(api: Api) -> int:
    person_token(api, "alice", "responder", "alice")
    person_token(api, "dan", "responder", "dan")
    response = api.post(
        "/api/v1/incidents",
        {"service": "website", "priority": "P1", "message": SECRET, "private": True},
        role="alice",
    )
    number = int(response.json()["number"])
    assert (
        api.post(
            f"/api/v1/incidents/{number}/resolve", {"note": "Rotated"}, role="alice"
        ).status_code
        == 200
    )
    return number


@pytest.mark.parametrize("path", ["/postmortem", "/postmortem.md", "/postmortem.html"])
def test_a_private_postmortem_is_missing_for_outsiders(api: Api, private: int, path: str) -> None:
    response = api.get(f"/api/v1/incidents/{private}{path}", role="dan")
    assert response.status_code == 404
    assert SECRET not in response.text
    assert api.get(f"/api/v1/incidents/{private}{path}", role="alice").status_code == 200


def test_outsiders_cannot_change_a_private_postmortem(api: Api, private: int) -> None:
    response = api.post(
        f"/api/v1/incidents/{private}/postmortem/state", {"state": "in_review"}, role="dan"
    )
    assert response.status_code == 404
    assert (
        api.get(f"/api/v1/incidents/{private}/postmortem", role="alice").json()["state"] == "draft"
    )


def test_a_private_postmortem_is_not_listed_for_outsiders(api: Api, private: int) -> None:
    assert api.get("/api/v1/postmortems", role="dan").json()["items"] == []
    listed = api.get("/api/v1/postmortems", role="alice").json()["items"]
    assert [item["incident"] for item in listed] == [private]
