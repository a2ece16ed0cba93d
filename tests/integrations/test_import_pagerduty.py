"""`firehouse import pagerduty` against a local emulator of PagerDuty's REST API v2: every
page is read, rate limits and outages are waited out, a refused key stops with one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from firehouse.catalog.config import parse_config
from firehouse.cli.main import app
from firehouse.clock import SystemClock
from firehouse.importers import pagerduty
from firehouse.importers.api import ATTEMPTS, ImportFailed
from tests.fakes.pagerduty_api import API_KEY, PagerdutyEmulator
from tests.fakes.pagerduty_sample import sample_account


@pytest.fixture
def emulator() -> Iterator[PagerdutyEmulator]:
    with PagerdutyEmulator(sample_account(SystemClock().now()), max_page_size=2) as fake:
        yield fake


def read(
    fake: PagerdutyEmulator, key: str = API_KEY
) -> tuple[pagerduty.PagerdutyAccount, list[float]]:
    waits: list[float] = []
    with pagerduty.reader(fake.origin, key, sleep=waits.append) as api:
        return pagerduty.read_account(api, SystemClock().now()), waits


def run_cli(tmp_path: Path, fake: PagerdutyEmulator, *extra: str) -> Result:
    output = tmp_path / "firehouse.import.yaml"
    args = ["import", "pagerduty", "--api-url", fake.origin, "--output", str(output), *extra]
    return CliRunner().invoke(app, args)


def test_every_page_of_every_list_is_read_while_more_is_true(
    emulator: PagerdutyEmulator,
) -> None:
    account, _ = read(emulator)
    assert len(account.users) == 5
    assert len(account.services) == 3
    assert [call.query["offset"] for call in emulator.calls_to("users")] == [["0"], ["2"], ["4"]]
    assert len(emulator.calls_to("escalation_policies")) == 1


def test_users_come_with_their_contact_methods_for_phone_numbers(
    emulator: PagerdutyEmulator,
) -> None:
    account, _ = read(emulator)
    assert emulator.calls_to("users")[0].query["include[]"] == ["contact_methods"]
    maya = next(user for user in account.users if user["name"] == "Maya Okafor")
    assert {method["type"] for method in maya["contact_methods"]} >= {"phone_contact_method"}


def test_each_schedule_is_read_whole_with_its_layers_and_upcoming_overrides(
    emulator: PagerdutyEmulator,
) -> None:
    account, _ = read(emulator)
    assert all(schedule["schedule_layers"] for schedule in account.schedules)
    assert len(emulator.calls_to("schedule")) == 2
    assert sum(len(found) for found in account.overrides.values()) == 2  # not the one in 200 days


def test_every_request_carries_the_token_and_the_v2_accept_header(
    emulator: PagerdutyEmulator,
) -> None:
    read(emulator)
    assert {call.headers["authorization"] for call in emulator.calls} == {f"Token token={API_KEY}"}
    assert {call.headers["accept"] for call in emulator.calls} == {pagerduty.ACCEPT}


def test_a_429_is_waited_out_for_its_retry_after_then_the_import_goes_on(
    emulator: PagerdutyEmulator,
) -> None:
    emulator.fail_next("schedules", status=429, retry_after=2)
    account, waits = read(emulator)
    assert waits == [2.0]
    assert [call.status for call in emulator.calls_to("schedules")] == [429, 200]
    assert len(account.schedules) == 2


def test_an_outage_is_retried_a_bounded_number_of_times_then_reported(
    emulator: PagerdutyEmulator,
) -> None:
    emulator.fail_next("services", status=502, times=ATTEMPTS)
    with pytest.raises(ImportFailed, match=r"kept answering 502 .* after 5 attempts"):
        read(emulator)
    assert len(emulator.calls_to("services")) == ATTEMPTS


def test_a_refused_key_stops_at_once_naming_the_variable_but_not_the_key(
    emulator: PagerdutyEmulator,
) -> None:
    with pytest.raises(ImportFailed) as refused:
        read(emulator, key="wrong-key-123")
    assert "PAGERDUTY_API_KEY" in refused.value.message
    assert "401: Authentication failed" in refused.value.message
    assert "wrong-key-123" not in refused.value.message
    assert len(emulator.calls) == 1


def test_the_command_writes_a_valid_fragment_and_a_report(
    emulator: PagerdutyEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_API_KEY", API_KEY)
    emulator.fail_next("users", status=429, retry_after=0.01)
    result = run_cli(tmp_path, emulator)
    assert result.exit_code == 0, result.output
    fragment = (tmp_path / "firehouse.import.yaml").read_text()
    report = (tmp_path / "firehouse.import.report.md").read_text()
    _config, problems = parse_config("organisation: {name: Northlight}\n" + fragment)
    assert problems == []
    assert "firehouse oncall override platform-primary --layer layer-1 --person priya" in report
    assert API_KEY not in fragment + report + result.output


def test_the_command_writes_the_report_where_asked(
    emulator: PagerdutyEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_API_KEY", API_KEY)
    result = run_cli(tmp_path, emulator, "--report", str(tmp_path / "review.md"))
    assert result.exit_code == 0
    assert (tmp_path / "review.md").read_text().startswith("# Import from PagerDuty")


def test_the_command_fails_in_one_line_on_a_refused_key(
    emulator: PagerdutyEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGERDUTY_API_KEY", "not-the-key")
    result = run_cli(tmp_path, emulator)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: PagerDuty refused the API key in PAGERDUTY_API_KEY")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "firehouse.import.yaml").exists()


def test_the_command_names_the_variable_when_the_key_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAGERDUTY_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["import", "pagerduty", "--output", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert "PAGERDUTY_API_KEY is not set" in result.stderr
