"""`firehouse alerts …` and `firehouse silence …` against a real server, and `alerts test-route`,
which reads a payload file and the routing rules (database or firehouse.yaml) locally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from firehouse.alerts.routing import SETTING as ROUTING_SETTING
from firehouse.catalog.model import OrganisationSetting
from firehouse.db import Database
from tests.cli.support import fails, ok

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alerts"
KEY = "d4" * 16


@pytest.fixture(autouse=True)
def intake_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREHOUSE_INTAKE_KEY", KEY)


def send(url: str, *alerts: dict[str, Any]) -> list[int]:
    response = httpx.post(
        f"{url}/api/v1/alerts",
        json={"alerts": list(alerts)},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 202, response.text
    return [result["alert_id"] for result in response.json()["alerts"]]


def disk(fingerprint: str = "disk-db-1", **fields: Any) -> dict[str, Any]:
    return {
        "summary": "Disk almost full on db-1",
        "fingerprint": fingerprint,
        "labels": {"host": "db-1", "severity": "warning"},
        **fields,
    }


# alerts ----------------------------------------------------------------------------------------
def test_alerts_lists_alerts_newest_first(server: str) -> None:
    send(server, disk("first", summary="First alert"), disk("second", summary="Second alert"))
    lines = ok("alerts").splitlines()
    assert lines[0].split()[:4] == ["ID", "STATUS", "SOURCE", "SERVICE"]
    assert "Second alert" in lines[1]
    assert "First alert" in lines[2]


def test_alerts_filters_by_status(server: str) -> None:
    [first, _second] = send(server, disk("first"), disk("second"))
    ok("alerts", "resolve", str(first))
    listed = json.loads(ok("alerts", "--status", "resolved", "--json"))
    assert [item["id"] for item in listed["items"]] == [first]


def test_alerts_says_when_nothing_matches(server: str) -> None:
    assert ok("alerts", "--source", "pagerduty") == "no alerts match\n"


def test_alerts_show_prints_fields_and_labels(server: str) -> None:
    [alert_id] = send(server, disk())
    shown = ok("alerts", "show", str(alert_id))
    assert shown.startswith(f"Alert {alert_id}: Disk almost full on db-1")
    assert "label: host=db-1" in shown
    assert "routed:" in shown


def test_alerts_ack_and_resolve(server: str) -> None:
    [alert_id] = send(server, disk())
    assert ok("alerts", "ack", str(alert_id)).startswith(f"alert {alert_id} acknowledged")
    assert ok("alerts", "resolve", str(alert_id)).startswith(f"alert {alert_id} resolved")


def test_an_unknown_alert_is_one_line_on_stderr(server: str) -> None:
    assert "no alert 999" in fails("alerts", "show", "999")


# silences --------------------------------------------------------------------------------------
def test_silence_create_list_and_expire(server: str) -> None:
    created = ok(
        "silence", "create", "--match", "host=db-1", "--match", "job=~node.*",
        "--duration", "2h", "--reason", "replacing the disk",
    )  # fmt: skip
    assert created.startswith("silence 1 until ")
    listed = ok("silence", "list")
    assert "host=db-1 job=~node.*" in listed
    assert "replacing the disk" in listed
    assert ok("silence", "expire", "1") == "silence 1 expired\n"
    assert ok("silence", "list") == "no silences\n"
    assert "inactive" in ok("silence", "list", "--all")


def test_a_silenced_alert_shows_its_silence(server: str) -> None:
    ok("silence", "create", "--match", "host=db-1", "--duration", "1h", "--reason", "noisy")
    [alert_id] = send(server, disk())
    assert "silenced by:" in ok("alerts", "show", str(alert_id))


def test_a_match_without_a_value_is_refused(server: str) -> None:
    stderr = fails("silence", "create", "--match", "host", "--duration", "1h", "--reason", "x")
    assert "--match" in stderr


# test-route ------------------------------------------------------------------------------------
RULES = {
    "rules": [
        {
            "name": "critical-checkout",
            "match": {"labels": {"severity": "critical"}},
            "action": "incident",
            "priority": "P1",
            "service": "website",
        },
        {
            "name": "warnings-to-channel",
            "match": {"regex": {"severity": "warn.*"}},
            "action": "channel",
            "business_hours_only": True,
        },
    ],
    "default": "record",
    "business_hours": {
        "platform": {
            "timezone": "Europe/Berlin",
            "days": ["mon", "tue"],
            "start": "09:00",
            "end": "17:00",
        }
    },
}


@pytest.fixture
def routed(seeded_db: Database) -> Database:
    with seeded_db.write() as session:
        session.add(OrganisationSetting(key=ROUTING_SETTING, value=RULES))
    return seeded_db


def test_test_route_shows_the_rule_each_alert_matches(routed: Database) -> None:
    out = ok("alerts", "test-route", str(FIXTURES / "alertmanager_firing_and_resolved.json"))
    assert "read as alertmanager" in out
    assert "rule:        critical-checkout" in out
    assert "raise or attach to an incident, P1, service website" in out


def test_test_route_reports_the_default_when_no_rule_matches(routed: Database) -> None:
    out = ok("alerts", "test-route", str(FIXTURES / "generic_single.json"))
    assert "(none: the default)" in out
    assert "would:       record" in out


def test_test_route_guesses_pagerduty_and_takes_the_source_option(routed: Database) -> None:
    assert "read as pagerduty" in ok(
        "alerts", "test-route", str(FIXTURES / "pagerduty_trigger.json")
    )
    out = ok(
        "alerts",
        "test-route",
        str(FIXTURES / "opsgenie_create_minimal.json"),
        "--source",
        "opsgenie",
    )
    assert "read as opsgenie" in out


def test_test_route_json_gives_each_decision(routed: Database, tmp_path: Path) -> None:
    payload = tmp_path / "warning.json"
    payload.write_text(json.dumps(disk(service="website")))
    outside = "2026-11-28T03:00:00+00:00"  # a Saturday night in Berlin
    [decision] = json.loads(ok("alerts", "test-route", str(payload), "--at", outside, "--json"))
    assert decision["decision"]["rule"] == "warnings-to-channel"
    assert decision["decision"]["action"] == "record"
    assert decision["decision"]["in_business_hours"] is False


def test_test_route_reads_rules_from_a_config_file(seeded_db: Database, tmp_path: Path) -> None:
    config = tmp_path / "firehouse.yaml"
    config.write_text(
        "organisation: {name: Example}\n"
        "teams: [{id: platform, name: Platform}]\n"
        "services: [{id: website, name: Website, team: platform}]\n"
        "routing:\n"
        "  rules:\n"
        "    - {name: everything-pages, action: incident, priority: P2, service: website}\n"
    )
    out = ok("alerts", "test-route", str(FIXTURES / "generic_single.json"), "--config", str(config))
    assert "rule:        everything-pages" in out


def test_test_route_names_the_field_of_a_bad_payload(routed: Database, tmp_path: Path) -> None:
    payload = tmp_path / "bad.json"
    payload.write_text(json.dumps({"alerts": "none"}))
    stderr = fails("alerts", "test-route", str(payload), "--source", "alertmanager")
    assert "not a valid alertmanager payload: alerts" in stderr


def test_test_route_refuses_a_file_that_is_not_json(routed: Database, tmp_path: Path) -> None:
    payload = tmp_path / "bad.json"
    payload.write_text("{")
    assert "is not a JSON document" in fails("alerts", "test-route", str(payload))
