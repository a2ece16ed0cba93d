"""`firehouse services` and `firehouse service ID` against a real server."""

from __future__ import annotations

from firehouse.db import Database
from tests.cli.support import firehouse


def test_services_lists_each_service_with_its_point_people(server: str) -> None:
    result = firehouse("services")
    assert result.exit_code == 0, result.output
    website = next(line for line in result.stdout.splitlines() if line.startswith("website"))
    assert "alice" in website
    assert "https://wiki.example.com/website" in website


def test_service_shows_the_card(server: str, seeded_db: Database) -> None:
    result = firehouse("service", "website")
    assert result.exit_code == 0, result.output
    assert "Alice Ng (alice)" in result.stdout
    assert "https://wiki.example.com/website" in result.stdout


def test_an_unknown_service_is_a_one_line_error(server: str) -> None:
    result = firehouse("service", "nope")
    assert result.exit_code != 0
    assert "nope" in result.output
    assert "Traceback" not in result.output
