"""Real databases for tests: a migrated SQLite file per test, and one PostgreSQL database per
test run (created from FIREHOUSE_TEST_POSTGRES_URL and dropped afterwards), emptied per test."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from firehouse.migrate import upgrade
from firehouse.models import metadata

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url_or_skip() -> str:
    """The server URL to create test databases on; under CI an absent server is a failure."""
    url = os.environ.get("FIREHOUSE_TEST_POSTGRES_URL")
    if url is None and not _answers("127.0.0.1", 5432):
        pytest.skip("PostgreSQL leg skipped: no FIREHOUSE_TEST_POSTGRES_URL and nothing on :5432")
    url = url or DEFAULT_POSTGRES_URL
    if not _answers_url(url):
        message = f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} unreachable"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI requires it)")
        pytest.skip(message)
    return url


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _answers_url(url: str) -> bool:
    parsed = make_url(url)
    return _answers(parsed.host or "127.0.0.1", parsed.port or 5432)


class PostgresDatabase:
    """A throwaway database on the shared server; dropped at the end, leaving no trace."""

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.name = f"firehouse_test_{uuid.uuid4().hex[:12]}"
        self.url = self.server.set(database=self.name).render_as_string(hide_password=False)
        self._admin = create_engine(self.server, isolation_level="AUTOCOMMIT")

    def create(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))

    def drop(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database (no schema) for one test, dropped afterwards; skipped
    like every PostgreSQL test when there is no server outside CI."""
    database = PostgresDatabase(postgres_url_or_skip())
    database.create()
    try:
        yield database.url
    finally:
        database.drop()


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(
            text("INSERT INTO incident_counters (name, value) VALUES ('incidents', 0)")
        )
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run; each test gets a copy, which is much faster than migrating."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    server_url = postgres_url_or_skip()
    database = PostgresDatabase(server_url)
    database.create()
    try:
        upgrade(database.url)
        yield database.url
    finally:
        database.drop()


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "firehouse.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
