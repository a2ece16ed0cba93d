"""`firehouse statuspage …` against a real server: responders name the internal incident."""

from __future__ import annotations

import json
from typing import Any

import pytest

from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.statuspage.flow import StatuspageFlow
from tests.cli.support import firehouse
from tests.service.statuspage_support import add_components, subscribe_flow


@pytest.fixture
def page(seeded_db: Database, server: str) -> Database:
    add_components(seeded_db, SystemClock().now())
    subscribe_flow(seeded_db)
    return seeded_db


def declare_with_draft(db: Database, priority: str = "P2") -> None:
    """Declares over the CLI, then runs the status page flow as the worker would."""
    result = firehouse("declare", "--service", "website", "--priority", priority, "Checkout fails")
    assert result.exit_code == 0, result.output
    clock = SystemClock()
    Dispatcher(db, {"statuspage": StatuspageFlow(db, clock)}, clock).run_until_idle()


def as_json(*args: str) -> Any:
    result = firehouse(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_publish_publishes_the_draft_of_the_incident(page: Database) -> None:
    declare_with_draft(page)
    result = firehouse("statuspage", "publish", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("published public incident ")
    assert "(published, investigating, major impact): Website — partial outage" in result.stdout


def test_update_posts_the_status_and_message(page: Database) -> None:
    declare_with_draft(page)
    firehouse("statuspage", "publish", "1")
    public = as_json(
        "statuspage", "update", "1", "--status", "identified", "A bad deploy; rolling back."
    )
    assert public["status"] == "identified"
    assert public["updates"][0]["body"] == "A bad deploy; rolling back."


def test_update_may_set_component_statuses(page: Database) -> None:
    declare_with_draft(page)
    public = as_json(
        "statuspage", "update", "1", "--status", "identified", "Worse.",
        "--component", "website=major_outage", "--component", "api=degraded_performance",
    )  # fmt: skip
    assert {c["id"]: c["status"] for c in public["components"]} == {
        "api": "degraded_performance",
        "website": "major_outage",
    }


def test_a_malformed_component_is_refused_before_sending(page: Database) -> None:
    declare_with_draft(page)
    result = firehouse(
        "statuspage", "update", "1", "--status", "identified", "x", "--component", "api"
    )
    assert result.exit_code == 1
    assert "--component: 'api' is not COMPONENT=STATUS" in result.stderr


def test_resolve_resolves_the_public_incident(page: Database) -> None:
    declare_with_draft(page)
    firehouse("statuspage", "publish", "1")
    result = firehouse("statuspage", "resolve", "1", "Fixed; all systems normal.")
    assert result.exit_code == 0, result.output
    assert "resolved public incident" in result.stdout
    assert "resolved, major impact" in result.stdout


def test_an_incident_without_a_public_incident_says_why(page: Database) -> None:
    declare_with_draft(page, priority="P4")
    result = firehouse("statuspage", "publish", "1")
    assert result.exit_code == 1
    assert "incident #1 has no public incident" in result.stderr


def test_an_unknown_status_is_reported_by_the_api(page: Database) -> None:
    declare_with_draft(page)
    result = firehouse("statuspage", "update", "1", "--status", "fixed", "x")
    assert result.exit_code == 1
    assert "status" in result.stderr


def test_list_shows_drafts_and_their_internal_incident(page: Database) -> None:
    declare_with_draft(page)
    result = firehouse("statuspage", "list")
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split()[:5] == ["ID", "INCIDENT", "STATE", "STATUS", "IMPACT"]
    assert row.split()[1:5] == ["#1", "draft", "investigating", "major"]


def test_list_pending_shows_those_whose_incident_was_resolved(page: Database) -> None:
    declare_with_draft(page)
    assert firehouse("statuspage", "list", "--pending").stdout.strip() == "no public incidents"
    assert firehouse("resolve", "1", "--note", "Rolled back").exit_code == 0
    clock = SystemClock()
    Dispatcher(page, {"statuspage": StatuspageFlow(page, clock)}, clock).run_until_idle()
    assert len(as_json("statuspage", "list", "--pending")["items"]) == 1


def test_components_lists_the_page_with_statuses(page: Database) -> None:
    result = firehouse("statuspage", "components")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "GROUP", "STATUS", "NAME"]
    assert lines[1].split()[:3] == ["website", "Marketplace", "operational"]
