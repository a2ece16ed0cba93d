"""Every way a responder command can fail: one line on stderr, exit status 1, no traceback."""

from __future__ import annotations

import pytest

from firehouse.cli.client import ApiClient
from firehouse.db import Database
from tests.cli.support import firehouse, free_port


def assert_one_line_error(result_stderr: str, exit_code: int, expected: str) -> None:
    assert exit_code == 1
    assert result_stderr == f"error: {expected}\n"


def test_a_bad_priority_prints_the_apis_detail(server: str) -> None:
    result = firehouse("declare", "--service", "website", "--priority", "P9", "Checkout fails")
    assert_one_line_error(
        result.stderr, result.exit_code, "priority: Input should be 'P1', 'P2', 'P3', 'P4' or 'P5'"
    )
    assert result.stdout == ""


def test_an_unknown_service_names_the_field(server: str) -> None:
    result = firehouse("declare", "--service", "nope", "--priority", "P2", "Checkout fails")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: service: ")
    assert result.stderr.count("\n") == 1


def test_an_unknown_incident_is_a_one_line_error(server: str) -> None:
    result = firehouse("show", "42")
    assert_one_line_error(result.stderr, result.exit_code, "number: no incident 42")


def test_a_refused_transition_is_a_one_line_error(server: str) -> None:
    firehouse("declare", "--service", "website", "--priority", "P2", "Checkout fails")
    firehouse("resolve", "1", "--note", "Rolled back")
    result = firehouse("resolve", "1", "--note", "Again")
    assert_one_line_error(result.stderr, result.exit_code, "status: incident is already resolved")


def test_a_bad_note_time_names_the_field(server: str) -> None:
    firehouse("declare", "--service", "website", "--priority", "P2", "Checkout fails")
    result = firehouse("note", "1", "Restarted", "--at", "yesterday")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: occurred_at: ")


def test_without_a_token_it_says_how_to_get_one(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIREHOUSE_TOKEN")
    result = firehouse("incidents")
    assert_one_line_error(
        result.stderr,
        result.exit_code,
        "set FIREHOUSE_TOKEN (create one with `firehouse token create`)",
    )


def test_a_revoked_token_is_refused_in_one_line(server: str, seeded_db: Database) -> None:
    firehouse("token", "revoke", "cli")
    result = firehouse("incidents")
    assert_one_line_error(
        result.stderr, result.exit_code, "Authorization: unknown or revoked token"
    )


def test_a_server_that_is_down_is_named_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("FIREHOUSE_URL", url)
    monkeypatch.setenv("FIREHOUSE_TOKEN", "fh_anything")
    result = firehouse("incidents")
    assert_one_line_error(
        result.stderr,
        result.exit_code,
        f"cannot reach firehouse at {url} — is `firehouse serve` running?",
    )


def test_the_default_server_is_local_port_8000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREHOUSE_TOKEN", "fh_anything")
    client = ApiClient.from_environment()
    assert client.base_url == "http://127.0.0.1:8000"
    client.close()


def test_a_url_that_is_not_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREHOUSE_URL", "firehouse.example.com")
    monkeypatch.setenv("FIREHOUSE_TOKEN", "fh_anything")
    result = firehouse("show", "1")
    assert_one_line_error(
        result.stderr,
        result.exit_code,
        "FIREHOUSE_URL: 'firehouse.example.com' is not an http:// or https:// URL",
    )
