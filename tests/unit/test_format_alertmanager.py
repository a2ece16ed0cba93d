"""Alertmanager's webhook (version 4) and Grafana-managed alerting's, read into AlertEvents."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from firehouse.alerts.events import Action, PayloadError, Source
from firehouse.alerts.formats.alertmanager import parse, truncated
from firehouse.alerts.formats.fingerprint import label_fingerprint
from tests.unit.alert_payloads import json_values, load

AM_KEYS = [
    "receiver", "status", "alerts", "labels", "annotations", "startsAt", "endsAt",
    "generatorURL", "fingerprint", "groupLabels", "externalURL", "version", "groupKey",
    "truncatedAlerts", "orgId", "values", "valueString", "silenceURL", "summary",
]  # fmt: skip


def group(*alerts: Any, **extra: Any) -> dict[str, Any]:
    return {"receiver": "firehouse", "status": "firing", "alerts": list(alerts), **extra}


def alert(**fields: Any) -> dict[str, Any]:
    return {"status": "firing", "labels": {"alertname": "Up"}, **fields}


def test_every_alert_in_the_group_becomes_an_event() -> None:
    events = parse(load("alertmanager_firing_and_resolved.json"))

    assert [event.action for event in events] == [Action.TRIGGER, Action.TRIGGER, Action.RESOLVE]
    assert {event.source for event in events} == {Source.ALERTMANAGER}


def test_the_fingerprint_is_the_alerts_own() -> None:
    events = parse(load("alertmanager_firing_and_resolved.json"))

    assert [event.fingerprint for event in events] == [
        "5b0a6a4de2c9f0d1",
        "c81e728d9d4c2f63",
        "eccbc87e4b5ce2fe",
    ]


def test_an_alert_without_fingerprint_gets_prometheus_label_fingerprint() -> None:
    (event,) = parse(load("alertmanager_without_fingerprint.json"))

    labels = {"alertname": "InstanceDown", "instance": "db-2.dc1:9187", "job": "postgres"}
    assert event.fingerprint == label_fingerprint(labels)


def test_the_label_fingerprint_matches_prometheus_common_test_vectors() -> None:
    # prometheus/common model: TestMetricToFingerprint (5799056148416392346) and the empty set.
    assert label_fingerprint({"name": "garland, briggs", "fear": "love is not enough"}) == (
        f"{5799056148416392346:016x}"
    )
    assert label_fingerprint({}) == f"{14695981039346656037:016x}"


def test_the_label_fingerprint_ignores_label_order() -> None:
    assert label_fingerprint({"a": "1", "b": "2"}) == label_fingerprint({"b": "2", "a": "1"})


def test_the_summary_is_the_summary_annotation() -> None:
    event = parse(load("alertmanager_firing_and_resolved.json"))[0]

    assert event.summary == "Checkout error rate above 1%"
    assert event.description.startswith("5.2% of checkout requests failed")


def test_without_summary_the_description_is_the_summary() -> None:
    (event,) = parse(group(alert(annotations={"description": "Disk is full"})))

    assert event.summary == "Disk is full"


def test_without_annotations_the_alertname_is_the_summary() -> None:
    (event,) = parse(load("alertmanager_without_fingerprint.json"))

    assert event.summary == "InstanceDown"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("critical", "P2"), ("error", "P3"), ("warning", "P3"), ("info", "P4"), ("page", None)],
)
def test_the_severity_label_maps_to_a_priority(severity: str, expected: str | None) -> None:
    (event,) = parse(group(alert(labels={"alertname": "X", "severity": severity})))

    assert event.priority == expected
    assert event.severity == severity


def test_a_priority_label_wins_over_the_severity() -> None:
    (event,) = parse(group(alert(labels={"severity": "info", "priority": "p1"})))

    assert event.priority == "P1"


def test_a_priority_label_that_is_no_priority_falls_back_to_the_severity() -> None:
    (event,) = parse(group(alert(labels={"severity": "warning", "priority": "urgent"})))

    assert event.priority == "P3"


def test_the_service_label_names_the_service() -> None:
    events = parse(load("alertmanager_firing_and_resolved.json"))

    assert {event.service for event in events} == {"checkout"}
    assert parse(load("alertmanager_truncated.json"))[0].service is None


def test_links_carry_the_generator_runbook_and_alertmanager() -> None:
    event = parse(load("alertmanager_firing_and_resolved.json"))[0]

    assert set(event.links) == {"generator", "runbook", "alertmanager"}
    assert event.links["alertmanager"] == "http://alertmanager-0.monitoring:9093"
    assert event.links["runbook"] == "https://runbooks.example.com/checkout/high-error-rate"


def test_grafana_silence_dashboard_and_panel_links_are_kept() -> None:
    firing, resolved = parse(load("grafana_webhook.json"))

    assert set(firing.links) == {"generator", "silence", "dashboard", "panel", "alertmanager"}
    assert set(resolved.links) == {"generator", "silence", "alertmanager"}  # empty URLs dropped


def test_links_that_are_not_web_addresses_are_dropped() -> None:
    (event,) = parse(group(alert(generatorURL="javascript:alert(1)")))

    assert event.links == {}


def test_grafana_values_and_org_are_kept_in_details() -> None:
    firing, _ = parse(load("grafana_webhook.json"))

    assert firing.details["values"] == {"A": 2.4139, "B": 1}
    assert firing.details["value_string"].startswith("[ var='A'")
    assert firing.details["org_id"] == 1
    assert firing.details["version"] == "1"


def test_details_keep_annotations_receiver_and_group() -> None:
    event = parse(load("alertmanager_firing_and_resolved.json"))[0]

    assert event.details["annotations"]["summary"] == "Checkout error rate above 1%"
    assert event.details["receiver"] == "firehouse"
    assert event.details["group_key"].startswith('{}/{severity="critical"}')
    assert event.details["group_labels"] == {"alertname": "HighErrorRate", "service": "checkout"}
    assert event.details["truncated_alerts"] == 0


def test_truncated_alerts_are_counted_on_every_event_and_alone() -> None:
    payload = load("alertmanager_truncated.json")

    assert truncated(payload) == 3
    assert [event.details["truncated_alerts"] for event in parse(payload)] == [3]
    assert truncated(load("alertmanager_without_fingerprint.json")) == 0


def test_times_are_read_in_utc_to_the_microsecond() -> None:
    first, second, _ = parse(load("alertmanager_firing_and_resolved.json"))

    assert first.starts_at == datetime(2024, 5, 14, 9, 31, 7, 123456, tzinfo=UTC)
    assert second.starts_at == datetime(2024, 5, 14, 7, 31, 37, 500000, tzinfo=UTC)


def test_the_zero_end_time_of_a_firing_alert_means_unset() -> None:
    event = parse(load("alertmanager_firing_and_resolved.json"))[0]

    assert event.ends_at is None


def test_a_resolved_alert_ends_at_its_end_time() -> None:
    event = parse(load("alertmanager_firing_and_resolved.json"))[2]

    assert event.ends_at == datetime(2024, 5, 14, 9, 29, 52, 4000, tzinfo=UTC)


def test_the_raw_payload_of_each_event_is_its_alert() -> None:
    payload = load("alertmanager_firing_and_resolved.json")

    assert parse(payload)[1].raw == payload["alerts"][1]


def test_an_empty_group_gives_no_events() -> None:
    assert parse(group()) == []


@pytest.mark.parametrize(
    ("payload", "field", "problem"),
    [
        ([], "body", "must be an object"),
        ({"receiver": "x"}, "alerts", "is required"),
        ({"alerts": {}}, "alerts", "must be a list"),
        (group(alert(), "x"), "alerts[1]", "must be an object"),
        (group(alert(), alert(status="pending")), "alerts[1].status", "must be firing or resolved"),
        (group({"labels": {}}), "alerts[0].status", "is required"),
        (group(alert(labels={"env": 1})), "alerts[0].labels.env", "must be a string"),
        (group(alert(annotations=[])), "alerts[0].annotations", "must be an object"),
        (group(alert(startsAt="2024-05-14T09:31:07")), "alerts[0].startsAt", "must be an RFC 3339"),
        (group(alert(endsAt="2024-13-01T00:00:00Z")), "alerts[0].endsAt", "is not a valid date"),
        (group(truncatedAlerts=-1), "truncatedAlerts", "must be a whole number"),
        (group(truncatedAlerts=True), "truncatedAlerts", "must be a whole number"),
    ],
)
def test_a_malformed_payload_is_refused_naming_the_field(
    payload: Any, field: str, problem: str
) -> None:
    with pytest.raises(PayloadError) as refused:
        parse(payload)

    assert refused.value.field == field
    assert refused.value.problem.startswith(problem)


@settings(max_examples=300)
@given(json_values(AM_KEYS))
def test_arbitrary_json_is_read_or_refused_with_a_payload_error(payload: Any) -> None:
    try:
        parse(payload)
        truncated(payload)
    except PayloadError:
        pass


@settings(max_examples=300)
@given(json_values(AM_KEYS))
def test_arbitrary_alerts_in_a_group_are_read_or_refused(alert_: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse(group(alert_))
