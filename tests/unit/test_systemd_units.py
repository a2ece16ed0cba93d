"""The systemd units under deploy/systemd: what they run, as whom, and how tightly confined.

systemd is not running here, so the units are read as INI files; `systemd-analyze verify`, when
present, additionally checks every key and value the way systemd would load them.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
SERVE = "firehouse.service"
WORKER = "firehouse-worker@.service"
MIGRATE = "firehouse-migrate.service"
FIREHOUSE = "/opt/firehouse/bin/firehouse"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "ReadWritePaths": "/var/lib/firehouse",
    "CapabilityBoundingSet": "",
}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign] # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text(encoding="utf-8"), source=name)
    return parser


def command(name: str, key: str = "ExecStart") -> list[str]:
    return shlex.split(unit(name)["Service"][key])


def test_serve_runs_the_server_on_loopback_for_a_reverse_proxy() -> None:
    assert command(SERVE) == [FIREHOUSE, "serve", "--host", "127.0.0.1", "--port", "8000"]


def test_the_worker_runs_firehouse_worker() -> None:
    assert command(WORKER) == [FIREHOUSE, "worker"]


def test_the_migration_upgrades_the_database_then_applies_the_config() -> None:
    assert unit(MIGRATE)["Service"]["Type"] == "oneshot"
    assert command(MIGRATE, "ExecStartPre") == [FIREHOUSE, "db", "upgrade"]
    assert command(MIGRATE, "ExecStart") == [FIREHOUSE, "config", "apply"]


def test_the_migration_runs_again_on_every_start_of_serve_or_a_worker() -> None:
    # Without RemainAfterExit the finished oneshot is inactive, so the next start that
    # requires it (a restart after an upgrade) runs it again.
    assert unit(MIGRATE)["Service"].get("RemainAfterExit", "no") == "no"
    assert not unit(MIGRATE).has_section("Install"), "it runs only as a requirement"


@pytest.mark.parametrize("name", [SERVE, WORKER])
def test_serve_and_workers_start_only_after_a_successful_migration(name: str) -> None:
    section = unit(name)["Unit"]
    assert MIGRATE in section["Requires"].split()
    assert MIGRATE in section["After"].split()


@pytest.mark.parametrize("name", [SERVE, WORKER, MIGRATE])
def test_every_unit_runs_as_the_firehouse_user_with_the_shared_environment_file(
    name: str,
) -> None:
    service = unit(name)["Service"]
    assert service["User"] == "firehouse"
    assert service["Group"] == "firehouse"
    assert service["EnvironmentFile"] == "/etc/firehouse/firehouse.env"


@pytest.mark.parametrize("name", [SERVE, WORKER, MIGRATE])
def test_every_unit_is_confined_to_its_state_directory(name: str) -> None:
    service = unit(name)["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING


@pytest.mark.parametrize("name", [SERVE, WORKER])
def test_long_running_units_stop_gracefully_and_restart_on_failure(name: str) -> None:
    service = unit(name)["Service"]
    assert service["KillSignal"] == "SIGTERM"
    # serve gives requests in flight 10 s after SIGTERM; systemd must wait longer.
    assert int(service["TimeoutStopSec"]) > 10
    assert service["Restart"] == "on-failure"
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_worker_instance_name_only_labels_the_process() -> None:
    worker = unit(WORKER)
    assert "%i" in worker["Unit"]["Description"]
    assert worker["Service"]["SyslogIdentifier"] == "firehouse-worker-%i"
    # Every instance runs the same command on the same files: %i reaches nothing else.
    uses = [
        f"{section}.{key}"
        for section in worker.sections()
        for key, value in worker[section].items()
        if "%i" in value
    ]
    assert sorted(uses) == ["Service.SyslogIdentifier", "Unit.Description"]


def test_the_example_environment_names_only_known_settings_and_no_real_secret() -> None:
    lines = (UNITS / "firehouse.env").read_text(encoding="utf-8").splitlines()
    assignments = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert all(name.startswith("FIREHOUSE_") for name in assignments)
    assert assignments["FIREHOUSE_CONFIG"] == "/etc/firehouse/firehouse.yaml"
    assert assignments["FIREHOUSE_DATABASE_URL"].startswith("sqlite:////var/lib/firehouse/")
    secrets = {"FIREHOUSE_SECRET_KEY", "FIREHOUSE_SLACK_BOT_TOKEN", "FIREHOUSE_SMTP_PASSWORD"}
    assert secrets.isdisjoint(assignments), "secrets stay commented out in the example"


def test_systemd_accepts_every_key_and_value() -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    completed = subprocess.run(  # noqa: S603 -- a fixed binary on files of this repository
        [analyze, "verify", *(str(UNITS / name) for name in (SERVE, WORKER, MIGRATE))],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # /opt/firehouse is not installed on this machine; any other complaint is a defect.
    complaints = [
        line
        for line in completed.stderr.splitlines()
        if line and f"Command {FIREHOUSE} is not executable" not in line
    ]
    assert complaints == []
