"""`firehouse page`, `firehouse pages …` and `firehouse escalate` against a real server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from firehouse.db import Database
from tests.cli.support import fails, ok
from tests.service.paging_support import add_on_call


@pytest.fixture
def server(seeded_db: Database, server: str) -> str:
    add_on_call(seeded_db)
    return server


def as_json(*args: str) -> Any:
    return json.loads(ok(*args, "--json"))


def test_page_a_person_says_who_was_notified(server: str) -> None:
    assert ok("page", "bob", "Checkout is down") == "page 1 triggered: notified bob\n"


def test_page_a_service_follows_its_escalation_policy(server: str) -> None:
    created = as_json("page", "website", "Checkout is down")
    assert created["escalation_policy"] == "website-escalation"


def test_page_for_an_incident(server: str) -> None:
    ok("declare", "--service", "website", "--priority", "P4", "Checkout fails")
    created = as_json("page", "carol", "--incident", "1", "Need the CMS owner")
    assert created["incident"] == 1


def test_page_an_unknown_name_is_one_line(server: str) -> None:
    assert fails("page", "nobody", "x") == (
        "error: 'nobody' is neither a person nor a service (see `firehouse services`)\n"
    )


def test_pages_lists_and_shows_pages(server: str) -> None:
    ok("page", "bob", "Checkout is down")
    lines = ok("pages").splitlines()
    assert lines[0].split()[:3] == ["ID", "STATUS", "INCIDENT"]
    assert "Checkout is down" in lines[1]
    shown = ok("pages", "show", "1")
    assert shown.startswith("Page 1: Checkout is down\n")
    assert "bob" in shown
    assert "slack" in shown


def test_pages_ack_acknowledges_as_the_tokens_person(server: str) -> None:
    ok("page", "bob", "Checkout is down")
    assert ok("pages", "ack", "1") == "page 1 acknowledged by alice\n"
    shown = as_json("pages", "show", "1")
    assert (shown["status"], shown["acknowledged_via"]) == ("acknowledged", "cli")


def test_pages_cancel_cancels(server: str) -> None:
    ok("page", "bob", "Checkout is down")
    assert ok("pages", "cancel", "1") == "page 1 cancelled\n"
    assert as_json("pages", "--status", "cancelled")[0]["id"] == 1


def test_pages_ack_of_an_unknown_page_is_one_line(server: str) -> None:
    assert fails("pages", "ack", "9") == "error: page: no page 9\n"


def test_escalate_pages_the_incidents_point_people(server: str) -> None:
    ok("declare", "--service", "cms", "--priority", "P3", "Partner pages broken")
    assert ok("escalate", "1") == "page 1 triggered: notified carol\n"
    assert as_json("escalate", "1", "--person", "dan", "Need you")["message"] == "Need you"


def test_escalate_refuses_both_a_service_and_a_person(server: str) -> None:
    assert fails("escalate", "1", "--service", "cms", "--person", "dan") == (
        "error: use --service or --person, not both\n"
    )
