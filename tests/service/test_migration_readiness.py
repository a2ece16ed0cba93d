"""Readiness during a rolling upgrade: a database a later release has already migrated is
fine for this release (its migrations only expand); one this release must still migrate is
not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from firehouse.app import create_app
from firehouse.migrate import known_revisions, migration_status, upgrade
from firehouse.settings import Settings

HEAD = known_revisions()[-1]
LATER = "7f3a9c2e1b04"  # a revision id no release of this code has shipped


def stamped(url: str, revision: str) -> str:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()
    return url


def newer_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'firehouse.db'}"
    upgrade(url)
    return stamped(url, LATER)


def status_of(url: str) -> tuple[bool, str]:
    engine = create_engine(url)
    state = migration_status(engine)
    engine.dispose()
    return state.ready, state.describe()


def test_a_database_migrated_by_a_later_release_is_ready(tmp_path: Path) -> None:
    ready, description = status_of(newer_database(tmp_path))
    assert ready
    assert (
        description == f"ok at {HEAD}; the database is newer ({LATER}), written by a later release"
    )


def test_a_database_behind_this_release_is_not_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'firehouse.db'}"
    upgrade(url, known_revisions()[-2])
    ready, description = status_of(url)
    assert not ready
    assert description.startswith(f"migrations pending: at {known_revisions()[-2]}, head is {HEAD}")


def test_a_database_never_migrated_is_not_ready(tmp_path: Path) -> None:
    ready, description = status_of(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not ready
    assert description.startswith("migrations pending: at None")


def test_an_unreachable_database_is_not_ready() -> None:
    ready, description = status_of("postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert not ready
    assert description.startswith("unreachable: ")


def test_readyz_answers_200_while_a_later_release_has_migrated_the_database(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=newer_database(tmp_path), base_url="http://firehouse.test")
    app = create_app(settings, run_dispatcher=False)
    with TestClient(app) as client:
        response = client.get("/readyz")
    app.state.runtime.db.dispose()
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
