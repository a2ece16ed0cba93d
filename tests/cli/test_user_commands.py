"""`firehouse user`: accounts made on the server's machine, passwords never on the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from firehouse.auth import web_sessions
from firehouse.auth.users import Outcome, authenticate, get_user
from firehouse.cli.main import app
from firehouse.clock import SystemClock
from firehouse.db import Database
from tests.cli.support import firehouse

PASSWORD = "correct horse battery"


def create(*args: str, typed: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["user", "create", *args], input=typed)
    return result.exit_code, result.stdout, result.stderr


def test_create_prompts_twice_for_the_password_and_the_account_signs_in(
    seeded_db: Database,
) -> None:
    code, out, err = create(
        "alice",
        "--name",
        "Alice Ng",
        "--role",
        "admin",
        "--person",
        "alice",
        typed=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    assert "created user alice" in out
    assert PASSWORD not in out
    with seeded_db.write() as session:
        assert authenticate(session, "alice", PASSWORD, SystemClock().now()).outcome is (
            Outcome.SIGNED_IN
        )


def test_create_reads_the_password_from_standard_input(seeded_db: Database) -> None:
    code, _out, err = create(
        "bob", "--name", "Bob", "--role", "viewer", "--password-stdin", typed=f"{PASSWORD}\n"
    )
    assert code == 0, err
    with seeded_db.write() as session:
        assert authenticate(session, "bob", PASSWORD, SystemClock().now()).outcome is (
            Outcome.SIGNED_IN
        )


def test_a_short_password_is_one_line_naming_the_field(seeded_db: Database) -> None:
    code, _out, err = create(
        "bob", "--name", "Bob", "--role", "viewer", "--password-stdin", typed="short\n"
    )
    assert code != 0
    assert err.count("\n") == 1
    assert "password" in err


def test_an_unknown_role_is_refused(seeded_db: Database) -> None:
    code, _out, err = create(
        "bob", "--name", "Bob", "--role", "owner", "--password-stdin", typed=f"{PASSWORD}\n"
    )
    assert code != 0
    assert "role" in err


def test_list_shows_accounts_and_never_a_password_hash(seeded_db: Database) -> None:
    create(
        "bob",
        "--name",
        "Bob Ortiz",
        "--role",
        "responder",
        "--password-stdin",
        typed=f"{PASSWORD}\n",
    )
    result = firehouse("user", "list", "--json")
    assert result.exit_code == 0, result.output
    (account,) = json.loads(result.stdout)
    assert (account["username"], account["name"], account["role"], account["active"]) == (
        "bob",
        "Bob Ortiz",
        "responder",
        True,
    )
    assert "argon2" not in result.stdout
    table = firehouse("user", "list")
    assert "Bob Ortiz" in table.stdout


def test_disable_stops_sign_in_and_ends_open_sessions(seeded_db: Database) -> None:
    create("bob", "--name", "Bob", "--role", "responder", "--password-stdin", typed=f"{PASSWORD}\n")
    now = SystemClock().now()
    with seeded_db.write() as session:
        _row, token = web_sessions.start(session, get_user(session, "bob"), now=now)
    result = firehouse("user", "disable", "bob")
    assert result.exit_code == 0, result.output
    assert "disabled user bob" in result.stdout
    with seeded_db.write() as session:
        assert web_sessions.resume(session, token, now=SystemClock().now()) is None
        assert authenticate(session, "bob", PASSWORD, SystemClock().now()).outcome is (
            Outcome.REFUSED
        )


def test_disabling_an_unknown_user_fails_in_one_line(seeded_db: Database) -> None:
    result = firehouse("user", "disable", "nobody")
    assert result.exit_code != 0
    assert "nobody" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_new_password_replaces_the_old_one_and_signs_the_account_out(
    seeded_db: Database,
) -> None:
    create("bob", "--name", "Bob", "--role", "responder", "--password-stdin", typed=f"{PASSWORD}\n")
    with seeded_db.write() as session:
        _row, token = web_sessions.start(session, get_user(session, "bob"), now=SystemClock().now())
    renewed = "a much better passphrase"
    result = CliRunner().invoke(
        app, ["user", "password", "bob", "--password-stdin"], input=f"{renewed}\n"
    )
    assert result.exit_code == 0, result.stderr
    assert "set a new password for bob" in result.stdout
    now = SystemClock().now()
    with seeded_db.write() as session:
        assert web_sessions.resume(session, token, now=now) is None
        assert authenticate(session, "bob", PASSWORD, now).outcome is Outcome.REFUSED
    with seeded_db.write() as session:
        assert authenticate(session, "bob", renewed, now).outcome is Outcome.SIGNED_IN


def test_a_new_password_too_short_is_one_line_and_changes_nothing(seeded_db: Database) -> None:
    create("bob", "--name", "Bob", "--role", "responder", "--password-stdin", typed=f"{PASSWORD}\n")
    result = CliRunner().invoke(
        app, ["user", "password", "bob", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert "password" in result.stderr
    assert result.stderr.count("\n") == 1
    with seeded_db.write() as session:
        outcome = authenticate(session, "bob", PASSWORD, SystemClock().now()).outcome
    assert outcome is Outcome.SIGNED_IN
