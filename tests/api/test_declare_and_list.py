"""Declaring an incident, reading it back, and listing incidents with filters and pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from firehouse.chat.model import IncidentChannel
from firehouse.incidents.model import Incident
from tests.api.client import Api, error_fields

INCIDENTS = "/api/v1/incidents"


def test_declaring_answers_201_with_number_location_and_etag(api: Api) -> None:
    response = api.post(
        INCIDENTS,
        {
            "service": "website",
            "message": "Checkout fails",
            "priority": "P1",
            "description": "Card payments time out",
            "source_url": "https://chat.example.com/archives/C1/p123",
            "tags": ["payments", "checkout"],
            "commander": "alice",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 1
    assert response.headers["Location"] == "/api/v1/incidents/1"
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert (body["service"], body["priority"], body["status"]) == ("website", "P1", "open")
    assert body["commander"] == "alice"
    assert body["tags"] == ["payments", "checkout"]
    assert body["url"] == "http://firehouse.test/incidents/1"


def test_numbers_are_sequential_from_one(api: Api) -> None:
    assert [api.declare()["number"] for _ in range(3)] == [1, 2, 3]


def test_declaring_on_an_unknown_service_is_422_naming_service(api: Api) -> None:
    response = api.post(INCIDENTS, {"service": "nope", "message": "m", "priority": "P2"})
    assert response.status_code == 422
    assert error_fields(response) == ["service"]


def test_declaring_without_a_message_is_422_naming_message(api: Api) -> None:
    response = api.post(INCIDENTS, {"service": "website", "priority": "P2"})
    assert response.status_code == 422
    assert error_fields(response) == ["message"]


def test_declaring_with_an_unknown_priority_is_422_naming_priority(api: Api) -> None:
    response = api.post(INCIDENTS, {"service": "website", "message": "m", "priority": "P9"})
    assert response.status_code == 422
    assert error_fields(response) == ["priority"]


def test_a_p5_is_always_training(api: Api) -> None:
    assert api.declare(priority="P5")["training"] is True


def test_getting_one_incident_carries_its_etag(api: Api) -> None:
    declared = api.declare()
    response = api.get(f"{INCIDENTS}/1")
    assert response.status_code == 200
    assert response.json() == declared
    assert response.headers["ETag"] == f'"{declared["version"]}"'


def test_getting_an_unknown_incident_is_404_naming_number(api: Api) -> None:
    response = api.get(f"{INCIDENTS}/99")
    assert response.status_code == 404
    assert error_fields(response) == ["number"]


def numbers(page: dict[str, Any]) -> list[int]:
    return [item["number"] for item in page["items"]]


def test_listing_is_newest_first(api: Api) -> None:
    for _ in range(3):
        api.declare()
    assert numbers(api.get(INCIDENTS).json()) == [3, 2, 1]


def test_listing_filters_by_status(api: Api) -> None:
    for _ in range(3):
        api.declare()
    api.act(2, "resolve", {"note": "rolled back"})
    assert numbers(api.get(INCIDENTS, params={"status": "resolved"}).json()) == [2]
    assert numbers(api.get(INCIDENTS, params={"status": "open"}).json()) == [3, 1]


def test_listing_filters_by_priority(api: Api) -> None:
    api.declare(priority="P1")
    api.declare(priority="P3")
    api.declare(priority="P1")
    assert numbers(api.get(INCIDENTS, params={"priority": "P1"}).json()) == [3, 1]


def test_listing_filters_by_service(api: Api) -> None:
    api.declare(service="website")
    api.declare(service="cms")
    assert numbers(api.get(INCIDENTS, params={"service": "cms"}).json()) == [2]


def test_listing_combines_filters(api: Api) -> None:
    api.declare(service="cms", priority="P1")
    api.declare(service="cms", priority="P2")
    api.declare(service="website", priority="P1")
    page = api.get(INCIDENTS, params={"service": "cms", "priority": "P1", "status": "open"})
    assert numbers(page.json()) == [1]


def test_listing_with_an_unknown_status_is_422_naming_status(api: Api) -> None:
    response = api.get(INCIDENTS, params={"status": "sleeping"})
    assert response.status_code == 422
    assert error_fields(response) == ["status"]


def test_next_cursor_walks_every_page_without_duplicates_or_gaps(api: Api) -> None:
    for _ in range(7):
        api.declare()
    seen: list[int] = []
    pages = 0
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = api.get(INCIDENTS, params=params).json()
        pages += 1
        seen += numbers(page)
        if page["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    assert pages == 3


def test_the_last_full_page_has_no_next_cursor(api: Api) -> None:
    for _ in range(3):
        api.declare()
    assert api.get(INCIDENTS, params={"limit": 3}).json()["next_cursor"] is None


def test_pagination_keeps_its_filter(api: Api) -> None:
    for priority in ["P1", "P2", "P1", "P2", "P1"]:
        api.declare(priority=priority)
    first = api.get(INCIDENTS, params={"priority": "P1", "limit": 2}).json()
    rest = api.get(
        INCIDENTS, params={"priority": "P1", "limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert numbers(first) + numbers(rest) == [5, 3, 1]
    assert rest["next_cursor"] is None


def test_a_garbage_cursor_is_422_naming_cursor(api: Api) -> None:
    for cursor in ["abc", "-1", "0", "99999999999", "1e3", "²"]:
        response = api.get(INCIDENTS, params={"cursor": cursor})
        assert response.status_code == 422, cursor
        assert error_fields(response) == ["cursor"]


def test_a_limit_out_of_range_is_422_naming_limit(api: Api) -> None:
    for limit in ["0", "201", "many"]:
        response = api.get(INCIDENTS, params={"limit": limit})
        assert response.status_code == 422, limit
        assert error_fields(response) == ["limit"]


def test_an_incident_shows_its_chat_channel_once_the_chat_flow_made_one(api: Api) -> None:
    number = api.declare()["number"]
    assert api.incident(number)["channel"] is None
    with api.db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        session.add(
            IncidentChannel(
                incident_id=incident_id,
                provider="slack",
                channel_id="C0INC1",
                name=f"incident-{number}",
                url="https://slack.com/app_redirect?channel=C0INC1",
                created_at=api.clock.now(),
            )
        )
    expected = {
        "provider": "slack",
        "id": "C0INC1",
        "name": f"incident-{number}",
        "url": "https://slack.com/app_redirect?channel=C0INC1",
    }
    assert api.incident(number)["channel"] == expected
    listed = api.get("/api/v1/incidents").json()["items"]
    assert [item["channel"] for item in listed] == [expected]
