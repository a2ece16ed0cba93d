"""Alerts and silences over the API, with the ordinary tokens: a viewer reads, a responder acts."""

from __future__ import annotations

from typing import Any

import pytest

from firehouse.alerts.routing import SETTING as ROUTING_SETTING
from firehouse.catalog.model import OrganisationSetting
from tests.api.client import Api, error_fields

KEY = "c3" * 16


@pytest.fixture(autouse=True)
def intake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREHOUSE_INTAKE_KEY", KEY)


def send(api: Api, *alerts: dict[str, Any]) -> list[dict[str, Any]]:
    """Alerts in through the generic intake endpoint; their results."""
    response = api.client.post(
        "/api/v1/alerts", json={"alerts": list(alerts)}, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 202, response.text
    results: list[dict[str, Any]] = response.json()["alerts"]
    return results


def alert(fingerprint: str, **fields: Any) -> dict[str, Any]:
    return {"summary": f"{fingerprint} is failing", "fingerprint": fingerprint, **fields}


def listed(api: Api, **params: Any) -> list[int]:
    response = api.get("/api/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# reading ---------------------------------------------------------------------------------------
def test_a_viewer_lists_alerts_newest_first(api: Api) -> None:
    ids = [r["alert_id"] for r in send(api, alert("a"), alert("b"), alert("c"))]
    assert listed(api) == sorted(ids, reverse=True)


def test_alerts_are_filtered_by_status_source_and_service(api: Api) -> None:
    first, second = send(api, alert("a", service="website"), alert("b", service="cms"))
    api.post(f"/api/v1/alerts/{first['alert_id']}/resolve")
    assert listed(api, status="resolved") == [first["alert_id"]]
    assert listed(api, status="open") == [second["alert_id"]]
    assert listed(api, service="cms") == [second["alert_id"]]
    assert listed(api, source="generic") == [second["alert_id"], first["alert_id"]]
    assert listed(api, source="pagerduty") == []


def test_since_keeps_alerts_last_seen_at_or_after_it(api: Api) -> None:
    send(api, alert("old"))
    api.clock.advance(minutes=10)
    [new] = send(api, alert("new"))
    since = api.clock.now().isoformat()
    assert listed(api, since=since) == [new["alert_id"]]


def test_the_cursor_pages_through_every_alert(api: Api) -> None:
    ids = [r["alert_id"] for r in send(api, *(alert(f"f{n}") for n in range(5)))]
    first = api.get("/api/v1/alerts", params={"limit": 2}).json()
    second = api.get("/api/v1/alerts", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    seen = [i["id"] for i in first["items"] + second["items"]]
    assert seen == sorted(ids, reverse=True)[:4]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"source": "nagios"}, "source"),
        ({"since": "yesterday"}, "since"),
        ({"cursor": "abc"}, "cursor"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_filters_are_422_naming_the_filter(
    api: Api, params: dict[str, Any], field: str
) -> None:
    response = api.get("/api/v1/alerts", params=params)
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_one_alert_shows_its_labels_routing_and_raw_payload(api: Api) -> None:
    [result] = send(api, alert("disk", labels={"host": "db-1"}))
    response = api.get(f"/api/v1/alerts/{result['alert_id']}")
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["labels"]["host"] == "db-1"
    assert shown["status"] == "open"
    assert shown["count"] == 1
    assert shown["action"] == "record"
    assert shown["raw"]["fingerprint"] == "disk"


def test_an_unknown_alert_is_404(api: Api) -> None:
    response = api.get("/api/v1/alerts/999")
    assert response.status_code == 404
    assert error_fields(response) == ["id"]


def test_an_alert_raised_as_an_incident_names_its_number(api: Api) -> None:
    rules = {"rules": [{"name": "all", "action": "incident", "service": "website"}]}
    with api.db.write() as session:
        session.add(OrganisationSetting(key=ROUTING_SETTING, value=rules))
    [result] = send(api, alert("outage", priority="P2"))
    shown = api.get(f"/api/v1/alerts/{result['alert_id']}").json()
    assert shown["incident_number"] == result["incident_number"] == 1


def test_reading_alerts_needs_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/alerts").status_code == 401


# acting ----------------------------------------------------------------------------------------
def test_a_responder_acknowledges_an_alert(api: Api) -> None:
    [result] = send(api, alert("disk"))
    response = api.post(f"/api/v1/alerts/{result['alert_id']}/acknowledge")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "acknowledged"
    assert response.json()["acknowledged_by"] == "token:responder"


def test_a_responder_resolves_an_alert_and_a_new_firing_opens_another(api: Api) -> None:
    [first] = send(api, alert("disk"))
    response = api.post(f"/api/v1/alerts/{first['alert_id']}/resolve")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    [again] = send(api, alert("disk"))
    assert again["outcome"] == "created"
    assert again["alert_id"] != first["alert_id"]


def test_a_viewer_may_not_acknowledge(api: Api) -> None:
    [result] = send(api, alert("disk"))
    response = api.post(f"/api/v1/alerts/{result['alert_id']}/acknowledge", role="viewer")
    assert response.status_code == 403


# silences --------------------------------------------------------------------------------------
def silence(api: Api, **overrides: Any) -> Any:
    body = {"matchers": {"labels": {"host": "db-1"}}, "duration": "2h", "reason": "maintenance"}
    return api.post("/api/v1/silences", body | overrides)


def test_a_responder_creates_a_silence_with_author_and_window(api: Api) -> None:
    response = silence(api)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["author"] == "token:responder"
    assert created["active"] is True
    assert created["matchers"]["labels"] == {"host": "db-1"}
    assert created["starts_at"] == api.clock.now().isoformat().replace("+00:00", "Z")


def test_a_silenced_alert_is_recorded_but_not_routed(api: Api) -> None:
    silence_id = silence(api).json()["id"]
    [result] = send(api, alert("disk", labels={"host": "db-1"}))
    shown = api.get(f"/api/v1/alerts/{result['alert_id']}").json()
    assert shown["silenced_by"] == silence_id
    assert shown["action"] == "silenced"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration": "forever"}, "duration"),
        ({"duration": "0m"}, "duration"),
        ({"reason": "  "}, "reason"),
        ({"matchers": {"regex": {"host": "(("}}}, "matchers.regex.host"),
        ({"matchers": {"colour": "red"}}, "matchers.colour"),
    ],
)
def test_a_bad_silence_is_422_naming_the_field(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    response = silence(api, **overrides)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_a_silence_matching_everything_is_refused(api: Api) -> None:
    response = silence(api, matchers={})
    assert response.status_code == 422
    assert error_fields(response) == ["matchers"]


def test_an_expired_silence_stays_listed_but_inactive(api: Api) -> None:
    silence_id = silence(api).json()["id"]
    response = api.delete(f"/api/v1/silences/{silence_id}")
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert response.json()["expired_by"] == "token:responder"
    assert api.get("/api/v1/silences").json() == []
    everything = api.get("/api/v1/silences", params={"active": "false"}).json()
    assert [s["id"] for s in everything] == [silence_id]


def test_expiring_an_unknown_silence_is_404(api: Api) -> None:
    assert api.delete("/api/v1/silences/42").status_code == 404


def test_a_viewer_lists_silences_but_may_not_create_one(api: Api) -> None:
    assert api.get("/api/v1/silences", role="viewer").status_code == 200
    response = api.post(
        "/api/v1/silences",
        {"matchers": {"labels": {"a": "b"}}, "duration": "1h", "reason": "x"},
        role="viewer",
    )
    assert response.status_code == 403
