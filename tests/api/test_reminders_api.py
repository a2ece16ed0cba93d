"""Reminders over the API: listing an incident's reminders and snoozing one."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from firehouse.guidance.reminder_api import router
from tests.api.client import Api, error_fields


@pytest.fixture(autouse=True)
def mounted(api: Api) -> None:
    """The router is included by app.py; mounted here too until it is, never twice."""
    paths = {route.path for route in api.app.routes if isinstance(route, APIRoute)}
    if "/api/v1/incidents/{number}/reminders" not in paths:
        api.app.include_router(router)


def test_a_viewer_sees_an_incidents_reminders(api: Api) -> None:
    api.declare(priority="P1")
    api.clock.advance(minutes=6)
    response = api.get("/api/v1/incidents/1/reminders")
    assert response.status_code == 200, response.text
    found = {item["reminder"]: item for item in response.json()["reminders"]}
    assert found["no_commander"]["due_at"] is not None
    assert found["follow_ups_open"]["due_at"] is None


def test_a_responder_snoozes_a_reminder(api: Api) -> None:
    api.declare(priority="P1")
    response = api.post("/api/v1/incidents/1/reminders/no_commander/snooze", {"minutes": 30})
    assert response.status_code == 200, response.text
    assert response.json()["reminder"] == "no_commander"
    listed = api.get("/api/v1/incidents/1/reminders").json()["reminders"]
    assert next(i for i in listed if i["reminder"] == "no_commander")["snoozed_until"]
    assert "guidance.reminder_snoozed" in api.timeline_kinds(1)


def test_a_viewer_may_not_snooze(api: Api) -> None:
    api.declare(priority="P1")
    response = api.post(
        "/api/v1/incidents/1/reminders/no_commander/snooze", {"minutes": 30}, role="viewer"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("reminder", "body", "field"),
    [("nagging", {"minutes": 5}, "reminder"), ("no_commander", {"minutes": 0}, "minutes")],
)
def test_a_bad_snooze_is_refused_naming_the_field(
    api: Api, reminder: str, body: dict[str, int], field: str
) -> None:
    api.declare(priority="P1")
    response = api.post(f"/api/v1/incidents/1/reminders/{reminder}/snooze", body)
    assert response.status_code in {400, 422}
    assert field in error_fields(response)


def test_an_unknown_incident_is_a_404(api: Api) -> None:
    assert api.get("/api/v1/incidents/99/reminders").status_code == 404
