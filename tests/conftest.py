"""Fixtures every suite shares: databases on both engines, a fake clock, a seeded catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from tests.databases import empty_postgres, postgres_database, sqlite_copy, sqlite_template
from tests.factories import seed_catalog
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.service.outbox_support import SECRET

__all__ = ["postgres_database", "sqlite_template"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
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
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A local webhook receiver that checks signatures with the shared test secret."""
    with WebhookReceiver(secret=SECRET) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0, follow_redirects=False) as client:
        yield client
