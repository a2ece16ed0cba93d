"""POST /api/v1/drills: a training incident, optionally scripted; bad scenarios refused naming
the path of the value at fault, with nothing written."""

from __future__ import annotations

from pathlib import Path

from tests.api.client import Api, error_fields

EXAMPLE = Path(__file__).parents[2] / "examples" / "drills" / "checkout-outage.yaml"


def test_starting_a_drill_declares_a_p5_training_incident(api: Api) -> None:
    response = api.post("/api/v1/drills", {"service": "website", "message": "Practice run"})
    assert response.status_code == 201, response.text
    incident = response.json()
    assert (incident["priority"], incident["training"]) == ("P5", True)
    assert incident["message"] == "Practice run"
    assert response.headers["Location"] == f"/api/v1/incidents/{incident['number']}"


def test_the_example_scenario_starts_a_drill_on_its_service(api: Api) -> None:
    response = api.post("/api/v1/drills", {"scenario": EXAMPLE.read_text()})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    assert response.json()["service"] == "website"
    assert "drill.started" in api.timeline_kinds(number)


def test_a_bad_scenario_is_refused_naming_the_step_and_nothing_is_declared(api: Api) -> None:
    scenario = "name: X\nservice: website\nsteps:\n  - {after: soon, kind: note, text: hi}\n"
    response = api.post("/api/v1/drills", {"scenario": scenario})
    assert response.status_code == 422
    assert error_fields(response) == ["scenario.steps[0].after"]
    assert api.get("/api/v1/incidents").json()["items"] == []


def test_a_drill_needs_a_service(api: Api) -> None:
    response = api.post("/api/v1/drills", {"message": "Practice"})
    assert response.status_code == 422
    assert error_fields(response) == ["service"]


def test_a_viewer_may_not_start_a_drill(api: Api) -> None:
    response = api.post("/api/v1/drills", {"service": "website"}, role="viewer")
    assert response.status_code == 403


def test_unknown_fields_are_refused_by_name(api: Api) -> None:
    response = api.post("/api/v1/drills", {"service": "website", "priority": "P1"})
    assert response.status_code == 422
    assert error_fields(response) == ["priority"]
