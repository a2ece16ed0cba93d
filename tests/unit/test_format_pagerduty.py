"""PagerDuty Events API v2 events, and PagerDuty's own wording for invalid ones."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from firehouse.alerts.events import Action, PayloadError, Source
from firehouse.alerts.formats.pagerduty import InvalidEvent, new_dedup_key, parse
from tests.unit.alert_payloads import json_values, load

PD_KEYS = [
    "routing_key", "event_action", "dedup_key", "payload", "summary", "source", "severity",
    "timestamp", "component", "group", "class", "custom_details", "images", "links", "href",
    "src", "text", "client", "client_url",
]  # fmt: skip
ROUTING_KEY = "R0123456789abcdef0123456789abcde"


def trigger(**payload: Any) -> dict[str, Any]:
    body = {"summary": "Disk full", "source": "db-1", "severity": "warning", **payload}
    return {"routing_key": ROUTING_KEY, "event_action": "trigger", "payload": body}


def errors_of(event: Any) -> tuple[str, ...]:
    with pytest.raises(InvalidEvent) as refused:
        parse(event)
    return refused.value.errors


def test_a_trigger_opens_under_its_dedup_key_and_routing_key() -> None:
    event = parse(load("pagerduty_trigger.json"))

    assert event.source is Source.PAGERDUTY
    assert event.action is Action.TRIGGER
    assert event.fingerprint == "api-stats-prod-003/postgres-replication"
    assert event.scope == ROUTING_KEY
    assert event.summary == "Replication lag on api-stats-prod-003 above 30s"


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", "P1"), ("error", "P2"), ("warning", "P3"), ("info", "P4")],
)
def test_the_severity_maps_to_a_priority(severity: str, priority: str) -> None:
    event = parse(trigger(severity=severity))

    assert event.priority == priority
    assert event.severity == severity


def test_source_severity_component_group_and_class_are_labels() -> None:
    event = parse(load("pagerduty_trigger.json"))

    source = "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003"
    assert event.labels == {
        "source": source,
        "severity": "error",
        "component": "postgres",
        "group": "prod-datapipe",
        "class": "replication lag",
    }


def test_custom_details_images_and_client_are_details() -> None:
    event = parse(load("pagerduty_trigger.json"))

    assert event.details["custom_details"]["lag seconds"] == 41.5
    assert event.details["images"][0]["alt"] == "Replication lag, last hour"
    assert event.details["client"] == "Sample Monitoring Service"


def test_links_are_named_by_their_text_and_the_client() -> None:
    event = parse(load("pagerduty_trigger.json"))

    assert event.links == {
        "Runbook": "https://runbooks.example.com/postgres/replication-lag",
        "https://grafana.example.com/d/db": "https://grafana.example.com/d/db",
        "Sample Monitoring Service": "https://monitoring.example.com",
    }


def test_links_that_are_not_web_addresses_are_dropped() -> None:
    event = parse({**trigger(), "links": [{"href": "javascript:alert(1)", "text": "x"}]})

    assert event.links == {}


def test_the_timestamp_is_read_with_its_offset() -> None:
    event = parse(load("pagerduty_trigger.json"))

    assert event.starts_at == datetime(2024, 5, 14, 8, 42, 58, 315000, tzinfo=UTC)


def test_a_trigger_without_dedup_key_gets_a_fresh_one() -> None:
    event = parse(trigger(), new_key=lambda: "f" * 32)

    assert event.fingerprint == "f" * 32


def test_fresh_dedup_keys_are_32_hex_digits_and_never_repeat() -> None:
    first, second = new_dedup_key(), new_dedup_key()

    assert len(first) == 32
    assert int(first, 16) >= 0
    assert first != second


def test_alertmanagers_trigger_is_read() -> None:
    event = parse(load("pagerduty_trigger_from_alertmanager.json"))

    assert event.priority == "P1"
    assert event.fingerprint == "261c9218a08017ed88978823e4cea7d10b185f8a7a044b340d04af2fde3f9a38"
    assert event.links == {
        "Alertmanager": "http://alertmanager-0.monitoring:9093/#/alerts?receiver=pagerduty"
    }
    assert event.details["custom_details"]["num_firing"] == "2"


@pytest.mark.parametrize(
    ("fixture", "action"),
    [
        ("pagerduty_acknowledge.json", Action.ACKNOWLEDGE),
        ("pagerduty_resolve.json", Action.RESOLVE),
    ],
)
def test_acknowledge_and_resolve_need_no_payload(fixture: str, action: Action) -> None:
    event = parse(load(fixture))

    assert event.action is action
    assert event.fingerprint == "api-stats-prod-003/postgres-replication"
    assert event.scope == ROUTING_KEY


def test_the_raw_event_leaves_out_the_routing_key() -> None:
    event = parse(load("pagerduty_resolve.json"))

    assert event.raw == {
        "dedup_key": "api-stats-prod-003/postgres-replication",
        "event_action": "resolve",
    }


def test_a_summary_over_1024_characters_is_cut() -> None:
    assert len(parse(trigger(summary="s" * 2000)).summary) == 1024


def test_a_routing_key_of_the_wrong_length_is_invalid() -> None:
    assert errors_of({**trigger(), "routing_key": "abc"}) == (
        "Length of 'routing_key' is incorrect (should be 32 characters)",
    )


def test_a_missing_routing_key_is_invalid() -> None:
    event = trigger()
    del event["routing_key"]

    assert errors_of(event) == ("'routing_key' is missing or blank",)


def test_an_unknown_event_action_is_invalid() -> None:
    assert errors_of({**trigger(), "event_action": "snooze"}) == (
        "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' "
        "or 'resolve')",
    )


def test_a_trigger_missing_summary_source_and_severity_lists_all_three() -> None:
    event = {"routing_key": ROUTING_KEY, "event_action": "trigger", "payload": {"summary": " "}}

    assert errors_of(event) == (
        "'payload.summary' is missing or blank",
        "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank",
    )


def test_a_trigger_without_payload_is_invalid() -> None:
    assert errors_of({"routing_key": ROUTING_KEY, "event_action": "trigger"}) == (
        "'payload' is missing or is not an object",
    )


def test_an_unknown_severity_is_invalid() -> None:
    assert errors_of(trigger(severity="high")) == (
        "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', "
        "'error' or 'info')",
    )


def test_a_resolve_without_dedup_key_is_invalid() -> None:
    event = load("pagerduty_resolve.json")
    del event["dedup_key"]

    assert errors_of(event) == ("'dedup_key' is missing or blank",)


def test_a_dedup_key_over_255_characters_is_invalid() -> None:
    assert errors_of({**trigger(), "dedup_key": "k" * 256}) == (
        "'dedup_key' is too long (maximum is 255 characters)",
    )


def test_a_timestamp_without_zone_is_invalid() -> None:
    assert errors_of(trigger(timestamp="2024-05-14T08:42:58")) == (
        "'payload.timestamp' is invalid (must be an ISO 8601 time with a zone)",
    )


def test_an_invalid_event_is_a_payload_error_naming_its_first_field() -> None:
    with pytest.raises(PayloadError) as refused:
        parse({"event_action": "trigger", "payload": {}})

    assert refused.value.field == "routing_key"


def test_a_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse("trigger")

    assert refused.value.field == "body"


@settings(max_examples=300)
@given(json_values(PD_KEYS))
def test_arbitrary_json_is_read_or_refused_with_a_payload_error(payload: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse(payload)


@settings(max_examples=300)
@given(json_values(PD_KEYS))
def test_arbitrary_trigger_payloads_are_read_or_refused(payload: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse({"routing_key": ROUTING_KEY, "event_action": "trigger", "payload": payload})
