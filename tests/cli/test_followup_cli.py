"""`firehouse followup`: add, list and settle follow-ups, against a real server."""

from __future__ import annotations

import json

from tests.cli.support import fails, ok


def declare() -> None:
    ok("declare", "--service", "website", "--priority", "P4", "Checkout fails")


def test_add_then_list_shows_the_follow_up(server: str) -> None:
    declare()
    out = ok("followup", "add", "1", "Add a canary stage", "--description", "Before prod")
    assert out.strip() == "follow-up 1 added to incident #1"
    lines = ok("followup", "list", "1").splitlines()
    assert lines[0].split()[:4] == ["ID", "STATUS", "TRACKER", "TICKET"]
    assert lines[1].split()[:3] == ["1", "open", "builtin"]


def test_done_settles_a_built_in_follow_up(server: str) -> None:
    declare()
    ok("followup", "add", "1", "Add a canary stage")
    assert ok("followup", "done", "1").strip() == "follow-up 1 is done: Add a canary stage"
    [row] = json.loads(ok("followup", "list", "1", "--json"))
    assert row["status"] == "done"


def test_adding_a_built_in_follow_up_ticks_the_checklist(server: str) -> None:
    declare()
    ok("followup", "add", "1", "Add a canary stage")
    items = json.loads(ok("checklist", "1", "--json"))["items"]
    assert [i["state"] for i in items if i["key"] == "follow_ups_linked"] == ["done"]


def test_a_tracker_that_is_not_configured_fails_naming_tracker(server: str) -> None:
    declare()
    assert "tracker" in fails("followup", "add", "1", "Ticket", "--tracker", "jira")
