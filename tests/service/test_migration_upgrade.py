"""A database created by the first release, holding that release's data, upgrades to today's
schema on both engines, and today's code works with what it held."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, insert, update

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service
from firehouse.incidents.queries import IncidentFilter, list_incidents, timeline
from firehouse.migrate import downgrade, known_revisions, upgrade
from firehouse.models import metadata
from tests.databases import scratch_postgres

DECLARED = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'firehouse.db'}"
        return
    with scratch_postgres() as url:
        yield url


def fill_first_release(url: str) -> None:
    """Rows as release 0001 wrote them, through the tables as 0001 defined them (reflected,
    not today's models, which have columns 0001 did not)."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    t = tables.tables
    with engine.begin() as connection:
        connection.execute(
            insert(t["teams"]),
            {
                "id": "platform",
                "name": "Platform",
                "members": ["ana"],
                "default_responders": [],
                "active": True,
            },
        )
        connection.execute(insert(t["people"]), {"id": "ana", "name": "Ana", "active": True})
        connection.execute(insert(t["services"]), _service())
        # Ids from the database, as release 0001 got them, so its sequences are where they were.
        (incident_id,) = connection.execute(
            insert(t["incidents"]), _incident()
        ).inserted_primary_key
        connection.execute(insert(t["timeline_entries"]), _entry(incident_id))
        connection.execute(update(t["incident_counters"]).values(value=1))
    engine.dispose()


def _service() -> dict[str, object]:
    return {
        "id": "website",
        "name": "Website",
        "description": "",
        "team_id": "platform",
        "point_people": ["ana"],
        "components": [],
        "active": True,
    }


def _incident() -> dict[str, object]:
    return {
        "number": 1,
        "message": "Checkout fails",
        "description": "",
        "service_id": "website",
        "priority": "P2",
        "status": "open",
        "tags": ["checkout"],
        "training": False,
        "created_at": DECLARED,
        "updated_at": DECLARED,
        "detected_at": DECLARED,
        "version": 1,
    }


def _entry(incident_id: int) -> dict[str, object]:
    return {
        "incident_id": incident_id,
        "kind": "declared",
        "text": "Declared",
        "actor": "ana",
        "occurred_at": DECLARED,
        "recorded_at": DECLARED,
        "data": {},
    }


@pytest.fixture
def upgraded(empty_url: str) -> Iterator[Database]:
    upgrade(empty_url, "0001")
    fill_first_release(empty_url)
    upgrade(empty_url, "head")
    database = Database(empty_url)
    yield database
    database.dispose()


def test_an_incident_from_the_first_release_is_listed_after_the_upgrade(
    upgraded: Database,
) -> None:
    with upgraded.read() as session:
        page, _more = list_incidents(session, IncidentFilter())
    assert [(i.number, i.message, i.tags, i.created_at) for i in page] == [
        (1, "Checkout fails", ["checkout"], DECLARED)
    ]


def test_an_incident_from_the_first_release_can_be_resolved_after_the_upgrade(
    upgraded: Database,
) -> None:
    now = FakeClock().now()
    with upgraded.write() as session:
        service.resolve(session, 1, "Rolled back", actor="ana", now=now)
    with upgraded.read() as session:
        entries = timeline(session, 1)
    assert [entry.kind for entry in entries] == ["declared", "resolved"]


def test_the_next_incident_after_the_upgrade_gets_the_next_number(upgraded: Database) -> None:
    declaration = service.Declaration(service="website", message="Slow pages", priority="P3")
    with upgraded.write() as session:
        incident = service.declare(session, declaration, actor="ana", now=FakeClock().now())
    assert incident.number == 2


def test_every_migration_applies_on_its_own_one_after_another(empty_url: str) -> None:
    for revision in known_revisions():
        upgrade(empty_url, revision)
        assert current_revision(empty_url) == revision


def test_downgrading_to_nothing_and_upgrading_again_gives_todays_schema(empty_url: str) -> None:
    upgrade(empty_url, "head")
    downgrade(empty_url, "base")
    assert current_revision(empty_url) is None
    upgrade(empty_url, "head")
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision
