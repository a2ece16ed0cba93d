"""The catalogue and policy routes, liveness, readiness and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from firehouse.app import create_app
from firehouse.clock import SystemClock
from firehouse.settings import Settings
from tests.api.client import Api


def test_services_lists_the_active_services(api: Api) -> None:
    response = api.get("/api/v1/services")
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()}
    assert sorted(services) == ["cms", "website"]
    assert services["website"]["team"] == "platform"
    assert services["website"]["playbook_url"] == "https://wiki.example.com/website"


def test_services_need_a_token(api: Api) -> None:
    assert api.client.get("/api/v1/services").status_code == 401


def test_the_policy_serves_all_five_levels_with_guidance(api: Api) -> None:
    response = api.get("/api/v1/policy")
    assert response.status_code == 200
    levels = response.json()["priorities"]
    assert [(lv["priority"], lv["name"]) for lv in levels] == [
        ("P1", "Critical"),
        ("P2", "High"),
        ("P3", "Moderate"),
        ("P4", "Low"),
        ("P5", "Informational"),
    ]
    assert all(lv["guidance"] and lv["examples"] for lv in levels)
    assert [lv["statuspage_impact"] for lv in levels] == [
        "critical",
        "major",
        "minor",
        "none",
        "none",
    ]
    assert [lv["postmortem_required"] for lv in levels] == [True, False, False, False, False]
    assert [lv["training_only"] for lv in levels] == [False, False, False, False, True]


def test_healthz_answers_without_a_token(api: Api) -> None:
    response = api.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_is_200_on_a_migrated_database(api: Api) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_503_on_a_database_behind_the_migrations(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_app(settings, clock=SystemClock(), run_dispatcher=False)
    with TestClient(app) as client:
        response = client.get("/readyz")
    app.state.runtime.db.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "firehouse db upgrade" in body["database"]


def test_the_openapi_document_is_served(api: Api) -> None:
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents/{number}",
        "/api/v1/incidents/{number}/roles",
        "/api/v1/incidents/{number}/timeline",
        "/api/v1/incidents/{number}/links",
        "/api/v1/incidents/{number}/resolve",
        "/api/v1/incidents/{number}/close",
        "/api/v1/incidents/{number}/reopen",
        "/api/v1/services",
        "/api/v1/policy",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/incidents/{number}/roles"]) == {"post", "delete"}


def test_the_openapi_document_describes_the_error_shape(api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    resolve = document["paths"]["/api/v1/incidents/{number}/resolve"]["post"]["responses"]
    for status in ["401", "404", "409", "422"]:
        schema = resolve[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {
        "error",
        "detail",
        "errors",
    }
