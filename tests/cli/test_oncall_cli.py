"""`firehouse oncall …` against a real server: who is on call, shifts, overrides and feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from firehouse.db import Database
from tests.cli.support import fails, ok
from tests.service.schedule_support import add_schedule


@pytest.fixture
def oncall_server(server: str, seeded_db: Database) -> str:
    add_schedule(seeded_db)
    return server


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def test_oncall_lists_who_is_on_call_per_schedule_and_layer(oncall_server: str) -> None:
    lines = ok("oncall", "--at", "2026-01-01T12:00Z").splitlines()
    assert lines[0].split() == ["SCHEDULE", "LAYER", "PERSON", "UNTIL"]
    assert lines[1].split() == [
        "engineering",
        "primary",
        "Alice",
        "Ng",
        "(alice)",
        "2026-01-05",
        "09:00",
        "UTC",
    ]
    assert lines[2].split()[:3] == ["engineering", "secondary", "Carol"]


def test_oncall_at_accepts_an_offset(oncall_server: str) -> None:
    found = json.loads(ok("oncall", "--at", "2026-12-24T03:00+01:00", "--json"))
    assert found["at"] == "2026-12-24T02:00:00Z"


def test_oncall_without_arguments_lists_now(oncall_server: str) -> None:
    found = json.loads(ok("oncall", "--json"))
    assert [layer["layer"] for layer in found["schedules"][0]["layers"]] == ["primary", "secondary"]


def test_oncall_refuses_a_bad_time_in_one_line(oncall_server: str) -> None:
    assert fails("oncall", "--at", "Christmas Eve") == (
        "error: --at: 'Christmas Eve' is not an ISO 8601 time such as 2026-12-24T03:00Z\n"
    )


def test_oncall_for_an_unknown_schedule_fails_in_one_line(oncall_server: str) -> None:
    assert "no schedule 'nope'" in fails("oncall", "--schedule", "nope")


def test_shifts_lists_a_window(oncall_server: str) -> None:
    out = ok(
        "oncall",
        "shifts",
        "engineering",
        "--from",
        "2026-01-05T09:00Z",
        "--to",
        "2026-01-12T09:00Z",
    )
    [primary, secondary] = out.splitlines()[1:]
    assert primary.startswith("primary")
    assert primary.endswith("Bob Ortiz (bob)")
    assert secondary.endswith("Dan Kim (dan)")


def test_override_then_listed_then_cancelled(oncall_server: str) -> None:
    created = ok(
        "oncall", "override", "engineering", "--layer", "primary", "--person", "dan",
        "--start", soon(1), "--end", soon(5), "--reason", "swap for the conference",
    )  # fmt: skip
    assert created.startswith("override 1: Dan Kim (dan) on engineering/primary from ")
    listed = ok("oncall", "overrides", "engineering")
    assert "swap for the conference" in listed
    assert "alice" in listed  # the author: the token acts for alice
    assert ok("oncall", "cancel-override", "engineering", "1") == "override 1 cancelled\n"
    assert ok("oncall", "overrides", "engineering") == "no overrides\n"


def test_override_refusal_names_the_field(oncall_server: str) -> None:
    error = fails(
        "oncall", "override", "engineering", "--layer", "tertiary", "--person", "dan",
        "--start", soon(1), "--end", soon(2), "--reason", "x",
    )  # fmt: skip
    assert error.startswith("error: layer: 'tertiary' is not a layer of engineering")


def test_feed_prints_the_schedule_and_person_feed_urls(oncall_server: str) -> None:
    schedule_url = ok("oncall", "feed", "--schedule", "engineering").strip()
    assert schedule_url.startswith("https://firehouse.example.com/ical/schedules/engineering/")
    assert schedule_url.endswith(".ics")
    person_url = ok("oncall", "feed", "--person", "carol").strip()
    assert person_url.startswith("https://firehouse.example.com/ical/people/carol/")


def test_feed_needs_exactly_one_of_schedule_or_person(oncall_server: str) -> None:
    assert fails("oncall", "feed") == "error: give exactly one of --schedule or --person\n"
