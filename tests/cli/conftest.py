"""CLI fixtures: a migrated SQLite file named by FIREHOUSE_DATABASE_URL for the admin commands,
and a live server with a seeded catalogue and a responder token for the responder commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.settings import Settings, get_settings
from tests.databases import sqlite_copy
from tests.factories import seed_catalog
from tests.live import serving

CLIENT_VARIABLES = ("FIREHOUSE_URL", "FIREHOUSE_TOKEN", "FIREHOUSE_CONFIG")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing from the developer's shell leaks into a test, and settings are re-read."""
    for name in CLIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite copy, and FIREHOUSE_DATABASE_URL naming it (SQLite only: the CLI is
    a thin surface; the services under it are tested on both databases)."""
    url = sqlite_copy(sqlite_template, tmp_path)
    monkeypatch.setenv("FIREHOUSE_DATABASE_URL", url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def seeded_db(db: Database) -> Database:
    with db.write() as session:
        seed_catalog(session)
    return db


@pytest.fixture
def server(seeded_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real server; FIREHOUSE_URL and FIREHOUSE_TOKEN (a responder acting as alice) set."""
    with seeded_db.write() as session:
        _row, token = create_token(
            session, name="cli", role="responder", person="alice", now=SystemClock().now()
        )
    settings = Settings(database_url=seeded_db.url, base_url="https://firehouse.example.com")
    web_app = create_app(settings, database=seeded_db, run_dispatcher=False)
    with serving(web_app) as url:
        monkeypatch.setenv("FIREHOUSE_URL", url)
        monkeypatch.setenv("FIREHOUSE_TOKEN", token)
        yield url
