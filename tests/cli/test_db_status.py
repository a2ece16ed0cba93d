"""`firehouse db status` and `db upgrade` against a database a later release migrated."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from firehouse.migrate import known_revisions
from tests.cli.support import ok

LATER = "7f3a9c2e1b04"


@pytest.fixture
def newer(database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": LATER})
    engine.dispose()
    return database_url


def test_status_of_a_database_a_later_release_migrated_succeeds_and_says_so(newer: str) -> None:
    assert ok("db", "status") == (
        f"database ok at {known_revisions()[-1]}; the database is newer ({LATER}), "
        "written by a later release\n"
    )


def test_upgrade_leaves_a_database_a_later_release_migrated_as_it_is(newer: str) -> None:
    ok("db", "upgrade")
    engine = create_engine(newer)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == LATER
