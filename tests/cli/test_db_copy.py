"""`firehouse db copy --to URL`: every row of every table moved into an empty database, ids and
all, on SQLite and PostgreSQL; refused when the copy could lose or mix data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, create_engine, func, select
from sqlalchemy.engine import make_url

from firehouse.clock import FakeClock, as_utc
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.migrate import upgrade
from firehouse.models import metadata
from tests.cli.db_fill import fill
from tests.cli.support import firehouse, ok
from tests.databases import scratch_postgres
from tests.factories import declare, seed_catalog

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture(scope="module")
def filled(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Filled once per module (it takes seconds); each test copies the file."""
    path = tmp_path_factory.mktemp("filled") / "filled.db"
    shutil.copyfile(sqlite_template, path)
    fill(f"sqlite:///{path}", FakeClock())
    return path


@pytest.fixture
def source(filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "source.db"
    shutil.copyfile(filled, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", url)
    return url


@pytest.fixture
def postgres() -> Iterator[str]:
    with scratch_postgres() as url:
        yield url


def every_row(url: str) -> Rows:
    """Each table's rows in primary-key order, datetimes in UTC, JSON parsed; for nullable
    JSON columns also whether the value is SQL NULL (JSON null reads back as None too)."""
    engine = create_engine(url)
    rows: Rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            nulls = [c.is_(None) for c in table.columns if isinstance(c.type, JSON) and c.nullable]
            query = select(*table.columns, *nulls).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(map(_normal, row)) for row in connection.execute(query)]
    engine.dispose()
    return rows


def _normal(value: Any) -> Any:
    return as_utc(value) if isinstance(value, datetime) else value


def assert_same_rows(copied: Rows, original: Rows) -> None:
    for name, rows in original.items():
        assert copied[name] == rows, f"table {name} differs after the copy"


def test_copy_to_postgresql_carries_every_row_of_every_table(source: str, postgres: str) -> None:
    ok("db", "copy", "--to", postgres)
    original = every_row(source)
    empty = sorted(name for name, rows in original.items() if not rows)
    assert len(empty) <= len(original) // 4, f"the fill left too many tables empty: {empty}"
    assert_same_rows(every_row(postgres), original)


def test_copy_back_from_postgresql_to_sqlite_gives_the_same_rows(
    source: str, postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("db", "copy", "--to", postgres)
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", postgres)
    back = f"sqlite:///{tmp_path / 'back.db'}"
    ok("db", "copy", "--to", back)
    assert_same_rows(every_row(back), every_row(source))


def test_copy_between_sqlite_files_gives_the_same_rows(source: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    ok("db", "copy", "--to", target)
    assert_same_rows(every_row(target), every_row(source))


def test_after_a_copy_to_postgresql_new_rows_get_the_next_number_and_fresh_ids(
    source: str, postgres: str
) -> None:
    ok("db", "copy", "--to", postgres)
    database = Database(postgres)
    with database.read() as session:
        last_number = session.scalar(select(func.max(Incident.number)))
        last_entry = session.scalar(select(func.max(TimelineEntry.id)))
    incident = declare(database, FakeClock().now(), message="After the move")
    with database.read() as session:
        newest = session.scalar(select(func.max(TimelineEntry.id)))
    database.dispose()
    assert last_number is not None
    assert last_entry is not None
    assert incident.number == last_number + 1
    assert newest is not None
    assert newest > last_entry


def test_copy_prints_each_table_and_the_total_without_the_password(
    source: str, postgres: str
) -> None:
    with_password = make_url(postgres).set(password="hunter2").render_as_string(False)
    output = ok("db", "copy", "--to", with_password)
    assert "\nincidents " in output
    total = sum(len(rows) for rows in every_row(source).values())
    assert f"copied {total} rows from " in output
    assert "hunter2" not in output


def test_copy_refuses_a_target_that_holds_data(source: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    ok("db", "copy", "--to", target)
    error = firehouse("db", "copy", "--to", target)
    assert error.exit_code == 1
    assert error.stderr.startswith("error: target database is not empty: table ")
    assert error.stderr.endswith(" rows; copy needs an empty database\n")


def test_a_refused_copy_leaves_the_target_untouched(source: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    upgrade(target)
    in_use = Database(target)
    with in_use.write() as session:
        seed_catalog(session)
    in_use.dispose()
    before = every_row(target)
    assert firehouse("db", "copy", "--to", target).exit_code == 1
    assert every_row(target) == before


def test_copy_refuses_a_source_that_is_not_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(source, "0001")
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", source)
    result = firehouse("db", "copy", "--to", f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == 1
    assert "run `firehouse db upgrade` on it first" in result.stderr
    assert not (tmp_path / "new.db").exists()


def test_copy_refuses_to_copy_a_database_onto_itself(source: str) -> None:
    path = Path(str(make_url(source).database))
    same = f"sqlite:///{path.parent}/./{path.name}"  # another spelling of the same file
    result = firehouse("db", "copy", "--to", same)
    assert result.exit_code == 1
    assert result.stderr == "error: --to: is the database being copied; name another database\n"


def test_copy_refuses_a_target_that_is_not_a_database_url(source: str) -> None:
    result = firehouse("db", "copy", "--to", "postgres-on-the-other-box")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --to: not a database URL")
    assert result.stderr.count("\n") == 1


def test_copy_refuses_a_target_a_later_release_migrated(source: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    upgrade(target)
    engine = create_engine(target)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '7f3a9c2e1b04'")
    engine.dispose()
    result = firehouse("db", "copy", "--to", target)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --to: the target database is at migration 7f3a9c2e1b04, from a later release; "
        "copy with that release\n"
    )
