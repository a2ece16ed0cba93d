"""`firehouse config check` and `config apply` on firehouse.yaml files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from firehouse.catalog.model import Service
from firehouse.db import Database
from tests.cli.support import firehouse

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "firehouse.yaml"

SMALL = """\
organisation: {name: Example Arts}
people:
  - {id: alice, name: Alice Ng}
teams:
  - {id: platform, name: Platform, members: [alice]}
services:
  - {id: website, name: Website, team: platform}
"""

BROKEN = """\
organisation: {name: Example Arts}
people:
  - {id: alice, name: Alice Ng}
services:
  - {id: website, name: Website, team: payments}
  - {id: cms, name: CMS, point_people: [zed]}
"""


def write(tmp_path: Path, text: str, name: str = "firehouse.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_says_ok_for_the_shipped_example() -> None:
    result = firehouse("config", "check", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{EXAMPLE}: ok\n"


def test_check_prints_every_problem_prefixed_by_the_file_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)
    result = firehouse("config", "check", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}: services[0].team: unknown team 'payments'",
        f"{path}: services[1].point_people[0]: unknown person 'zed'",
    ]


def test_check_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    result = firehouse("config", "check", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1
    assert "cannot read" in result.stdout


def test_check_reads_the_file_named_by_firehouse_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, SMALL)
    monkeypatch.setenv("FIREHOUSE_CONFIG", str(path))
    result = firehouse("config", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok\n"


def test_check_without_a_file_or_firehouse_config_is_an_error() -> None:
    result = firehouse("config", "check")
    assert result.exit_code == 1
    assert result.stderr == "error: give the config FILE, or set FIREHOUSE_CONFIG\n"


def test_apply_prints_each_change(db: Database, tmp_path: Path) -> None:
    result = firehouse("config", "apply", str(write(tmp_path, SMALL)))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:4] == [
        "created organisation Example Arts",
        "created person alice",
        "created team platform",
        "created service website",
    ]
    assert "created priority P1" in result.stdout.splitlines()
    with db.read() as session:
        assert session.scalars(select(Service.id)).all() == ["website"]


def test_apply_twice_reports_no_changes(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    firehouse("config", "apply", str(path))
    result = firehouse("config", "apply", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "no changes\n"


def test_apply_reports_what_an_edit_changed(db: Database, tmp_path: Path) -> None:
    firehouse("config", "apply", str(write(tmp_path, SMALL)))
    edited = SMALL.replace(
        "team: platform}", "team: platform, playbook_url: 'https://wiki.example.com/web'}"
    )
    result = firehouse("config", "apply", str(write(tmp_path, edited)))
    assert result.exit_code == 0, result.output
    assert result.stdout == "updated service website: playbook_url\n"


def test_apply_of_a_file_with_problems_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)
    result = firehouse("config", "apply", str(path))
    assert result.exit_code == 1
    assert f"{path}: services[0].team: unknown team 'payments'" in result.stdout
    with db.read() as session:
        assert session.scalars(select(Service.id)).all() == []
