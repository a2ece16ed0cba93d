"""OpsGenie Alert API v2 bodies (from OpsGenie clients and Alertmanager's opsgenie_configs)."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firehouse.alerts.events import Action, PayloadError, Source
from firehouse.alerts.formats.opsgenie import parse_acknowledge, parse_close, parse_create
from tests.unit.alert_payloads import json_values, load

OG_KEYS = [
    "message", "alias", "description", "responders", "visibleTo", "actions", "tags",
    "details", "entity", "source", "priority", "user", "note", "type", "name",
]  # fmt: skip
AM_ALIAS = "261c9218a08017ed88978823e4cea7d10b185f8a7a044b340d04af2fde3f9a38"


def test_alertmanagers_alias_is_the_fingerprint() -> None:
    event = parse_create(load("opsgenie_create_from_alertmanager.json"))

    assert event.source is Source.OPSGENIE
    assert event.action is Action.TRIGGER
    assert event.fingerprint == AM_ALIAS
    assert event.summary == "[FIRING:2] HighErrorRate checkout (production critical)"


def test_without_alias_the_message_is_the_fingerprint() -> None:
    event = parse_create(load("opsgenie_create_minimal.json"))

    assert event.fingerprint == "Disk almost full on build-agent-4"


def test_a_blank_alias_counts_as_none() -> None:
    event = parse_create({"message": "Queue backlog", "alias": "  "})

    assert event.fingerprint == "Queue backlog"


def test_a_message_over_130_characters_is_cut_as_opsgenie_cuts_it() -> None:
    event = parse_create({"message": "x" * 200})

    assert event.summary == "x" * 130
    assert event.fingerprint == "x" * 130


@pytest.mark.parametrize("message", [None, "", "   ", 42])
def test_a_message_is_required(message: Any) -> None:
    with pytest.raises(PayloadError) as refused:
        parse_create({"message": message, "alias": "a"})

    assert refused.value.field == "message"


def test_an_alias_over_512_characters_is_refused_not_cut() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_create({"message": "m", "alias": "a" * 513})

    assert refused.value.field == "alias"


def test_the_priority_is_taken_as_given() -> None:
    assert parse_create(load("opsgenie_create_full.json")).priority == "P1"


def test_without_priority_it_is_p3_as_in_opsgenie() -> None:
    assert parse_create(load("opsgenie_create_minimal.json")).priority == "P3"


@pytest.mark.parametrize("priority", ["P6", "p1", "critical", 1])
def test_a_priority_outside_p1_to_p5_is_refused(priority: Any) -> None:
    with pytest.raises(PayloadError) as refused:
        parse_create({"message": "m", "priority": priority})

    assert refused.value.field == "priority"


def test_details_become_labels_for_routing() -> None:
    event = parse_create(load("opsgenie_create_from_alertmanager.json"))

    assert event.labels["alertname"] == "HighErrorRate"
    assert event.labels["severity"] == "critical"


def test_each_tag_becomes_a_tag_label_and_the_list_is_kept() -> None:
    event = parse_create(load("opsgenie_create_full.json"))

    assert event.labels["tag:Critical"] == "true"
    assert event.labels["tag:db"] == "true"
    assert event.details["tags"] == ["OverwriteQuietHours", "Critical", "db"]


def test_tags_are_cut_to_20_of_50_characters() -> None:
    tags = [f"{index:02d}" + "t" * 60 for index in range(25)]

    event = parse_create({"message": "m", "tags": tags})

    assert len(event.details["tags"]) == 20
    assert {len(tag) for tag in event.details["tags"]} == {50}


def test_a_detail_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_create({"message": "m", "details": {"count": 3}})

    assert str(refused.value) == "details.count: must be a string"


def test_the_service_detail_names_the_service() -> None:
    assert parse_create(load("opsgenie_create_from_alertmanager.json")).service == "checkout"
    assert parse_create(load("opsgenie_create_minimal.json")).service is None


def test_description_entity_source_and_recipients_are_kept() -> None:
    event = parse_create(load("opsgenie_create_full.json"))

    assert event.description.startswith("Replica db-2.dc1 is 41 seconds behind")
    assert event.details["entity"] == "db-2.dc1"
    assert event.details["source"] == "replication-monitor"
    assert event.details["user"] == "Monitoring script"
    assert event.details["note"] == "Raised by the nightly replication check."
    assert event.details["actions"] == ["Failover", "Pause replication"]
    assert event.details["responders"][1] == {"name": "Databases", "type": "team"}
    assert event.details["visibleTo"][0] == {"name": "SRE", "type": "team"}


def test_a_description_over_15000_characters_is_cut() -> None:
    event = parse_create({"message": "m", "description": "d" * 20_000})

    assert len(event.description) == 15_000


def test_a_responder_without_type_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_create({"message": "m", "responders": [{"name": "a", "type": "team"}, {"id": "b"}]})

    assert refused.value.field == "responders[1].type"


def test_the_raw_payload_is_the_body() -> None:
    body = load("opsgenie_create_full.json")

    assert parse_create(body).raw == body


def test_closing_by_alias_resolves_that_alias() -> None:
    event = parse_close(AM_ALIAS, "alias", load("opsgenie_close_from_alertmanager.json"))

    assert event.action is Action.RESOLVE
    assert event.fingerprint == AM_ALIAS
    assert event.details == {"source": "http://alertmanager-0.monitoring:9093"}


def test_acknowledging_by_alias_acknowledges_that_alias() -> None:
    event = parse_acknowledge("db-2-replication-lag", "alias", None)

    assert event.action is Action.ACKNOWLEDGE
    assert event.fingerprint == "db-2-replication-lag"


@pytest.mark.parametrize("identifier_type", ["id", ""])
def test_an_id_identifier_is_marked_for_lookup(identifier_type: str) -> None:
    event = parse_close("8418d193-2dab-4490-b331-8c02cdd196b7", identifier_type, {})

    assert event.fingerprint == "id:8418d193-2dab-4490-b331-8c02cdd196b7"


def test_the_close_body_keeps_user_source_and_note() -> None:
    event = parse_close("db-2-replication-lag", "alias", load("opsgenie_close.json"))

    assert event.details == {
        "user": "Monitoring script",
        "source": "replication-monitor",
        "note": "Lag back under 5 seconds.",
    }


def test_a_tiny_identifier_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_close("1234", "tiny", {})

    assert refused.value.field == "identifierType"


def test_a_blank_identifier_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_acknowledge(" ", "alias", {})

    assert refused.value.field == "identifier"


def test_a_close_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PayloadError) as refused:
        parse_close("a", "alias", ["note"])

    assert refused.value.field == "body"


@settings(max_examples=300)
@given(json_values(OG_KEYS))
def test_arbitrary_json_is_read_or_refused_with_a_payload_error(payload: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse_create(payload)


@settings(max_examples=200)
@given(
    st.text(max_size=20), st.sampled_from(["alias", "id", "tiny", "", "x"]), json_values(OG_KEYS)
)
def test_arbitrary_closes_are_read_or_refused(identifier: str, kind: str, payload: Any) -> None:
    with contextlib.suppress(PayloadError):
        parse_close(identifier, kind, payload)
