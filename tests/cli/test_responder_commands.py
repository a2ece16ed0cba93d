"""Responder commands against a real server: each one drives one route of the API."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.support import firehouse


def declare(*extra: str, message: str = "Checkout fails") -> dict[str, Any]:
    result = firehouse(
        "declare", "--service", "website", "--priority", "P2", message, *extra, "--json"
    )
    assert result.exit_code == 0, result.output
    incident: dict[str, Any] = json.loads(result.stdout)
    return incident


def shown(number: int) -> dict[str, Any]:
    result = firehouse("show", str(number), "--json")
    assert result.exit_code == 0, result.output
    incident: dict[str, Any] = json.loads(result.stdout)
    return incident


def test_declare_prints_the_number_and_the_url(server: str) -> None:
    result = firehouse("declare", "--service", "website", "--priority", "P2", "Checkout fails")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "declared incident #1: P2 open, website: Checkout fails",
        "https://firehouse.example.com/incidents/1",
    ]


def test_declare_sends_every_option(server: str) -> None:
    incident = declare(
        "--description", "Card payments time out",
        "--source-url", "https://chat.example.com/thread/1",
        "--tag", "payments", "--tag", "eu",
        "--commander", "bob",
    )  # fmt: skip
    assert incident["description"] == "Card payments time out"
    assert incident["source_url"] == "https://chat.example.com/thread/1"
    assert incident["tags"] == ["payments", "eu"]
    assert incident["commander"] == "bob"
    assert incident["reporter"] == "alice"


def test_incidents_lists_newest_first_in_a_table(server: str) -> None:
    declare(message="First")
    declare(message="Second")
    result = firehouse("incidents")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["NUMBER", "PRIORITY", "STATUS", "SERVICE"]
    assert [row.split()[0] for row in rows] == ["#2", "#1"]
    assert rows[0].endswith("Second")


def test_incidents_filters_by_status(server: str) -> None:
    declare(message="Still open")
    closed = declare(message="Not urgent")
    firehouse("close", str(closed["number"]), "--reason", "tracked as a bug")
    result = firehouse("incidents", "--status", "open", "--json")
    assert [i["message"] for i in json.loads(result.stdout)["items"]] == ["Still open"]


def test_incidents_all_follows_every_page(server: str) -> None:
    for n in range(3):
        declare(message=f"Incident {n}")
    result = firehouse("incidents", "--limit", "1", "--all", "--json")
    page = json.loads(result.stdout)
    assert [i["number"] for i in page["items"]] == [3, 2, 1]
    assert page["next_cursor"] is None


def test_incidents_says_when_more_pages_exist(server: str) -> None:
    declare(message="First")
    declare(message="Second")
    result = firehouse("incidents", "--limit", "1")
    assert result.stdout.splitlines()[-1] == "(more incidents: add --all, or raise --limit)"


def test_incidents_says_when_nothing_matches(server: str) -> None:
    result = firehouse("incidents", "--priority", "P1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "no incidents match\n"


def test_show_prints_the_incident_and_its_timeline(server: str) -> None:
    declare("--commander", "bob")
    result = firehouse("show", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Incident #1: Checkout fails"
    assert "commander:" in result.stdout
    assert lines[lines.index("Timeline") + 1].split() == ["WHEN", "WHO", "KIND", "WHAT"]
    assert "declared" in result.stdout
    assert "bob assigned as commander" in result.stdout


def test_show_json_is_the_incident_with_its_timeline(server: str) -> None:
    declare()
    incident = shown(1)
    assert incident["number"] == 1
    assert [entry["kind"] for entry in incident["timeline"]] == ["declared"]


def test_priority_changes_the_priority(server: str) -> None:
    declare()
    result = firehouse("priority", "1", "P1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "incident #1 is now P1 open, website: Checkout fails\n"
    assert shown(1)["priority"] == "P1"


def test_assign_and_unassign_change_the_roles(server: str) -> None:
    declare()
    assert firehouse("assign", "1", "communications_lead", "carol").exit_code == 0
    assert firehouse("assign", "1", "responder", "dan").exit_code == 0
    assert shown(1)["communications_lead"] == "carol"
    result = firehouse("unassign", "1", "responder", "dan")
    assert result.stdout == "dan is no longer responder of incident #1\n"
    assert shown(1)["responders"] == []


def test_note_adds_a_timeline_entry_at_the_given_time(server: str) -> None:
    declare()
    result = firehouse("note", "1", "Restarted the checkout pods", "--at", "2020-01-01T09:30Z")
    assert result.exit_code == 0, result.output
    [note] = [e for e in shown(1)["timeline"] if e["kind"] == "note"]
    assert note["text"] == "Restarted the checkout pods"
    assert note["occurred_at"].startswith("2020-01-01T09:30")


def test_link_attaches_a_link_of_the_given_kind(server: str) -> None:
    declare()
    result = firehouse(
        "link", "1", "https://tickets.example.com/OPS-7", "--kind", "follow_up", "--title", "Fix"
    )
    assert result.exit_code == 0, result.output
    [link] = shown(1)["links"]
    assert (link["kind"], link["url"], link["title"]) == (
        "follow_up",
        "https://tickets.example.com/OPS-7",
        "Fix",
    )


def test_ack_records_the_acknowledgement(server: str) -> None:
    declare()
    assert firehouse("ack", "1").stdout == "acknowledged incident #1\n"
    assert shown(1)["acknowledged_at"] is not None


def test_an_incident_runs_its_lifecycle_from_the_command_line(server: str) -> None:
    declare()
    steps = [
        ("assign", "1", "commander", "bob"),
        ("note", "1", "Rolled back the release"),
        ("resolve", "1", "--note", "Rollback fixed checkout"),
        ("reopen", "1", "--reason", "Errors are back"),
        ("close", "1", "--reason", "Tracked as a bug", "--bug", "https://bugs.example.com/9"),
    ]
    for step in steps:
        result = firehouse(*step)
        assert result.exit_code == 0, f"{step}: {result.output}"
    incident = shown(1)
    assert incident["status"] == "closed"
    assert incident["close_reason"] == "Tracked as a bug"
    assert [link["url"] for link in incident["links"]] == ["https://bugs.example.com/9"]
    steps_taken = ["declared", "role_assigned", "note", "resolved", "reopened", "closed"]
    kinds = [entry["kind"] for entry in incident["timeline"]]
    assert [kind for kind in kinds if kind in steps_taken] == steps_taken


def test_change_commands_print_the_api_body_with_json(server: str) -> None:
    declare()
    result = firehouse("resolve", "1", "--note", "Rolled back", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["status"], body["resolution_note"]) == ("resolved", "Rolled back")
