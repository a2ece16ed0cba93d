"""`firehouse remind` and `firehouse snooze`, against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner

from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.cli.reminders import commands
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.guidance.reminder_api import router
from firehouse.settings import Settings
from tests.cli.support import ok
from tests.live import serving


@pytest.fixture
def reminders_server(seeded_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Like the `server` fixture, with the reminders router mounted until app.py includes it."""
    with seeded_db.write() as session:
        _row, token = create_token(
            session, name="cli", role="responder", person="alice", now=SystemClock().now()
        )
    settings = Settings(database_url=seeded_db.url, base_url="https://firehouse.example.com")
    web_app = create_app(settings, database=seeded_db, run_dispatcher=False)
    paths = {route.path for route in web_app.routes if isinstance(route, APIRoute)}
    if "/api/v1/incidents/{number}/reminders" not in paths:
        web_app.include_router(router)
    with serving(web_app) as url:
        monkeypatch.setenv("FIREHOUSE_URL", url)
        monkeypatch.setenv("FIREHOUSE_TOKEN", token)
        yield url


def reminders(*args: str) -> str:
    result = CliRunner().invoke(commands, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.usefixtures("reminders_server")
def test_remind_lists_every_reminder_of_an_incident() -> None:
    ok("declare", "--service", "website", "--priority", "P1", "Checkout fails")
    lines = reminders("remind", "1").splitlines()
    assert lines[0].split()[:2] == ["REMINDER", "STATE"]
    assert [line.split()[0] for line in lines[1:]] == [
        "no_commander",
        "status_update_due",
        "public_incident_open",
        "postmortem_not_started",
        "follow_ups_open",
    ]


@pytest.mark.usefixtures("reminders_server")
def test_snooze_holds_a_reminder_back() -> None:
    ok("declare", "--service", "website", "--priority", "P1", "Checkout fails")
    out = reminders("snooze", "1", "no_commander", "--minutes", "45")
    assert out.startswith("incident #1: no_commander snoozed until ")
    body = json.loads(reminders("remind", "1", "--json"))
    snoozed = next(r for r in body["reminders"] if r["reminder"] == "no_commander")
    assert snoozed["snoozed_until"] is not None
