"""`firehouse import opsgenie` against a local emulator of OpsGenie's REST API: every page
is read, rate limits and outages are waited out, a refused key stops with one clear line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from firehouse.catalog.config import parse_config
from firehouse.cli.main import app
from firehouse.clock import SystemClock
from firehouse.importers import opsgenie
from firehouse.importers.api import ATTEMPTS, ImportFailed
from tests.fakes.opsgenie_api import API_KEY, OpsgenieEmulator
from tests.fakes.opsgenie_sample import sample_account


@pytest.fixture
def emulator() -> Iterator[OpsgenieEmulator]:
    with OpsgenieEmulator(sample_account(SystemClock().now()), max_page_size=2) as fake:
        yield fake


def read(
    fake: OpsgenieEmulator, key: str = API_KEY
) -> tuple[opsgenie.OpsgenieAccount, list[float]]:
    waits: list[float] = []
    with opsgenie.reader(fake.origin, key, sleep=waits.append) as api:
        return opsgenie.read_account(api), waits


def run_cli(tmp_path: Path, fake: OpsgenieEmulator, *extra: str) -> Result:
    output = tmp_path / "firehouse.import.yaml"
    args = ["import", "opsgenie", "--api-url", fake.origin, "--output", str(output), *extra]
    return CliRunner().invoke(app, args)


def test_every_page_of_users_and_services_is_followed_through_paging_next(
    emulator: OpsgenieEmulator,
) -> None:
    account, _ = read(emulator)
    assert len(account.users) == 6
    assert len(account.services) == 3
    assert len(emulator.calls_to("users")) == 3  # 2 + 2 + 2
    assert len(emulator.calls_to("services")) == 2


def test_schedules_are_read_with_their_rotations_and_overrides(emulator: OpsgenieEmulator) -> None:
    account, _ = read(emulator)
    assert all(schedule["rotations"] for schedule in account.schedules)
    assert emulator.calls_to("schedules")[0].query["expand"] == ["rotation"]
    assert sum(len(found) for found in account.overrides.values()) == 3


def test_every_request_carries_the_genie_key(emulator: OpsgenieEmulator) -> None:
    read(emulator)
    assert {call.authorization for call in emulator.calls} == {f"GenieKey {API_KEY}"}


def test_a_429_is_waited_out_for_its_retry_after_then_the_import_goes_on(
    emulator: OpsgenieEmulator,
) -> None:
    emulator.fail_next("schedules", status=429, retry_after=2)
    account, waits = read(emulator)
    assert waits == [2.0]
    assert [call.status for call in emulator.calls_to("schedules")] == [429, 200]
    assert len(account.schedules) == 2


def test_an_outage_is_retried_a_bounded_number_of_times_then_reported(
    emulator: OpsgenieEmulator,
) -> None:
    emulator.fail_next("escalations", status=503, times=ATTEMPTS)
    with pytest.raises(ImportFailed, match=r"kept answering 503 .* after 5 attempts"):
        read(emulator)
    assert len(emulator.calls_to("escalations")) == ATTEMPTS


def test_a_refused_key_stops_at_once_naming_the_variable_but_not_the_key(
    emulator: OpsgenieEmulator,
) -> None:
    with pytest.raises(ImportFailed) as refused:
        read(emulator, key="wrong-key-123")
    assert "OPSGENIE_API_KEY" in refused.value.message
    assert "401: Could not authenticate" in refused.value.message
    assert "wrong-key-123" not in refused.value.message
    assert len(emulator.calls) == 1


def test_the_command_writes_a_valid_fragment_and_a_report(
    emulator: OpsgenieEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSGENIE_API_KEY", API_KEY)
    emulator.fail_next("users", status=429, retry_after=0.01)
    result = run_cli(tmp_path, emulator)
    assert result.exit_code == 0, result.output
    fragment = (tmp_path / "firehouse.import.yaml").read_text()
    report = (tmp_path / "firehouse.import.report.md").read_text()
    _config, problems = parse_config("organisation: {name: Northlight}\n" + fragment)
    assert problems == []
    assert "firehouse oncall override platform-on-call --layer primary --person jonas" in report
    assert API_KEY not in fragment + report + result.output


def test_the_command_writes_the_report_where_asked(
    emulator: OpsgenieEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSGENIE_API_KEY", API_KEY)
    result = run_cli(tmp_path, emulator, "--report", str(tmp_path / "review.md"))
    assert result.exit_code == 0
    assert (tmp_path / "review.md").read_text().startswith("# Import from OpsGenie")


def test_the_command_fails_in_one_line_on_a_refused_key(
    emulator: OpsgenieEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSGENIE_API_KEY", "not-the-key")
    result = run_cli(tmp_path, emulator)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: OpsGenie refused the API key in OPSGENIE_API_KEY")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "firehouse.import.yaml").exists()


def test_the_command_names_the_variable_when_the_key_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPSGENIE_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["import", "opsgenie", "--output", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert "OPSGENIE_API_KEY is not set" in result.stderr
