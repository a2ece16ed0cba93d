"""`firehouse db`: the schema of the database FIREHOUSE_DATABASE_URL names."""

from __future__ import annotations

import typer

from firehouse.cli.errors import CliError
from firehouse.cli.local import database
from firehouse.migrate import migration_status, upgrade
from firehouse.settings import get_settings

commands = typer.Typer(no_args_is_help=True, help="Database schema: migrate and inspect.")


@commands.command("upgrade")
def upgrade_command() -> None:
    """Apply every pending migration (safe to run again: it does nothing when current)."""
    upgrade(get_settings().database_url)
    status()


@commands.command()
def status() -> None:
    """Say whether the database is at the newest migration; exit 1 when it is not."""
    with database() as db:
        state = migration_status(db.engine)
    if not state.ready:
        raise CliError(f"database {state.describe()}")
    typer.echo(f"database {state.describe()}")
