"""Follow-up tickets in GitHub Issues through the outbox, against the GitHub REST emulator,
and GitHub's `issues` webhook keeping their status."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.guidance import follow_ups
from firehouse.incidents.visibility import EVERYTHING
from tests.factories import declare
from tests.fakes.github_api import GitHubEmulator
from tests.integrations.tracker_support import (
    add_follow_up,
    configure,
    dispatcher,
    follow_up,
    follow_up_links,
    next_attempt_delay,
    signed,
    web_app,
)

HOOK = "/api/v1/integrations/github/webhook"
SECRET = GitHubEmulator.environ()["TEST_GITHUB_WEBHOOK_SECRET"]


@pytest.fixture
def github() -> Iterator[GitHubEmulator]:
    with GitHubEmulator() as emulator:
        yield emulator


@pytest.fixture
def app(
    database_url: str, clock: FakeClock, github: GitHubEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, Database]]:
    for name, value in GitHubEmulator.environ().items():
        monkeypatch.setenv(name, value)
    with web_app(database_url, clock) as (web, db):
        configure(db, "github", github.settings())
        yield web, db


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as http:
        yield http


def run(db: Database, clock: FakeClock, client: httpx.Client) -> None:
    dispatcher(db, clock, client, GitHubEmulator.environ()).run_until_idle()


def hook(web: TestClient, payload: object, *, secret: str = SECRET) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"X-GitHub-Event": "issues", "X-Hub-Signature-256": signed(secret, body)}
    return web.post(HOOK, content=body, headers=headers)


def closed(github: GitHubEmulator, number: int) -> dict[str, object]:
    return {
        "action": "closed",
        "issue": github.close(number),
        "repository": {"full_name": github.repository},
    }


def test_a_follow_up_opens_a_labelled_github_issue_and_links_it(
    seeded_db: Database, clock: FakeClock, github: GitHubEmulator, client: httpx.Client
) -> None:
    configure(seeded_db, "github", github.settings())
    follow_up_id = add_follow_up(seeded_db, clock)
    run(seeded_db, clock, client)
    [issue] = github.issues.values()
    row = follow_up(seeded_db, follow_up_id)
    assert issue["title"] == "Add a canary stage"
    assert {"name": f"firehouse-{row.request_key}"} in issue["labels"]
    assert (row.external_key, row.url) == ("acme/ops#1", "https://github.com/acme/ops/issues/1")
    assert follow_up_links(seeded_db, follow_up_id) == ["https://github.com/acme/ops/issues/1"]


def test_a_lost_answer_is_found_by_its_label_not_created_twice(
    seeded_db: Database, clock: FakeClock, github: GitHubEmulator, client: httpx.Client
) -> None:
    configure(seeded_db, "github", github.settings())
    follow_up_id = add_follow_up(seeded_db, clock)
    github.lose_reply("create")
    run(seeded_db, clock, client)
    clock.advance(minutes=1)
    run(seeded_db, clock, client)
    assert list(github.issues) == [1]
    assert follow_up(seeded_db, follow_up_id).external_key == "acme/ops#1"


def test_a_server_error_first_still_creates_exactly_one_issue(
    seeded_db: Database, clock: FakeClock, github: GitHubEmulator, client: httpx.Client
) -> None:
    configure(seeded_db, "github", github.settings())
    follow_up_id = add_follow_up(seeded_db, clock)
    github.fail_next("create", status=502)
    run(seeded_db, clock, client)
    clock.advance(minutes=1)
    run(seeded_db, clock, client)
    assert list(github.issues) == [1]
    assert follow_up(seeded_db, follow_up_id).external_key == "acme/ops#1"


def test_retry_after_of_a_429_is_honoured(
    seeded_db: Database, clock: FakeClock, github: GitHubEmulator, client: httpx.Client
) -> None:
    configure(seeded_db, "github", github.settings())
    add_follow_up(seeded_db, clock)
    github.fail_next("create", status=429, retry_after=90)
    run(seeded_db, clock, client)
    assert next_attempt_delay(seeded_db, clock) == timedelta(seconds=90)
    assert github.issues == {}


def test_the_issues_webhook_closes_the_follow_up(
    app: tuple[TestClient, Database],
    clock: FakeClock,
    github: GitHubEmulator,
    client: httpx.Client,
) -> None:
    web, db = app
    follow_up_id = add_follow_up(db, clock)
    run(db, clock, client)
    response = hook(web, closed(github, 1))
    assert response.status_code == 200, response.text
    assert response.json() == {"changed": True}
    assert follow_up(db, follow_up_id).status == "done"


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    app: tuple[TestClient, Database],
    clock: FakeClock,
    github: GitHubEmulator,
    client: httpx.Client,
) -> None:
    web, db = app
    follow_up_id = add_follow_up(db, clock)
    run(db, clock, client)
    response = hook(web, closed(github, 1), secret="not-the-secret")
    assert response.status_code == 401
    assert follow_up(db, follow_up_id).status == "open"


def test_a_webhook_about_an_unknown_issue_is_accepted_and_ignored(
    app: tuple[TestClient, Database], github: GitHubEmulator
) -> None:
    web, _db = app
    payload = {
        "action": "closed",
        "issue": {"number": 99, "state": "closed"},
        "repository": {"full_name": github.repository},
    }
    response = hook(web, payload)
    assert (response.status_code, response.json()) == (200, {"changed": False})


def test_a_private_incidents_ticket_does_not_carry_the_incident_title(
    seeded_db: Database, clock: FakeClock, github: GitHubEmulator, client: httpx.Client
) -> None:
    configure(seeded_db, "github", github.settings())
    number = declare(
        seeded_db, clock.now(), private=True, reporter="alice", message="Secret breach"
    ).number
    with seeded_db.write() as session:
        follow_ups.create(
            session, number, "Rotate keys", actor="alice", now=clock.now(), sight=EVERYTHING
        )
    run(seeded_db, clock, client)
    [issue] = github.issues.values()
    assert "Secret breach" not in issue["body"]
    assert f"incident {number}" in issue["body"]
