"""The migrations are the schema: applying them must give exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from firehouse.migrate import migration_status
from firehouse.models import metadata


def test_migrations_produce_exactly_the_models_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_a_migrated_database_reports_ready(database_url: str) -> None:
    engine = create_engine(database_url)
    status = migration_status(engine)
    engine.dispose()
    assert status.ready, status.describe()
