"""firehouse report: the API's figures, readable or as JSON."""

from __future__ import annotations

import json

from tests.cli.support import fails, ok


def test_report_prints_counts_and_durations_of_the_default_period(server: str) -> None:
    ok("declare", "Checkout fails", "--service", "website", "--priority", "P2")
    ok("declare", "Practice", "--service", "website", "--priority", "P5")
    out = ok("report")
    assert "Incidents from" in out
    assert ": 1\n" in out.splitlines(keepends=True)[0]
    assert "P2" in out
    assert "P5" not in out
    assert "Time to resolve" in out


def test_report_json_is_the_api_body(server: str) -> None:
    ok("declare", "Checkout fails", "--service", "cms", "--priority", "P3")
    figures = json.loads(ok("report", "--json"))
    assert figures["by_service"] == {"cms": 1}
    assert figures["time_to_acknowledge"]["median_seconds"] is None


def test_report_of_an_empty_period_says_there_were_none(server: str) -> None:
    out = ok("report", "--from", "2020-01-01", "--to", "2020-02-01")
    assert out.startswith("Incidents from 2020-01-01 to 2020-02-01 (exclusive): 0")


def test_report_refuses_a_bad_date_naming_the_option(server: str) -> None:
    assert "from" in fails("report", "--from", "2026-02-30")
