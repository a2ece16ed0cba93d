"""`firehouse db backup`: a consistent copy of a SQLite database while the server keeps running.

SQLite's online backup API copies the pages under one read transaction, so the backup is the
database as of one instant. In WAL mode that read transaction does not block writers: the
server keeps serving while the backup is taken. The copy goes to a temporary file beside the
target and is renamed into place only once it is complete and checked, so a crash or a full
disk never leaves a half-written backup under the name the operator asked for.

PostgreSQL has its own tool for this, pg_dump; the error says exactly how to call it.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from firehouse.errors import InvalidInput

BUSY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    revision: str | None


def pg_dump_command(url: str | URL, target: Path) -> str:
    """The pg_dump call that backs up `url`; the password stays out (PGPASSWORD or ~/.pgpass)."""
    parsed = make_url(url)
    conninfo = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return shlex.join(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--file",
            str(target),
            conninfo.render_as_string(hide_password=False),
        ]
    )


def backup(url: str, target: Path, *, force: bool = False) -> Backup:
    """Back the database `url` names up to `target`; refuses to replace a file unless forced."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise InvalidInput(
            "db backup copies SQLite databases; back PostgreSQL up with pg_dump: "
            + pg_dump_command(parsed, target)
        )
    source = _source_file(parsed)
    if target.exists() and not force:
        raise InvalidInput(f"{target} exists; pass --force to replace it", field="FILE")
    if not target.parent.is_dir():
        raise InvalidInput(f"directory {target.parent} does not exist", field="FILE")
    written = _write_atomically(source, target)
    return Backup(path=target, size=target.stat().st_size, revision=written)


def _source_file(parsed: URL) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise InvalidInput("an in-memory database has nothing to back up")
    source = Path(parsed.database)
    if not source.is_file():
        raise InvalidInput(f"database file {source} does not exist")
    return source


def _write_atomically(source: Path, target: Path) -> str | None:
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        revision = _copy(source, temporary)
        with temporary.open("rb") as written:
            os.fsync(written.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return revision


def _copy(source: Path, temporary: Path) -> str | None:
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as origin,
        closing(sqlite3.connect(temporary)) as copy,
    ):
        origin.backup(copy)  # every page in one step: one read transaction, one instant
        # A backup is one self-contained file: no -wal or -shm beside it to forget.
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise InvalidInput(f"the backup failed its integrity check: {problems[0]}")
        return _revision(copy)


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # never migrated: no alembic_version table
        return None
    return None if row is None else str(row[0])
