"""`GET /metrics` as Prometheus scrapes it: behind an API token, every family named, and each
value moving when the thing it counts happens. Plus the request id every answer carries."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from firehouse.guidance.model import SchedulerLease
from firehouse.outbox.dispatcher import Dispatcher
from tests.api.client import Api, error_fields
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import SECRET, SECRET_ENV, subscribe

INTAKE_KEY = "c3" * 16

FAMILIES = {
    "firehouse_http_request_duration_seconds",
    "firehouse_outbox_deliveries",
    "firehouse_alerts_ingested",
    "firehouse_alerts_deduplicated",
    "firehouse_outbox_depth",
    "firehouse_outbox_lag_seconds",
    "firehouse_open_incidents",
    "firehouse_scheduler_lag_seconds",
    "firehouse_scheduler_lease_held",
    "firehouse_build_info",
    "firehouse_database_up",
}


def scrape(api: Api) -> list[Sample]:
    response = api.get("/metrics")
    assert response.status_code == 200, response.text
    return [s for family in text_string_to_metric_families(response.text) for s in family.samples]


def value(api: Api, name: str, **labels: str) -> float:
    """The sample's value; 0 when the series does not exist yet (as PromQL's `or vector(0)`)."""
    found = [s.value for s in scrape(api) if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) <= 1, found
    return found[0] if found else 0.0


def routes(api: Api) -> set[str]:
    return {
        s.labels["route"]
        for s in scrape(api)
        if s.name == "firehouse_http_request_duration_seconds_count"
    }


@pytest.fixture
def webhook(api: Api, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch) -> Dispatcher:
    """A webhook subscription to the local receiver; returns the app's own dispatcher."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    subscribe(api.db, receiver.url, events=("incident.declared",))
    dispatcher: Dispatcher = api.app.state.runtime.dispatcher
    return dispatcher


def test_metrics_need_an_api_token(api: Api) -> None:
    response = api.client.get("/metrics")
    assert response.status_code == 401
    assert error_fields(response) == []


def test_an_unknown_token_is_refused(api: Api) -> None:
    response = api.client.get("/metrics", headers={"Authorization": "Bearer fh_not-a-token"})
    assert response.status_code == 401


def test_a_viewer_token_scrapes_the_prometheus_text_format(api: Api) -> None:
    response = api.get("/metrics", role="viewer")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")


def test_every_metric_family_is_named(api: Api) -> None:
    api.declare(priority="P3")
    api.get("/api/v1/incidents")
    response = api.get("/metrics")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert names >= FAMILIES


def test_every_priority_is_reported_even_with_nothing_open(api: Api) -> None:
    samples = [s for s in scrape(api) if s.name == "firehouse_open_incidents"]
    assert {(s.labels["priority"], s.labels["training"]) for s in samples} == {
        (p, t) for p in ("P1", "P2", "P3", "P4", "P5") for t in ("true", "false")
    }
    assert {s.value for s in samples} == {0.0}


def test_declaring_a_p1_raises_the_open_p1_count(api: Api) -> None:
    before = value(api, "firehouse_open_incidents", priority="P1", training="false")
    api.declare(priority="P1")
    assert value(api, "firehouse_open_incidents", priority="P1", training="false") == before + 1


def test_an_alert_sent_twice_is_ingested_twice_and_deduplicated_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_INTAKE_KEY", INTAKE_KEY)
    alert = {"summary": "Disk full on db-1", "source": "node-exporter"}
    for _ in range(2):
        response = api.client.post(
            "/api/v1/alerts", json=alert, headers={"Authorization": f"Bearer {INTAKE_KEY}"}
        )
        assert response.status_code == 202, response.text
    assert value(api, "firehouse_alerts_ingested_total", source="generic") == 2
    assert value(api, "firehouse_alerts_deduplicated_total", source="generic") == 1


def test_a_delivery_the_receiver_accepts_counts_as_delivered(
    api: Api, webhook: Dispatcher, receiver: WebhookReceiver
) -> None:
    api.declare()
    webhook.run_until_idle()
    assert len(receiver.accepted) == 1
    delivered = value(
        api, "firehouse_outbox_deliveries_total", provider="webhook", result="delivered"
    )
    assert delivered == 1


