"""What the admin commands share: the database the settings name, opened and closed per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from firehouse.db import Database
from firehouse.migrate import migration_status
from firehouse.settings import Settings, get_settings


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Database]:
    settings = settings or get_settings()
    db = Database(settings.database_url, settings.database_pool_size)
    try:
        yield db
    finally:
        db.dispose()


def warn_unless_migrated(db: Database) -> None:
    """Start anyway (the operator may be upgrading right now), but say so plainly."""
    state = migration_status(db.engine)
    if not state.ready:
        typer.echo(f"warning: database {state.describe()}", err=True)
