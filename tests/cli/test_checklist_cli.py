"""`firehouse checklist` and the checklist line of `firehouse show`, against a real server."""

from __future__ import annotations

import json

from tests.cli.support import fails, ok


def declare(priority: str = "P2", *extra: str) -> None:
    ok("declare", "--service", "website", "--priority", priority, "Checkout fails", *extra)


def test_checklist_lists_the_items_and_how_many_are_done(server: str) -> None:
    declare("P4")
    lines = ok("checklist", "1").splitlines()
    assert lines[0].split()[:3] == ["STATE", "KEY", "HOW"]
    assert [line.split()[:2] for line in lines[1:3]] == [
        ["open", "follow_ups_linked"],
        ["open", "final_timeline_entry"],
    ]
    assert lines[-1] == "0/2 done"


def test_checklist_json_is_the_api_body(server: str) -> None:
    declare("P4")
    body = json.loads(ok("checklist", "1", "--json"))
    assert (body["done"], body["total"]) == (0, 2)


def test_done_with_a_note_ticks_the_item(server: str) -> None:
    declare("P4")
    out = ok("checklist", "1", "done", "follow_ups_linked", "--note", "FIRE-12")
    assert out.strip() == "incident #1: Follow-ups linked (or none needed): done"
    body = json.loads(ok("checklist", "1", "--json"))
    assert body["items"][0]["note"] == "FIRE-12"


def test_na_with_a_reason_and_reopen(server: str) -> None:
    declare("P4")
    ok("checklist", "1", "na", "follow_ups_linked", "--reason", "Nothing left to do")
    assert json.loads(ok("checklist", "1", "--json"))["items"][0]["state"] == "not_applicable"
    ok("checklist", "1", "reopen", "follow_ups_linked")
    assert json.loads(ok("checklist", "1", "--json"))["items"][0]["state"] == "open"


def test_done_without_a_note_fails_naming_note(server: str) -> None:
    declare("P4")
    assert "note" in fails("checklist", "1", "done", "follow_ups_linked")


def test_show_summarises_the_checklist_with_the_next_item(server: str) -> None:
    declare("P4")
    ok("checklist", "1", "done", "follow_ups_linked", "--note", "FIRE-12")
    out = ok("show", "1")
    assert "Checklist: 1/2 done, next: Final timeline entry: why the incident is resolved" in out
