"""Private incidents over the API: participants and admins see them, anyone else gets the 404
of an incident that does not exist, in every route that could give one away."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from firehouse.alerts import service as alerts
from firehouse.alerts.model import Alert
from firehouse.auth.service import create_token
from firehouse.incidents.model import Incident
from firehouse.integrations.webhooks import WebhookHandler
from firehouse.oncall.paging import PageRequest, create_page
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.statuspage import service_incidents
from tests.api.client import Api
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.alert_support import alert_event
from tests.service.outbox_support import SECRET, SECRET_ENV, numbers, subscribe

SECRET_MESSAGE = "Customer records exported by a former contractor"


def person_token(api: Api, name: str, role: str, person: str) -> None:
    with api.db.write() as session:
        _row, api.tokens[name] = create_token(
            session, name=name, role=role, now=api.clock.now(), person=person
        )


@pytest.fixture
def private(api: Api) -> int:
    """#1 ordinary; #2 private, reported by alice with bob as commander."""
    person_token(api, "alice", "responder", "alice")
    person_token(api, "bob", "responder", "bob")
    person_token(api, "dan", "responder", "dan")
    person_token(api, "dan-viewer", "viewer", "dan")
    api.declare()
    response = api.post(
        "/api/v1/incidents",
        {
            "service": "website",
            "priority": "P1",
            "message": SECRET_MESSAGE,
            "private": True,
            "commander": "bob",
        },
        role="alice",
    )
    assert response.status_code == 201, response.text
    assert response.json()["private"] is True
    assert response.json()["reporter"] == "alice"
    return int(response.json()["number"])


def incident_as(api: Api, role: str, number: int) -> dict[str, object]:
    response = api.get(f"/api/v1/incidents/{number}", role=role)
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def assert_missing(response: httpx.Response, number: int) -> None:
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == f"number: no incident {number}"
    assert SECRET_MESSAGE not in response.text


def listed(api: Api, role: str, query: str = "") -> list[int]:
    response = api.get(f"/api/v1/incidents{query}", role=role)
    assert response.status_code == 200, response.text
    assert SECRET_MESSAGE not in response.text or role in {"alice", "bob", "admin"}
    return [item["number"] for item in response.json()["items"]]


@pytest.mark.parametrize("role", ["dan", "dan-viewer", "responder", "viewer"])
def test_a_non_participant_does_not_find_it_in_the_list_or_its_filters(
    api: Api, private: int, role: str
) -> None:
    assert listed(api, role) == [1]
    assert listed(api, role, "?priority=P1") == []
    assert listed(api, role, "?status=open&service=website") == [1]


def test_a_non_participants_page_is_full_and_its_cursor_never_points_at_it(
    api: Api, private: int
) -> None:
    api.declare()
    response = api.get("/api/v1/incidents?limit=2", role="dan")
    assert [i["number"] for i in response.json()["items"]] == [3, 1]
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize("role", ["dan", "viewer"])
def test_reading_it_or_its_timeline_is_a_404_like_a_missing_number(
    api: Api, private: int, role: str
) -> None:
    assert_missing(api.get(f"/api/v1/incidents/{private}", role=role), private)
    assert_missing(api.get(f"/api/v1/incidents/{private}/timeline", role=role), private)
    assert_missing(api.get("/api/v1/incidents/99", role=role), 99)


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("patch", "", {"message": "renamed"}),
        ("patch", "", {"private": False}),
        ("post", "/acknowledge", None),
        ("post", "/timeline", {"text": "I was here"}),
        ("post", "/links", {"url": "https://bugs.example.com/1", "kind": "bug"}),
        ("post", "/roles", {"role": "responder", "person": "dan"}),
        ("delete", "/roles?role=commander&person=bob", None),
        ("post", "/resolve", {"note": "done"}),
        ("post", "/close", {"reason": "done"}),
        ("post", "/reopen", None),  # an open incident would answer 409: it must not
    ],
)
def test_every_change_by_a_non_participant_is_a_404(
    api: Api, private: int, method: str, action: str, body: object
) -> None:
    path = f"/api/v1/incidents/{private}{action}"
    before = incident_as(api, "alice", private)["version"]
    if method == "patch":
        response = api.patch(path, body, role="dan")
    elif method == "delete":
        response = api.delete(path, role="dan")
    else:
        response = api.post(path, body, role="dan")
    assert_missing(response, private)
    assert incident_as(api, "alice", private)["version"] == before


@pytest.mark.parametrize("role", ["alice", "bob", "admin"])
def test_the_reporter_the_commander_and_an_admin_see_and_act_on_it(
    api: Api, private: int, role: str
) -> None:
    assert listed(api, role) == [2, 1]
    assert incident_as(api, role, private)["message"] == SECRET_MESSAGE
    assert api.get(f"/api/v1/incidents/{private}/timeline", role=role).status_code == 200
    note = api.post(f"/api/v1/incidents/{private}/timeline", {"text": "Rotated keys"}, role=role)
    assert note.status_code == 201, note.text


