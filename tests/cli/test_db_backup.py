"""`firehouse db backup FILE`: a consistent SQLite copy taken while the server keeps writing;
PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.migrate import known_revisions
from tests.cli.support import firehouse, ok
from tests.factories import declare


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(query).fetchall()


def database_file(db: Database) -> Path:
    return Path(str(make_url(db.url).database))


def test_backup_taken_during_an_open_write_transaction_holds_only_committed_rows(
    seeded_db: Database, tmp_path: Path
) -> None:
    declare(seeded_db, FakeClock().now(), message="Committed before the backup")
    with closing(sqlite3.connect(database_file(seeded_db), isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE incidents SET message = 'Not committed yet'")
        ok("db", "backup", str(tmp_path / "backup.db"))
        writer.execute("COMMIT")
    assert rows(tmp_path / "backup.db", "SELECT message FROM incidents") == [
        ("Committed before the backup",)
    ]


def test_backup_is_a_sound_database_at_the_newest_migration(
    seeded_db: Database, tmp_path: Path
) -> None:
    ok("db", "backup", str(tmp_path / "backup.db"))
    assert rows(tmp_path / "backup.db", "PRAGMA integrity_check") == [("ok",)]
    version = rows(tmp_path / "backup.db", "SELECT version_num FROM alembic_version")
    assert version == [(known_revisions()[-1],)]


def test_backup_while_incidents_are_declared_gets_a_whole_number_of_them(
    seeded_db: Database, tmp_path: Path
) -> None:
    clock = FakeClock()
    stop = threading.Event()

    def keep_declaring() -> None:
        while not stop.is_set():
            declare(seeded_db, clock.now())

    worker = threading.Thread(target=keep_declaring)
    worker.start()
    try:
        declare(seeded_db, clock.now())
        ok("db", "backup", str(tmp_path / "backup.db"))
    finally:
        stop.set()
        worker.join()
    (incidents,) = rows(tmp_path / "backup.db", "SELECT count(*) FROM incidents")[0]
    (declared,) = rows(tmp_path / "backup.db", "SELECT count(*) FROM timeline_entries")[0]
    (counter,) = rows(tmp_path / "backup.db", "SELECT value FROM incident_counters")[0]
    assert incidents >= 1
    assert counter == incidents  # every declare in the backup is whole, none half-written
    assert declared >= incidents


def test_backup_says_what_it_wrote(seeded_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    output = ok("db", "backup", str(target))
    size = target.stat().st_size
    head = known_revisions()[-1]
    assert output == f"backup written to {target}: {size} bytes, migration {head}\n"


def test_backup_leaves_no_temporary_file_beside_it(seeded_db: Database, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    ok("db", "backup", str(backups / "backup.db"))
    assert [path.name for path in backups.iterdir()] == ["backup.db"]


def test_backup_refuses_to_replace_an_existing_file(seeded_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("yesterday's backup")
    result = firehouse("db", "backup", str(target))
    assert result.exit_code == 1
    assert result.stderr == f"error: FILE: {target} exists; pass --force to replace it\n"
    assert target.read_text() == "yesterday's backup"


def test_backup_with_force_replaces_an_existing_file(seeded_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("yesterday's backup")
    ok("db", "backup", "--force", str(target))
    assert rows(target, "SELECT id FROM services ORDER BY id") == [
        ("cms",),
        ("legacy",),
        ("website",),
    ]


def test_backup_of_postgresql_shows_the_pg_dump_command_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://firehouse:hunter2@db.internal:5432/firehouse"
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", url)
    result = firehouse("db", "backup", str(tmp_path / "firehouse.dump"))
    assert result.exit_code == 1
    command = (
        f"pg_dump --format=custom --no-owner --file {tmp_path / 'firehouse.dump'} "
        "postgresql://firehouse@db.internal:5432/firehouse"
    )
    assert result.stderr.endswith(command + "\n")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "firehouse.dump").exists()
