"""firehouse's generic alert format: one alert or {"alerts": [...]}, strictly typed."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firehouse.alerts.events import Action, PayloadError, Source
from firehouse.alerts.formats.generic import parse
from tests.unit.alert_payloads import json_values, load

GENERIC_KEYS = [
    "alerts", "summary", "status", "fingerprint", "labels", "details", "priority",
    "severity", "service", "source", "description", "links", "starts_at", "ends_at",
]  # fmt: skip


def refusal(payload: Any) -> str:
    with pytest.raises(PayloadError) as refused:
        parse(payload)
    return str(refused.value)


def test_one_alert_object_is_one_firing_event() -> None:
    (event,) = parse(load("generic_single.json"))

    assert event.source is Source.GENERIC
    assert event.action is Action.TRIGGER
    assert event.summary == "Nightly backup of orders-db did not finish"
    assert event.labels == {"service": "orders", "env": "production", "job": "backup"}
    assert event.priority == "P3"
    assert event.service == "orders"
    assert event.links == {"logs": "https://logs.example.com/search?q=backup-cron"}
    assert event.starts_at == datetime(2024, 5, 14, 3, 10, tzinfo=UTC)


def test_details_are_kept_with_the_source() -> None:
    (event,) = parse(load("generic_single.json"))

    assert event.details == {
        "exit_code": 3,
        "log_tail": ["pg_dump: error: connection lost"],
        "source": "backup-cron",
    }


def test_a_batch_gives_one_event_per_alert_in_order() -> None:
    first, second = parse(load("generic_batch.json"))

    assert (first.fingerprint, first.action) == ("cert-expiry/shop.example.com", Action.TRIGGER)
    assert (second.fingerprint, second.action) == ("cert-expiry/api.example.com", Action.RESOLVE)
    assert second.ends_at == datetime(2024, 5, 14, 6, tzinfo=UTC)
    assert first.severity == "warning"


def test_without_fingerprint_the_identity_is_a_hash_of_source_summary_and_labels() -> None:
    alert = {"summary": "Queue backlog", "source": "cron", "labels": {"a": "1", "b": "2"}}
    (event,) = parse(alert)
    (same,) = parse({**alert, "labels": {"b": "2", "a": "1"}, "details": {"n": 1}})

    assert event.fingerprint == same.fingerprint
    assert len(event.fingerprint) == 32


@pytest.mark.parametrize(
    "change",
    [{"summary": "Queue backlog!"}, {"source": "other"}, {"labels": {"a": "1"}}],
)
def test_a_different_source_summary_or_labels_is_a_different_alert(change: dict[str, Any]) -> None:
    alert = {"summary": "Queue backlog", "source": "cron", "labels": {"a": "1", "b": "2"}}

    assert parse(alert)[0].fingerprint != parse({**alert, **change})[0].fingerprint


def test_the_raw_payload_is_the_alert() -> None:
    alert = {"summary": "Queue backlog"}

    assert parse({"alerts": [alert]})[0].raw == alert


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("alert", "body: must be an object"),
        ({}, "summary: is required and must not be blank"),
        ({"summary": " "}, "summary: is required and must not be blank"),
        ({"summary": 3}, "summary: must be a string"),
        ({"summary": "s", "sumary": "s"}, "sumary: is not a field of an alert"),
        ({"summary": "s", "status": "open"}, "status: must be firing or resolved"),
        ({"summary": "s", "priority": "p1"}, "priority: must be one of P1, P2, P3, P4, P5"),
        ({"summary": "s", "fingerprint": ""}, "fingerprint: must not be blank"),
        ({"summary": "s", "fingerprint": "f" * 256}, "fingerprint: must be at most 255 characters"),
        ({"summary": "s", "labels": ["a"]}, "labels: must be an object"),
        ({"summary": "s", "details": "d"}, "details: must be an object"),
        ({"summary": "s", "links": {"x": "javascript:1"}}, "links.x: must be an http(s) URL"),
        ({"summary": "s", "starts_at": "yesterday"}, "starts_at: must be an RFC 3339 time"),
        ({"alerts": []}, "alerts: must hold at least one alert"),
        ({"alerts": {}}, "alerts: must be a list"),
        ({"alerts": [{"summary": "s"}], "summary": "s"}, "summary: cannot be given beside alerts"),
        ({"alerts": [{"summary": "s"}, 3]}, "alerts[1]: must be an object"),
    ],
)
def test_a_malformed_alert_is_refused_naming_the_field(payload: Any, message: str) -> None:
    assert refusal(payload).startswith(message)


def test_an_error_in_a_batch_names_the_alert_and_the_field() -> None:
    alerts = [{"summary": "a"}, {"summary": "b"}, {"summary": "c", "labels": {"env": 1}}]

    assert refusal({"alerts": alerts}) == "alerts[2].labels.env: must be a string"


@settings(max_examples=300)
@given(json_values(GENERIC_KEYS))
def test_arbitrary_json_is_read_or_refused_with_a_payload_error(payload: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse(payload)


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(GENERIC_KEYS[1:]), json_values(GENERIC_KEYS)))
def test_arbitrary_alert_fields_are_read_or_refused(alert: dict[str, Any]) -> None:
    with contextlib.suppress(PayloadError):
        parse({"summary": "s", **alert})
