"""Admin commands on the database that FIREHOUSE_DATABASE_URL names: db, token, outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from firehouse.auth.service import authenticate
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.outbox.dispatcher import Dispatcher, DispatcherConfig
from firehouse.outbox.model import OutboxDelivery, Subscription
from tests.cli.support import firehouse
from tests.factories import declare


def test_db_upgrade_migrates_an_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = firehouse("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("database ok at ")


def test_db_status_fails_while_migrations_are_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = firehouse("db", "status")
    assert result.exit_code == 1
    assert "migrations pending" in result.stderr
    assert "firehouse db upgrade" in result.stderr


def test_a_command_on_an_unmigrated_database_says_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    result = firehouse("token", "list")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "run `firehouse db upgrade`" in result.stderr


def test_a_bad_setting_is_one_line_naming_the_variable(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIREHOUSE_OUTBOX_MAX_ATTEMPTS", "0")
    result = firehouse("outbox", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: setting FIREHOUSE_OUTBOX_MAX_ATTEMPTS: ")
    assert result.stderr.count("\n") == 1


def test_token_create_prints_only_a_working_token(seeded_db: Database) -> None:
    result = firehouse("token", "create", "--name", "ci", "--role", "responder", "--person", "bob")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    with seeded_db.read() as session:
        caller = authenticate(session, token, now=SystemClock().now())
    assert caller is not None
    assert (caller.token_name, caller.role, caller.person_id) == ("ci", "responder", "bob")


def test_token_create_refuses_an_unknown_role_in_one_line(db: Database) -> None:
    result = firehouse("token", "create", "--name", "ci", "--role", "boss")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: role: unknown role 'boss'; use viewer, responder or admin\n"


def test_token_create_refuses_a_name_already_taken(db: Database) -> None:
    firehouse("token", "create", "--name", "ci", "--role", "viewer")
    result = firehouse("token", "create", "--name", "ci", "--role", "viewer")
    assert result.exit_code == 1
    assert result.stderr == "error: name: a token named 'ci' already exists\n"


def test_token_list_shows_names_and_roles_but_never_the_token(db: Database) -> None:
    token = firehouse("token", "create", "--name", "ci", "--role", "admin").stdout.strip()
    result = firehouse("token", "list")
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split()[:3] == ["NAME", "ROLE", "PERSON"]
    assert row.split()[:3] == ["ci", "admin", "-"]
    assert token not in result.stdout


def test_token_revoke_stops_the_token_working(db: Database) -> None:
    token = firehouse("token", "create", "--name", "ci", "--role", "admin").stdout.strip()
    result = firehouse("token", "revoke", "ci")
    assert result.exit_code == 0
    assert result.stdout == "revoked token ci\n"
    with db.read() as session:
        assert authenticate(session, token, now=SystemClock().now()) is None


def test_token_revoke_of_an_unknown_name_is_an_error(db: Database) -> None:
    result = firehouse("token", "revoke", "nobody")
    assert result.exit_code == 1
    assert result.stderr == "error: name: no token named 'nobody'\n"


def _dead_and_pending_deliveries(db: Database) -> None:
    """Subscriptions no integration handles: the first event's delivery is parked dead, the
    second event's two deliveries wait."""
    clock = SystemClock()
    with db.write() as session:
        session.add(Subscription(name="pager:old", kind="pager", event_types=[], settings={}))
    declare(db, clock.now())
    Dispatcher(db, {}, clock, DispatcherConfig(max_attempts=1)).run_until_idle()
    with db.write() as session:
        session.add(Subscription(name="pager:new", kind="pager", event_types=[], settings={}))
    declare(db, clock.now(), message="Second")


def test_outbox_list_shows_dead_and_pending_deliveries(seeded_db: Database) -> None:
    _dead_and_pending_deliveries(seeded_db)
    result = firehouse("outbox", "list")
    assert result.exit_code == 0, result.output
    rows = [line.split()[1:3] for line in result.stdout.splitlines()[1:]]
    assert sorted(rows) == [
        ["dead", "pager:old"],
        ["pending", "pager:new"],
        ["pending", "pager:old"],
    ]
    assert "no integration handles subscriptions of kind 'pager'" in result.stdout


def test_outbox_list_dead_shows_only_dead_deliveries(seeded_db: Database) -> None:
    _dead_and_pending_deliveries(seeded_db)
    result = firehouse("outbox", "list", "--dead", "--json")
    assert result.exit_code == 0, result.output
    assert '"state": "dead"' in result.stdout
    assert '"pending"' not in result.stdout


def test_outbox_retry_queues_a_dead_delivery_again(seeded_db: Database) -> None:
    _dead_and_pending_deliveries(seeded_db)
    with seeded_db.read() as session:
        dead = session.scalars(select(OutboxDelivery).where(OutboxDelivery.state == "dead")).one()
    result = firehouse("outbox", "retry", str(dead.id))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"delivery {dead.id} queued for another attempt\n"
    with seeded_db.read() as session:
        again = session.get_one(OutboxDelivery, dead.id)
    assert (again.state, again.attempts) == ("pending", 0)


def test_outbox_retry_of_an_unknown_delivery_is_an_error(db: Database) -> None:
    result = firehouse("outbox", "retry", "999")
    assert result.exit_code == 1
    assert result.stderr == "error: id: no outbox delivery 999\n"
