"""The paging API and the acknowledgement link, over both databases."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from firehouse.auth.signing import forget_cached_keys, signing_key
from firehouse.oncall.ack_links import ack_token
from tests.api.client import Api, error_fields
from tests.service.paging_support import POLICY, add_on_call


@pytest.fixture(autouse=True)
def on_call(api: Api) -> None:
    forget_cached_keys()  # each test's database keeps its own generated key
    add_on_call(api.db)


def page(api: Api, **body: Any) -> dict[str, Any]:
    response = api.post("/api/v1/pages", {"message": "Checkout is down", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def link(api: Api, page_id: int, *, person: str = "alice", minutes: int = 60) -> str:
    key = signing_key(api.db, api.app.state.runtime.settings.secret_key)
    return f"/ack/{ack_token(key, page_id, person, api.clock.now() + timedelta(minutes=minutes))}"


# raising and reading ---------------------------------------------------------------------------
def test_a_new_page_answers_with_who_its_first_step_notified(api: Api) -> None:
    created = page(api, escalation_policy=POLICY)
    assert created["status"] == "triggered"
    assert [(n["person"], n["method"], n["state"]) for n in created["notifications"]] == [
        ("alice", "slack", "queued"),
        ("alice", "email", "scheduled"),
    ]
    assert created["created_by"] == "token:responder"


def test_a_page_for_an_incident_names_its_number(api: Api) -> None:
    number = api.declare(priority="P4")["number"]
    created = page(api, person="bob", incident=number)
    assert created["incident"] == number
    assert "page.triggered" in api.timeline_kinds(number)


def test_pages_are_listed_newest_first_and_filtered(api: Api) -> None:
    number = api.declare(priority="P4")["number"]
    first = page(api, person="alice", incident=number)
    second = page(api, person="bob")
    api.post(f"/api/v1/pages/{first['id']}/acknowledge")
    listed = api.get("/api/v1/pages").json()
    assert [p["id"] for p in listed] == [second["id"], first["id"]]
    acknowledged = api.get("/api/v1/pages", params={"status": "acknowledged"}).json()
    assert [p["id"] for p in acknowledged] == [first["id"]]
    for_incident = api.get("/api/v1/pages", params={"incident": number}).json()
    assert [p["id"] for p in for_incident] == [first["id"]]


def test_one_page_is_shown_with_its_notifications(api: Api) -> None:
    created = page(api, service="cms")
    shown = api.get(f"/api/v1/pages/{created['id']}").json()
    assert [n["target"] for n in shown["notifications"]] == ["point-person of cms"] * 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person": "alice", "service": "website"}, "body"),
        ({"message": "x"}, "body"),
        ({"person": "nobody"}, "person"),
        ({"person": "alice", "incident": 99}, "incident"),
        ({"person": "alice", "message": ""}, "message"),
        ({"person": "alice", "colour": "red"}, "colour"),
        ({"schedule": "engineering", "layer": "Bad Layer"}, "layer"),
    ],
)
def test_bad_page_requests_are_refused_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/pages", {"message": "Checkout is down", **body})
    assert response.status_code == 422, response.text
    assert field in error_fields(response)


def test_raising_a_page_needs_the_responder_role(api: Api) -> None:
    response = api.post("/api/v1/pages", {"message": "x", "person": "alice"}, role="viewer")
    assert response.status_code == 403


def test_an_unknown_page_is_not_found(api: Api) -> None:
    assert api.get("/api/v1/pages/404").status_code == 404
    assert api.post("/api/v1/pages/404/acknowledge").status_code == 404


# acknowledging and cancelling ------------------------------------------------------------------
def test_acknowledging_by_api_stops_the_page_and_acknowledges_the_incident(api: Api) -> None:
    number = api.declare(priority="P4")["number"]
    created = page(api, escalation_policy=POLICY, incident=number)
    response = api.post(f"/api/v1/pages/{created['id']}/acknowledge")
    assert response.status_code == 200, response.text
    acknowledged = response.json()
    assert (acknowledged["status"], acknowledged["acknowledged_via"]) == ("acknowledged", "api")
    assert [n["state"] for n in acknowledged["notifications"]] == ["queued", "skipped"]
    assert api.incident(number)["acknowledged_at"] is not None


def test_acknowledging_twice_answers_the_same_page(api: Api) -> None:
    created = page(api, person="alice")
    first = api.post(f"/api/v1/pages/{created['id']}/acknowledge").json()
    api.clock.advance(minutes=1)
    second = api.post(f"/api/v1/pages/{created['id']}/acknowledge").json()
    assert second["acknowledged_at"] == first["acknowledged_at"]


def test_cancelling_a_page_ends_it(api: Api) -> None:
    created = page(api, person="alice")
    response = api.post(f"/api/v1/pages/{created['id']}/cancel")
    assert response.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/pages/{created['id']}/acknowledge")
    assert again.status_code == 409


# escalating to point-people --------------------------------------------------------------------
def test_escalating_an_incident_pages_its_services_point_people(api: Api) -> None:
    number = api.declare(priority="P3")["number"]
    response = api.post(f"/api/v1/incidents/{number}/escalate", {})
    assert response.status_code == 201, response.text
    escalated = response.json()
    assert (escalated["reason"], escalated["incident"]) == ("point_person", number)
    assert {n["person"] for n in escalated["notifications"]} == {"alice"}
    again = api.post(f"/api/v1/incidents/{number}/escalate", {})
    assert (again.status_code, again.json()["id"]) == (200, escalated["id"])


def test_escalating_to_another_service_or_person(api: Api) -> None:
    number = api.declare(priority="P3")["number"]
    to_cms = api.post(f"/api/v1/incidents/{number}/escalate", {"service": "cms"}).json()
    to_dan = api.post(f"/api/v1/incidents/{number}/escalate", {"person": "dan"}).json()
    assert {n["person"] for n in to_cms["notifications"]} == {"carol"}
    assert {n["person"] for n in to_dan["notifications"]} == {"dan"}


def test_escalating_with_bad_input_is_refused(api: Api) -> None:
    number = api.declare(priority="P3")["number"]
    both = api.post(f"/api/v1/incidents/{number}/escalate", {"service": "cms", "person": "dan"})
    assert both.status_code == 422
    assert api.post("/api/v1/incidents/99/escalate", {}).status_code == 404
    viewer = api.post(f"/api/v1/incidents/{number}/escalate", {}, role="viewer")
    assert viewer.status_code == 403


# the acknowledgement link ----------------------------------------------------------------------
def test_the_link_shows_what_the_page_is_about_and_a_button(api: Api) -> None:
    number = api.declare(priority="P4", message="<script>alert(1)</script>")["number"]
    created = page(api, person="alice", incident=number, message="Look at <b>this</b>")
    response = api.client.get(link(api, created["id"]))
    assert response.status_code == 200
    assert "Look at &lt;b&gt;this&lt;/b&gt;" in response.text
    assert "<script>" not in response.text
    assert re.search(r'<form method="post" action="/ack/[^"]+"><button', response.text)
    assert api.get(f"/api/v1/pages/{created['id']}").json()["status"] == "triggered"


def test_posting_the_link_acknowledges_without_a_session(api: Api) -> None:
    created = page(api, person="alice")
    response = api.client.post(link(api, created["id"]))
    assert response.status_code == 200
    assert "Acknowledged" in response.text
    shown = api.get(f"/api/v1/pages/{created['id']}").json()
    assert (shown["status"], shown["acknowledged_by"], shown["acknowledged_via"]) == (
        "acknowledged",
        "alice",
        "link",
    )


def test_an_expired_link_says_so(api: Api) -> None:
    created = page(api, person="alice")
    url = link(api, created["id"], minutes=5)
    api.clock.advance(minutes=6)
    response = api.client.post(url)
    assert response.status_code == 410
    assert "expired" in response.text
    assert api.get(f"/api/v1/pages/{created['id']}").json()["status"] == "triggered"


def test_a_forged_link_is_refused(api: Api) -> None:
    created = page(api, person="alice")
    forged = ack_token(b"not the key", created["id"], "alice", api.clock.now() + timedelta(hours=1))
    for response in (api.client.get(f"/ack/{forged}"), api.client.post(f"/ack/{forged}")):
        assert response.status_code == 400
        assert "not valid" in response.text
    assert api.client.get("/ack/garbage").status_code == 400
    assert api.get(f"/api/v1/pages/{created['id']}").json()["status"] == "triggered"


def test_an_acknowledged_page_link_says_someone_is_on_it(api: Api) -> None:
    created = page(api, person="alice")
    url = link(api, created["id"])
    api.client.post(url)
    response = api.client.get(url)
    assert "Already acknowledged" in response.text
