"""Acknowledge, resolve, close and reopen, and the transitions the lifecycle refuses."""

from __future__ import annotations

import pytest

from tests.api.client import Api, error_fields


def test_acknowledging_sets_the_time_once(api: Api) -> None:
    api.declare()
    api.clock.advance(minutes=3)
    first = api.act(1, "acknowledge")
    assert first.status_code == 200
    acknowledged_at = first.json()["acknowledged_at"]
    assert acknowledged_at.startswith("2026-01-01T12:03:00")
    api.clock.advance(minutes=3)
    assert api.act(1, "acknowledge").json()["acknowledged_at"] == acknowledged_at
    assert api.timeline_kinds(1).count("acknowledged") == 1


def test_resolving_records_the_note_as_the_final_entry(api: Api) -> None:
    api.declare()
    api.clock.advance(minutes=30)
    response = api.act(1, "resolve", {"note": "Rolled back deploy 412"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["resolution_note"]) == ("resolved", "Rolled back deploy 412")
    assert body["resolved_at"].startswith("2026-01-01T12:30:00")
    last = api.timeline(1)[-1]
    assert (last["kind"], last["text"]) == ("resolved", "Resolved: Rolled back deploy 412")


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": None}])
def test_resolving_without_a_note_is_422_naming_note(api: Api, body: object) -> None:
    api.declare()
    response = api.act(1, "resolve", body)
    assert response.status_code == 422
    assert error_fields(response) == ["note"]
    assert api.incident(1)["status"] == "open"


def test_resolving_without_any_body_is_422_naming_the_body(api: Api) -> None:
    api.declare()
    response = api.act(1, "resolve")
    assert response.status_code == 422
    assert error_fields(response) == ["body"]


def test_closing_with_bug_links_links_them(api: Api) -> None:
    api.declare(priority="P4")
    response = api.act(
        1,
        "close",
        {"reason": "Tracked by the partners team", "bug_links": ["https://bugs.example.com/7"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["close_reason"]) == ("closed", "Tracked by the partners team")
    assert [(link["kind"], link["url"]) for link in body["links"]] == [
        ("bug", "https://bugs.example.com/7")
    ]
    assert api.timeline_kinds(1)[-3:] == ["link_added", "closed", "guidance.not_an_incident_reply"]


def test_closing_without_a_reason_is_422_naming_reason(api: Api) -> None:
    api.declare()
    response = api.act(1, "close", {"bug_links": []})
    assert response.status_code == 422
    assert error_fields(response) == ["reason"]


def test_a_bad_bug_link_is_422_naming_it_and_closes_nothing(api: Api) -> None:
    api.declare()
    response = api.act(1, "close", {"reason": "dup", "bug_links": ["https://ok.example", "ftp:x"]})
    assert response.status_code == 422
    assert error_fields(response) == ["bug_links[1]"]
    assert api.incident(1)["status"] == "open"
    assert api.incident(1)["links"] == []


@pytest.mark.parametrize(
    ("action", "body"),
    [("resolve", {"note": "fixed"}), ("close", {"reason": "not an incident"})],
)
def test_reopening_brings_it_back_to_open(api: Api, action: str, body: dict[str, str]) -> None:
    api.declare()
    api.act(1, action, body)
    response = api.act(1, "reopen", {"reason": "it came back"})
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert response.json()["resolved_at"] is None
    assert api.timeline(1)[-1]["text"].endswith(": it came back")


def test_reopening_needs_no_body(api: Api) -> None:
    api.declare()
    api.act(1, "resolve", {"note": "fixed"})
    assert api.act(1, "reopen").json()["status"] == "open"


@pytest.mark.parametrize(
    ("setup", "action", "body", "expected"),
    [
        (None, "reopen", {"reason": "x"}, "already open"),
        ("resolve", "resolve", {"note": "again"}, "already resolved"),
        ("resolve", "close", {"reason": "x"}, "cannot go from resolved to closed"),
        ("close", "resolve", {"note": "x"}, "cannot go from closed to resolved"),
        ("close", "close", {"reason": "again"}, "already closed"),
    ],
)
def test_an_invalid_transition_is_409_with_a_clear_message(
    api: Api, setup: str | None, action: str, body: dict[str, str], expected: str
) -> None:
    api.declare()
    if setup == "resolve":
        api.act(1, "resolve", {"note": "fixed"})
    elif setup == "close":
        api.act(1, "close", {"reason": "dup"})
    before = api.timeline(1)
    response = api.act(1, action, body)
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert expected in response.json()["detail"]
    assert error_fields(response) == ["status"]
    assert api.timeline(1) == before


def test_an_action_with_a_stale_if_match_is_409(api: Api) -> None:
    stale = api.declare()["version"]
    api.act(1, "timeline", {"text": "note"})
    response = api.act(1, "resolve", {"note": "fixed"}, headers={"If-Match": f'"{stale}"'})
    assert response.status_code == 409
    assert api.incident(1)["status"] == "open"


def test_an_action_on_an_unknown_incident_is_404(api: Api) -> None:
    assert api.act(42, "resolve", {"note": "fixed"}).status_code == 404