def test_a_delivery_the_receiver_refuses_counts_as_a_retry(
    api: Api, webhook: Dispatcher, receiver: WebhookReceiver
) -> None:
    receiver.fail_next(1, status=500)
    api.declare()
    webhook.run_until_idle()
    assert value(api, "firehouse_outbox_deliveries_total", provider="webhook", result="retry") == 1
    assert value(api, "firehouse_outbox_deliveries_total", result="delivered") == 0


def test_a_refused_delivery_out_of_attempts_counts_as_dead(
    api: Api, webhook: Dispatcher, receiver: WebhookReceiver
) -> None:
    webhook.config = replace(webhook.config, max_attempts=1)
    receiver.fail_next(1, status=500)
    api.declare()
    webhook.run_until_idle()
    assert value(api, "firehouse_outbox_deliveries_total", provider="webhook", result="dead") == 1
    assert value(api, "firehouse_outbox_depth", provider="webhook", state="dead") == 1


def test_an_undelivered_event_shows_in_depth_and_lag(api: Api, webhook: Dispatcher) -> None:
    api.declare()
    assert value(api, "firehouse_outbox_depth", provider="webhook", state="pending") == 1
    api.clock.advance(seconds=90)
    assert value(api, "firehouse_outbox_lag_seconds") == 90


def test_lag_is_zero_when_nothing_is_due(api: Api) -> None:
    assert value(api, "firehouse_outbox_lag_seconds") == 0


def test_scheduler_lag_is_the_time_since_the_jobs_last_run(api: Api) -> None:
    with api.db.write() as session:
        session.add(SchedulerLease(name="guidance reminders", last_run_at=api.clock.now()))
    api.clock.advance(minutes=2)
    assert value(api, "firehouse_scheduler_lag_seconds", job="guidance reminders") == 120
    assert value(api, "firehouse_scheduler_lease_held", job="guidance reminders") == 0


def test_the_route_label_is_the_template_not_the_path(api: Api) -> None:
    number = api.declare()["number"]
    api.incident(number)
    seen = routes(api)
    assert "/api/v1/incidents/{number}" in seen
    assert f"/api/v1/incidents/{number}" not in seen


def test_status_page_requests_answered_before_routing_are_counted_by_path(api: Api) -> None:
    api.client.get("/api/v2/status.json")
    assert "/api/v2/status.json" in routes(api)


def test_a_path_no_route_matches_is_labelled_unmatched(api: Api) -> None:
    api.client.get("/no/such/page/12345")
    assert "unmatched" in routes(api)
    assert not any("12345" in route for route in routes(api))


def test_the_status_label_is_the_class(api: Api) -> None:
    api.client.get("/no/such/page")
    statuses = {
        s.labels["status"]
        for s in scrape(api)
        if s.name == "firehouse_http_request_duration_seconds_count"
        and s.labels["route"] == "unmatched"
    }
    assert statuses == {"4xx"}


def test_the_build_info_names_the_version(api: Api) -> None:
    from firehouse import __version__  # noqa: PLC0415 -- read where it is used

    assert value(api, "firehouse_build_info", version=__version__) == 1


def test_a_sane_request_id_from_the_caller_is_echoed(api: Api) -> None:
    headers = api.auth("viewer", {"X-Request-ID": "lb-7f3a.42_x"})
    response = api.client.get("/api/v1/incidents", headers=headers)
    assert response.headers["x-request-id"] == "lb-7f3a.42_x"


def test_a_request_without_an_id_gets_a_new_one(api: Api) -> None:
    first = api.client.get("/api/v2/status.json").headers["x-request-id"]
    second = api.client.get("/api/v2/status.json").headers["x-request-id"]
    assert len(first) == 32
    assert first != second


def test_a_request_id_that_could_forge_log_lines_is_replaced(api: Api) -> None:
    response = api.client.get("/healthz", headers={"X-Request-ID": "x; level=ERROR injected"})
    assert response.headers["x-request-id"] != "x; level=ERROR injected"
    assert len(response.headers["x-request-id"]) == 32