def test_a_participant_makes_an_incident_private_and_it_is_on_the_timeline(
    api: Api, private: int
) -> None:
    api.post("/api/v1/incidents/1/roles", {"role": "commander", "person": "bob"})
    response = api.patch("/api/v1/incidents/1", {"private": True}, role="bob")
    assert response.status_code == 200, response.text
    assert response.json()["private"] is True
    assert "visibility_changed" in [
        e["kind"] for e in api.get("/api/v1/incidents/1/timeline", role="bob").json()
    ]
    assert_missing(api.get("/api/v1/incidents/1", role="dan"), 1)


def test_a_non_participant_may_not_make_an_ordinary_incident_private(
    api: Api, private: int
) -> None:
    response = api.patch("/api/v1/incidents/1", {"private": True}, role="dan")
    assert response.status_code == 403, response.text
    assert api.incident(1)["private"] is False


def test_making_it_ordinary_again_shows_it_to_everyone(api: Api, private: int) -> None:
    response = api.patch(f"/api/v1/incidents/{private}", {"private": False}, role="bob")
    assert response.status_code == 200, response.text
    assert api.get(f"/api/v1/incidents/{private}", role="dan").status_code == 200


def test_private_must_be_a_boolean(api: Api) -> None:
    body = {"service": "website", "priority": "P2", "message": "x", "private": "yes"}
    response = api.post("/api/v1/incidents", body, role="admin")
    assert response.status_code == 422
    assert "private" in response.text


def test_declaring_private_without_a_participant_is_refused(api: Api) -> None:
    body = {"service": "website", "priority": "P2", "message": "x", "private": True}
    response = api.post("/api/v1/incidents", body)  # a token that acts for no person
    assert response.status_code == 422
    assert "private" in response.text


def test_a_webhook_receiver_hears_nothing_about_it(
    api: Api, private: int, http: httpx.Client, receiver: WebhookReceiver
) -> None:
    subscribe(api.db, receiver.url)
    api.post(f"/api/v1/incidents/{private}/timeline", {"text": "Rotated keys"}, role="alice")
    api.post("/api/v1/incidents/1/timeline", {"text": "Rolled back"})
    handler = WebhookHandler(http, environ={SECRET_ENV: SECRET})
    Dispatcher(api.db, {"webhook": handler}, api.clock).run_until_idle()
    assert numbers(receiver) == [1]
    assert all(SECRET_MESSAGE not in r.body.decode() for r in receiver.requests)


def test_an_alert_of_a_private_incident_names_no_incident_to_a_non_participant(
    api: Api, private: int
) -> None:
    with api.db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == private))
        [result] = alerts.ingest(
            session,
            [alert_event("exfiltration", service="website")],
            integration="default",
            now=api.clock.now(),
        )
        alert = session.get_one(Alert, result.alert_id)
        alert.incident_id = incident_id  # attached, as routing attaches to a raised incident
    for role, number in (("dan", None), ("dan-viewer", None), ("bob", private), ("admin", private)):
        listing = api.get("/api/v1/alerts", role=role).json()["items"]
        one = api.get(f"/api/v1/alerts/{result.alert_id}", role=role).json()
        assert [item["incident_number"] for item in listing] == [number], role
        assert one["incident_number"] == number, role


def test_a_page_for_a_private_incident_is_hidden_from_non_participants(
    api: Api, private: int
) -> None:
    """A page's message quotes its incident, so it is as private as the incident."""
    with api.db.write() as session:
        request = PageRequest(
            message=f"#{private}: {SECRET_MESSAGE}", person="bob", incident=private
        )
        page_id = create_page(session, request, actor="alice", now=api.clock.now()).id
    for role, sees in (("dan", False), ("dan-viewer", False), ("bob", True), ("admin", True)):
        listing = api.get("/api/v1/pages", role=role)
        one = api.get(f"/api/v1/pages/{page_id}", role=role)
        assert ([page["id"] for page in listing.json()] == [page_id]) is sees, role
        assert one.status_code == (200 if sees else 404), role
        if not sees:
            assert SECRET_MESSAGE not in listing.text + one.text


def test_the_status_page_api_names_no_private_incident_to_a_non_participant(
    api: Api, private: int
) -> None:
    """A public incident linked to it (say, published before it was made private) shows no
    internal number, and filtering by the number finds nothing, as for a missing number."""
    with api.db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == private))
        public = service_incidents.create_incident(
            session,
            name="Website — partial outage",
            impact="major",
            components={},
            body="We are investigating.",
            publish=False,
            incident_id=incident_id,
            actor="alice",
            now=api.clock.now(),
        )
    for role, number in (("dan", None), ("dan-viewer", None), ("bob", private), ("admin", private)):
        listing = api.get("/api/v1/statuspage/incidents", role=role).json()["items"]
        one = api.get(f"/api/v1/statuspage/incidents/{public.id}", role=role).json()
        assert [item["incident"] for item in listing] == [number], role
        assert one["incident"] == number, role
        filtered = api.get(f"/api/v1/statuspage/incidents?incident={private}", role=role)
        assert filtered.status_code == (404 if number is None else 200), role
