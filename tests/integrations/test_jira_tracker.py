"""Follow-up tickets in Jira through the outbox, against the Jira REST v3 emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.integrations.trackers.polling import poll_open_tickets
from tests.fakes.jira_api import JiraEmulator
from tests.integrations.tracker_support import (
    add_follow_up,
    configure,
    dispatcher,
    follow_up,
    follow_up_links,
    last_error,
    next_attempt_delay,
    signed,
    web_app,
)

HOOK = "/api/v1/integrations/jira/webhook"
SECRET = JiraEmulator.environ()["TEST_JIRA_WEBHOOK_SECRET"]


@pytest.fixture
def jira(seeded_db: Database) -> Iterator[JiraEmulator]:
    with JiraEmulator() as emulator:
        configure(seeded_db, "jira", emulator.settings())
        yield emulator


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as http:
        yield http


def run(db: Database, clock: FakeClock, client: httpx.Client) -> None:
    dispatcher(db, clock, client, JiraEmulator.environ()).run_until_idle()


def test_a_follow_up_opens_a_labelled_jira_issue_and_links_it(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    follow_up_id = add_follow_up(seeded_db, clock)
    run(seeded_db, clock, client)
    [issue] = jira.issues.values()
    row = follow_up(seeded_db, follow_up_id)
    assert issue["fields"]["summary"] == "Add a canary stage"
    assert f"firehouse-{row.request_key}" in issue["fields"]["labels"]
    assert issue["fields"]["description"]["type"] == "doc"
    assert (row.external_key, row.url) == ("OPS-1", f"{jira.origin}/browse/OPS-1")
    assert follow_up_links(seeded_db, follow_up_id) == [f"{jira.origin}/browse/OPS-1"]


def test_a_lost_answer_is_found_by_its_label_not_created_twice(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    follow_up_id = add_follow_up(seeded_db, clock)
    jira.lose_reply("create")
    run(seeded_db, clock, client)
    assert follow_up(seeded_db, follow_up_id).external_key is None
    clock.advance(minutes=1)
    run(seeded_db, clock, client)
    assert list(jira.issues) == ["OPS-1"]
    assert len(jira.calls_to("create")) == 1
    assert follow_up(seeded_db, follow_up_id).external_key == "OPS-1"


def test_a_server_error_first_still_creates_exactly_one_issue(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    follow_up_id = add_follow_up(seeded_db, clock)
    jira.fail_next("create", status=503)
    run(seeded_db, clock, client)
    clock.advance(minutes=1)
    run(seeded_db, clock, client)
    assert list(jira.issues) == ["OPS-1"]
    assert follow_up(seeded_db, follow_up_id).external_key == "OPS-1"


def test_retry_after_of_a_429_is_honoured(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    add_follow_up(seeded_db, clock)
    jira.fail_next("create", status=429, retry_after=120)
    run(seeded_db, clock, client)
    assert next_attempt_delay(seeded_db, clock) == timedelta(seconds=120)
    assert jira.issues == {}


def test_bad_credentials_are_reported_as_configuration_without_the_token(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    add_follow_up(seeded_db, clock)
    environ = JiraEmulator.environ() | {"TEST_JIRA_TOKEN": "wrong-token"}
    dispatcher(seeded_db, clock, client, environ).run_until_idle()
    error = last_error(seeded_db)
    assert "401" in error
    assert "settings" in error
    assert "wrong-token" not in error


def test_polling_closes_the_follow_up_when_the_issue_is_done(
    seeded_db: Database, clock: FakeClock, jira: JiraEmulator, client: httpx.Client
) -> None:
    follow_up_id = add_follow_up(seeded_db, clock)
    run(seeded_db, clock, client)
    jira.close("OPS-1")
    changed = poll_open_tickets(seeded_db, client, clock.now(), JiraEmulator.environ())
    row = follow_up(seeded_db, follow_up_id)
    assert changed == 1
    assert (row.status, row.external_status) == ("done", "Done")


@pytest.fixture
def app(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Database, JiraEmulator]]:
    for name, value in JiraEmulator.environ().items():
        monkeypatch.setenv(name, value)
    with JiraEmulator() as emulator, web_app(database_url, clock) as (web, db):
        configure(db, "jira", emulator.settings())
        yield web, db, emulator


def updated(issue: object) -> bytes:
    return json.dumps({"webhookEvent": "jira:issue_updated", "issue": issue}).encode()


def test_a_signed_issue_updated_webhook_closes_the_follow_up(
    app: tuple[TestClient, Database, JiraEmulator], clock: FakeClock, client: httpx.Client
) -> None:
    web, db, jira = app
    follow_up_id = add_follow_up(db, clock)
    run(db, clock, client)
    body = updated(jira.close("OPS-1"))
    response = web.post(HOOK, content=body, headers={"X-Hub-Signature": signed(SECRET, body)})
    assert (response.status_code, response.json()) == (200, {"changed": True})
    assert follow_up(db, follow_up_id).status == "done"


def test_the_secret_may_come_as_a_query_parameter_instead(
    app: tuple[TestClient, Database, JiraEmulator], clock: FakeClock, client: httpx.Client
) -> None:
    web, db, jira = app
    follow_up_id = add_follow_up(db, clock)
    run(db, clock, client)
    response = web.post(HOOK, params={"secret": SECRET}, content=updated(jira.close("OPS-1")))
    assert response.status_code == 200, response.text
    assert follow_up(db, follow_up_id).status == "done"


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    app: tuple[TestClient, Database, JiraEmulator], clock: FakeClock, client: httpx.Client
) -> None:
    web, db, jira = app
    follow_up_id = add_follow_up(db, clock)
    run(db, clock, client)
    body = updated(jira.close("OPS-1"))
    forged = signed("guessed", body)
    response = web.post(HOOK, content=body, headers={"X-Hub-Signature": forged})
    assert response.status_code == 401
    assert follow_up(db, follow_up_id).status == "open"
