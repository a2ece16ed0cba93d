"""What an operator's log collector receives during a realistic private incident: JSON lines
with ids, and never the incident's words, a token or a secret.

The flow runs through the real parts with JSON logging captured from the root logger: a
private incident declared over the API with a note, its events delivered to the Slack
emulator and a signed webhook receiver, a handler that crashes quoting the incident and the
bot token, and an incident declared from a Slack form (a request that logs), whose events
the webhook receiver gets (webhooks never hear of private incidents)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.catalog.config import ChatConfig, SlackConfig
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.observability.logs import build_handler
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.model import Subscription
from firehouse.settings import Settings
from tests.api.client import BASE_URL
from tests.databases import sqlite_copy
from tests.factories import seed_catalog
from tests.fakes.slack_api import SlackEmulator
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.integrations.slack_requests import SIGNING_SECRET, SlackInbound, view_submission
from tests.service.outbox_support import SECRET_ENV, subscribe

PRIVATE_TITLE = "Payroll export leaked to vendor Quokkasoft"
PRIVATE_SUMMARY = "Spreadsheet salaries-2026-final.xlsx shared publicly by mistake"
PRIVATE_NOTE = "Revoked the link; Quokkasoft confirmed deletion at 14:02"
SLACK_TOKEN = "xoxb-2718281828-3141592653-eulerPiTokenValue"
WEBHOOK_SECRET = "whsec-distinctive-receiver-secret-value"

careless = logging.getLogger("tests.careless_library")


def crash(envelope: Envelope) -> None:
    """A handler with a bug whose message quotes the incident and a token, as a careless
    `raise ValueError(f"... {payload}")` would, after logging the header it sent."""
    careless.warning("chat call failed; sent Authorization: Bearer %s", SLACK_TOKEN)
    incident = envelope.payload.get("incident") or {}
    raise RuntimeError(f"cannot render {incident.get('message')!r} with {SLACK_TOKEN}")


@pytest.fixture
def logged(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs the flow and returns everything the JSON handler wrote."""
    monkeypatch.setenv(SECRET_ENV, WEBHOOK_SECRET)
    clock = FakeClock()
    settings = Settings(
        database_url=sqlite_copy(sqlite_template, tmp_path),
        base_url=BASE_URL,
        slack_bot_token=SLACK_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        chat_post_interval_seconds=0,
        log_format="json",
    )
    stream = io.StringIO()
    root = logging.getLogger()
    handler, level = build_handler(settings, stream), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with SlackEmulator(token=SLACK_TOKEN) as slack, WebhookReceiver(WEBHOOK_SECRET) as hooks:
            run_flow(settings, clock, slack, hooks)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return stream.getvalue()


def run_flow(
    settings: Settings, clock: FakeClock, slack: SlackEmulator, hooks: WebhookReceiver
) -> None:
    slack.add_user("U0ALICE", email="alice@example.com", name="alice", handle="alice")
    slack.add_channel("incidents")
    app = create_app(settings, clock=clock, run_dispatcher=False)
    db: Database = app.state.runtime.db
    token = prepare(db, clock, slack)
    subscribe(db, hooks.url)
    dispatcher = app.state.runtime.dispatcher
    dispatcher.handlers["crashy"] = crash
    with TestClient(app, raise_server_exceptions=False) as client:
        auth = {"Authorization": f"Bearer {token}"}
        declared = client.post(
            "/api/v1/incidents",
            json={
                "service": "website",
                "priority": "P1",
                "message": PRIVATE_TITLE,
                "description": PRIVATE_SUMMARY,
                "private": True,
            },
            headers=auth,
        )
        assert declared.status_code == 201, declared.text
        number = declared.json()["number"]
        noted = client.post(
            f"/api/v1/incidents/{number}/timeline", json={"text": PRIVATE_NOTE}, headers=auth
        )
        assert noted.status_code in {200, 201}, noted.text
        form = view_submission({"service": "website", "priority": "P3", "message": "Slow pages"})
        answered = SlackInbound(client, clock).interaction(form)
        assert answered.status_code == 200, answered.text
        dispatcher.run_until_idle()
    assert hooks.accepted, "the public incident's events reached the webhook"
    assert slack.channel_named(f"incident-{number}") is not None
    db.dispose()


def prepare(db: Database, clock: FakeClock, slack: SlackEmulator) -> str:
    chat = ChatConfig(incidents_channel="#incidents", slack=SlackConfig(api_url=slack.api_url))
    with db.write() as session:
        seed_catalog(session)
        session.add(
            Subscription(
                name="chat", kind="chat", event_types=["incident.*"], settings=chat.model_dump()
            )
        )
        session.add(Subscription(name="crashy", kind="crashy", event_types=["incident.*"]))
        _row, token = create_token(
            session, name="alice", role="responder", now=clock.now(), person="alice"
        )
    return token


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_every_line_is_one_json_object(logged: str) -> None:
    parsed = lines(logged)
    assert parsed
    assert all({"time", "level", "logger", "message"} <= set(line) for line in parsed)


@pytest.mark.parametrize("text", [PRIVATE_TITLE, PRIVATE_SUMMARY, PRIVATE_NOTE, "Quokkasoft"])
def test_the_private_incidents_words_are_never_logged(logged: str, text: str) -> None:
    assert text not in logged


@pytest.mark.parametrize("secret", [SLACK_TOKEN, SIGNING_SECRET, WEBHOOK_SECRET, "fh_"])
def test_no_token_or_secret_is_logged(logged: str, secret: str) -> None:
    assert secret not in logged


def test_a_line_that_quoted_a_token_is_kept_with_the_token_masked(logged: str) -> None:
    quoted = [line for line in lines(logged) if line["logger"] == "tests.careless_library"]
    assert quoted
    assert all(line["message"].endswith("Bearer ***") for line in quoted)


def test_the_crash_is_logged_with_the_delivery_it_belongs_to(logged: str) -> None:
    crashes = [line for line in lines(logged) if "crashed with RuntimeError" in line["message"]]
    assert crashes
    assert all(isinstance(line.get("delivery_id"), int) for line in crashes)


def test_a_line_written_for_a_request_names_the_request(logged: str) -> None:
    [declared] = [line for line in lines(logged) if "from Slack" in line["message"]]
    assert len(declared["request_id"]) == 32
