"""Fixtures every suite shares: databases on both engines, a fake clock, a seeded catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher, Type

from firehouse.auth import passwords
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


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost takes about 0.2 s a hash here, and the sign-in tests
    hash hundreds of times; they test the flow, not the cost, so they hash cheaply. Tests
    marked `real_password_cost` keep the production hasher (tests/unit/test_passwords.py)."""
    if request.node.get_closest_marker("real_password_cost") is None:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
        monkeypatch.setattr(passwords, "_HASHER", cheap)
        passwords.dummy_hash.cache_clear()


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
