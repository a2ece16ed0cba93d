"""The intake endpoints as their senders see them: Alertmanager, OpsGenie, PagerDuty and the
generic JSON endpoint. A bad key, a bad payload or an oversized one is a 4xx and stores
nothing; a busy database is a 503 (Alertmanager retries a 5xx, drops a 4xx); a 2xx means the
alerts are committed; a delivery repeated, even at the same moment, counts, never duplicates."""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from firehouse.alerts.model import Alert
from firehouse.alerts.routing import SETTING as ROUTING_SETTING
from firehouse.catalog.model import OrganisationSetting
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.incidents.model import Incident
from tests.api.client import Api, error_fields, mint_role_tokens, seeded_app
from tests.live import serving

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alerts"
KEY = "a1" * 16  # 32 characters, as PagerDuty routing keys must be
OTHER_KEY = "b2" * 16
ALERTMANAGER = "/api/v1/integrations/alertmanager"
GENERIC = "/api/v1/alerts"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def intake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No config applied: the one key named `default` comes from FIREHOUSE_INTAKE_KEY."""
    monkeypatch.setenv("FIREHOUSE_INTAKE_KEY", KEY)


def bearer(key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def genie(key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"GenieKey {key}"}


def stored(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Alert)) or 0)


def alerts_in(db: Database) -> list[Alert]:
    with db.read() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def pagerduty(name: str = "pagerduty_trigger.json", key: str = KEY) -> dict[str, Any]:
    body: dict[str, Any] = fixture(name)
    body["routing_key"] = key
    return body


def put_setting(db: Database, key: str, value: Any) -> None:
    with db.write() as session:
        row = session.get(OrganisationSetting, key)
        if row is None:
            session.add(OrganisationSetting(key=key, value=value))
        else:
            row.value = value


# keys ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, bearer("wrong"), {"Authorization": KEY}, genie()])
def test_alertmanager_without_a_valid_bearer_key_is_401_and_stores_nothing(
    api: Api, headers: dict[str, str]
) -> None:
    response = api.client.post(
        ALERTMANAGER, json=fixture("alertmanager_firing_and_resolved.json"), headers=headers
    )
    assert response.status_code == 401
    assert error_fields(response) == ["Authorization"]
    assert KEY not in response.text
    assert stored(api.db) == 0


def test_an_api_token_is_not_an_intake_key(api: Api) -> None:
    response = api.client.post(
        GENERIC, json=fixture("generic_single.json"), headers=api.auth("admin")
    )
    assert response.status_code == 401
    assert stored(api.db) == 0


def test_opsgenie_with_a_wrong_key_answers_like_opsgenie_and_stores_nothing(api: Api) -> None:
    response = api.client.post(
        "/v2/alerts", json=fixture("opsgenie_create_minimal.json"), headers=genie("nope")
    )
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "took", "requestId"}
    assert body["message"] == "Could not authenticate"
    assert stored(api.db) == 0


def test_pagerduty_with_an_unknown_routing_key_is_401_and_stores_nothing(api: Api) -> None:
    response = api.client.post("/v2/enqueue", json=pagerduty(key="R" * 32))
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"status", "message", "errors"}
    assert body["message"] == "Invalid routing key"
    assert stored(api.db) == 0


def test_pagerduty_without_a_routing_key_is_an_invalid_event(api: Api) -> None:
    body = pagerduty()
    del body["routing_key"]
    response = api.client.post("/v2/enqueue", json=body)
    assert response.status_code == 400
    assert response.json()["status"] == "invalid event"
    assert "routing_key" in response.json()["errors"][0]
    assert stored(api.db) == 0


def test_declared_keys_replace_the_default_key(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_INTAKE_KEY", OTHER_KEY)
    put_setting(api.db, "intake.keys", [{"name": "prometheus", "key_env": "PROMETHEUS_INTAKE_KEY"}])
    payload = fixture("alertmanager_firing_and_resolved.json")
    assert api.client.post(ALERTMANAGER, json=payload, headers=bearer(KEY)).status_code == 401
    assert api.client.post(ALERTMANAGER, json=payload, headers=bearer(OTHER_KEY)).status_code == 202
    assert {alert.integration for alert in alerts_in(api.db)} == {"prometheus"}


def test_a_declared_key_whose_variable_is_unset_matches_nothing(api: Api) -> None:
    put_setting(api.db, "intake.keys", [{"name": "grafana", "key_env": "UNSET_INTAKE_KEY_VAR"}])
    response = api.client.post(GENERIC, json=fixture("generic_single.json"), headers=bearer(KEY))
    assert response.status_code == 401
    assert stored(api.db) == 0


# Alertmanager ----------------------------------------------------------------------------------
def test_alertmanager_group_is_committed_and_each_alert_reported(api: Api) -> None:
    payload = fixture("alertmanager_firing_and_resolved.json")
    response = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"alerts", "truncated_alerts"}
    assert len(body["alerts"]) == len(payload["alerts"])
    assert {"fingerprint", "outcome", "alert_id", "incident_number"} == set(body["alerts"][0])
    assert body["alerts"][0]["fingerprint"] == payload["alerts"][0]["fingerprint"]
    assert body["alerts"][0]["outcome"] == "created"
    assert stored(api.db) >= 1


def test_alertmanager_truncated_alerts_are_reported(api: Api) -> None:
    payload = fixture("alertmanager_truncated.json")
    response = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    assert response.status_code == 202, response.text
    assert response.json()["truncated_alerts"] == payload["truncatedAlerts"]


def test_grafana_webhook_is_taken_like_alertmanager(api: Api) -> None:
    response = api.client.post(ALERTMANAGER, json=fixture("grafana_webhook.json"), headers=bearer())
    assert response.status_code == 202, response.text
    assert stored(api.db) >= 1


def test_a_repeated_alertmanager_delivery_counts_the_same_alert(api: Api) -> None:
    payload = firing_only(fixture("alertmanager_firing_and_resolved.json"))
    first = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    second = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    assert first.status_code == second.status_code == 202
    assert second.json()["alerts"][0]["outcome"] == "repeated"
    [alert] = alerts_in(api.db)
    assert alert.count == 2


def firing_only(payload: dict[str, Any]) -> dict[str, Any]:
    chosen = copy.deepcopy(payload)
    chosen["alerts"] = [a for a in chosen["alerts"] if a["status"] == "firing"][:1]
    return chosen


# generic ---------------------------------------------------------------------------------------
def test_generic_single_alert_is_accepted(api: Api) -> None:
    response = api.client.post(GENERIC, json=fixture("generic_single.json"), headers=bearer())
    assert response.status_code == 202, response.text
    [result] = response.json()["alerts"]
    assert result["outcome"] == "created"
    [alert] = alerts_in(api.db)
    assert alert.summary == "Nightly backup of orders-db did not finish"
    assert result["alert_id"] == alert.id


def test_generic_batch_reports_every_alert(api: Api) -> None:
    response = api.client.post(GENERIC, json=fixture("generic_batch.json"), headers=bearer())
    assert response.status_code == 202, response.text
    assert [r["fingerprint"] for r in response.json()["alerts"]] == [
        "cert-expiry/shop.example.com",
        "cert-expiry/api.example.com",
    ]


# OpsGenie --------------------------------------------------------------------------------------
def test_opsgenie_create_answers_202_with_opsgenie_fields(api: Api) -> None:
    response = api.client.post(
        "/v2/alerts", json=fixture("opsgenie_create_full.json"), headers=genie()
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert set(body) == {"result", "took", "requestId"}
    assert body["result"] == "Request will be processed"
    assert isinstance(body["took"], float)
    assert stored(api.db) == 1


def test_opsgenie_request_status_reports_the_created_alert(api: Api) -> None:
    created = api.client.post(
        "/v2/alerts", json=fixture("opsgenie_create_full.json"), headers=genie()
    )
    request_id = created.json()["requestId"]
    response = api.client.get(f"/v2/alerts/requests/{request_id}", headers=genie())
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"data", "took", "requestId"}
    data = response.json()["data"]
    [alert] = alerts_in(api.db)
    assert data["success"] is data["isSuccess"] is True
    assert data["action"] == "Create"
    assert data["status"] == "Created alert"
    assert data["alertId"] == str(alert.id)
    assert data["alias"] == alert.fingerprint
    assert data["integrationId"] == "default"


def test_opsgenie_request_status_is_not_found_under_another_key_or_when_altered(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = api.client.post(
        "/v2/alerts", json=fixture("opsgenie_create_full.json"), headers=genie()
    )
    request_id = created.json()["requestId"]
    altered = request_id[:-2] + ("AA" if not request_id.endswith("AA") else "BB")
    assert api.client.get(f"/v2/alerts/requests/{altered}", headers=genie()).status_code == 404
    monkeypatch.setenv("OTHER_INTAKE_KEY", OTHER_KEY)
    put_setting(
        api.db,
        "intake.keys",
        [
            {"name": "default", "key_env": "FIREHOUSE_INTAKE_KEY"},
            {"name": "other", "key_env": "OTHER_INTAKE_KEY"},
        ],
    )
    api.app.state.intake_keys.forget()
    response = api.client.get(f"/v2/alerts/requests/{request_id}", headers=genie(OTHER_KEY))
    assert response.status_code == 404
    assert set(response.json()) == {"message", "took", "requestId"}


def test_opsgenie_close_by_alias_resolves_the_alert(api: Api) -> None:
    create = {"message": "Replication lag", "alias": "replication-lag-db-1"}
    assert api.client.post("/v2/alerts", json=create, headers=genie()).status_code == 202
    response = api.client.post(
        "/v2/alerts/replication-lag-db-1/close",
        params={"identifierType": "alias"},
        json=fixture("opsgenie_close.json"),
        headers=genie(),
    )
    assert response.status_code == 202, response.text
    [alert] = alerts_in(api.db)
    assert alert.status == "resolved"
    status = api.client.get(f"/v2/alerts/requests/{response.json()['requestId']}", headers=genie())
    assert status.json()["data"]["status"] == "Closed alert"


def test_opsgenie_acknowledge_by_id_with_an_empty_body(api: Api) -> None:
    create = {"message": "Replication lag", "alias": "replication-lag-db-1"}
    api.client.post("/v2/alerts", json=create, headers=genie())
    [alert] = alerts_in(api.db)
    response = api.client.post(f"/v2/alerts/{alert.id}/acknowledge", headers=genie())
    assert response.status_code == 202, response.text
    assert alerts_in(api.db)[0].status == "acknowledged"


def test_opsgenie_close_of_an_unknown_alias_is_accepted_and_reported_as_not_existing(
    api: Api,
) -> None:
    response = api.client.post(
        "/v2/alerts/never-seen/close", params={"identifierType": "alias"}, headers=genie()
    )
    assert response.status_code == 202
    status = api.client.get(f"/v2/alerts/requests/{response.json()['requestId']}", headers=genie())
    assert status.json()["data"]["success"] is False
    assert stored(api.db) == 0


def test_opsgenie_unknown_identifier_type_is_422_naming_it(api: Api) -> None:
    response = api.client.post(
        "/v2/alerts/x/close", params={"identifierType": "name"}, headers=genie()
    )
    assert response.status_code == 422
    assert "identifierType" in response.json()["errors"]


# PagerDuty -------------------------------------------------------------------------------------
def test_pagerduty_trigger_answers_like_pagerduty(api: Api) -> None:
    response = api.client.post("/v2/enqueue", json=pagerduty())
    assert response.status_code == 202, response.text
    assert response.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "api-stats-prod-003/postgres-replication",
    }
    assert stored(api.db) == 1


def test_pagerduty_trigger_without_dedup_key_gets_one_and_always_a_new_alert(api: Api) -> None:
    body = pagerduty()
    del body["dedup_key"]
    first = api.client.post("/v2/enqueue", json=body).json()["dedup_key"]
    second = api.client.post("/v2/enqueue", json=body).json()["dedup_key"]
    assert first
    assert second != first
    assert stored(api.db) == 2


def test_pagerduty_resolve_ends_the_alert(api: Api) -> None:
    api.client.post("/v2/enqueue", json=pagerduty())
    response = api.client.post("/v2/enqueue", json=pagerduty("pagerduty_resolve.json"))
    assert response.status_code == 202
    assert response.json()["dedup_key"] == "api-stats-prod-003/postgres-replication"
    assert alerts_in(api.db)[0].status == "resolved"


def test_pagerduty_invalid_event_is_400_naming_the_field(api: Api) -> None:
    body = pagerduty() | {"event_action": "explode"}
    response = api.client.post("/v2/enqueue", json=body)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "invalid event"
    assert body["message"] == "Event object is invalid"
    assert any("event_action" in error for error in body["errors"])
    assert stored(api.db) == 0


# size and shape --------------------------------------------------------------------------------
def test_alertmanager_over_one_megabyte_is_413_and_stores_nothing(api: Api) -> None:
    payload = fixture("alertmanager_firing_and_resolved.json")
    payload["commonAnnotations"] = {"padding": "x" * (1024 * 1024)}
    response = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    assert response.status_code == 413
    assert error_fields(response) == ["body"]
    assert stored(api.db) == 0


def test_a_chunked_body_over_the_limit_is_413(api: Api) -> None:
    chunks = iter([b'{"summary": "', b"x" * (1024 * 1024), b'"}'])
    response = api.client.post(GENERIC, content=chunks, headers=bearer())
    assert response.status_code == 413
    assert stored(api.db) == 0


def test_pagerduty_over_512_kilobytes_is_413(api: Api) -> None:
    body = pagerduty()
    body["payload"]["custom_details"] = {"padding": "x" * (512 * 1024)}
    response = api.client.post("/v2/enqueue", json=body)
    assert response.status_code == 413
    assert set(response.json()) == {"status", "message", "errors"}
    assert stored(api.db) == 0


@pytest.mark.parametrize("path", [ALERTMANAGER, GENERIC])
@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[" * 100_000, b""])
def test_a_body_that_is_not_json_is_400_naming_the_body(
    api: Api, path: str, content: bytes
) -> None:
    response = api.client.post(path, content=content, headers=bearer())
    assert response.status_code == 400
    assert error_fields(response) == ["body"]
    assert stored(api.db) == 0


def test_wrongly_typed_alertmanager_payload_is_422_naming_the_field(api: Api) -> None:
    payload = fixture("alertmanager_firing_and_resolved.json")
    payload["alerts"][0]["labels"] = "severity=critical"
    response = api.client.post(ALERTMANAGER, json=payload, headers=bearer())
    assert response.status_code == 422
    assert error_fields(response) == ["alerts[0].labels"]
    assert stored(api.db) == 0


def test_wrongly_typed_opsgenie_payload_is_422_in_opsgenie_shape(api: Api) -> None:
    response = api.client.post("/v2/alerts", json={"message": 5}, headers=genie())
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "errors", "took", "requestId"}
    assert "message" in body["errors"]
    assert stored(api.db) == 0


def test_opsgenie_body_that_is_not_json_is_400(api: Api) -> None:
    response = api.client.post("/v2/alerts", content=b"{", headers=genie())
    assert response.status_code == 400
    assert set(response.json()) == {"message", "took", "requestId"}


# a busy database -------------------------------------------------------------------------------
@pytest.fixture
def locked(api: Api, database_url: str) -> Iterator[Api]:
    """Another process holds SQLite's write lock; the app waits only 50 ms for it."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's file lock; PostgreSQL's busy answers are tested by the service")

    @event.listens_for(api.db.engine, "connect")
    def _impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    api.db.engine.dispose()  # pooled connections were made before the listener
    api.client.post(GENERIC, json={"summary": "warm the key cache"}, headers=bearer())
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield api
    finally:
        holder.rollback()
        holder.close()


def test_a_locked_database_is_503_for_alertmanager_so_it_retries(locked: Api) -> None:
    before = stored(locked.db)
    response = locked.client.post(
        ALERTMANAGER, json=fixture("alertmanager_firing_and_resolved.json"), headers=bearer()
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert error_fields(response) == ["body"]
    assert stored(locked.db) == before


def test_a_locked_database_is_503_for_pagerduty_and_opsgenie(locked: Api) -> None:
    assert locked.client.post("/v2/enqueue", json=pagerduty()).status_code == 503
    response = locked.client.post(
        "/v2/alerts", json=fixture("opsgenie_create_minimal.json"), headers=genie()
    )
    assert response.status_code == 503
    assert set(response.json()) == {"message", "took", "requestId"}


# the same delivery twice, at the same moment -----------------------------------------------------
INCIDENT_RULES = {
    "rules": [
        {
            "name": "critical",
            "match": {"labels": {"severity": "critical"}},
            "action": "incident",
            "priority": "P1",
            "service": "website",
        }
    ],
    "default": "record",
}


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[str, Database]]:
    clock = SystemClock()
    app, db = seeded_app(database_url, clock)
    mint_role_tokens(db, clock)
    put_setting(db, ROUTING_SETTING, INCIDENT_RULES)
    with serving(app) as url:
        yield url, db
    db.dispose()


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_payload_delivered_twice_at_once_is_one_alert_and_one_incident(
    live: tuple[str, Database], attempt: int
) -> None:
    url, db = live
    payload = firing_only(fixture("alertmanager_firing_and_resolved.json"))
    payload["alerts"][0]["fingerprint"] = f"concurrent-{attempt}"
    start = threading.Barrier(2)

    def deliver(_: int) -> int:
        with httpx.Client(base_url=url, timeout=30) as client:
            start.wait(timeout=30)
            return client.post(ALERTMANAGER, json=payload, headers=bearer()).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(deliver, range(2)))
    assert statuses == [202, 202]
    [alert] = alerts_in(db)
    assert alert.count == 2
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
