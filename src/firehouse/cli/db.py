"""`firehouse db`: the schema of the database FIREHOUSE_DATABASE_URL names; backups and copies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from firehouse.cli.errors import CliError
from firehouse.cli.local import database
from firehouse.dbtools.backup import backup
from firehouse.dbtools.copy import CopyReport, copy_database, safe
from firehouse.migrate import migration_status, upgrade
from firehouse.settings import get_settings

commands = typer.Typer(
    no_args_is_help=True, help="Database schema: migrate, inspect, back up, copy."
)

COPY_HELP = (
    "Copy every row of this database into another, empty one (e.g. SQLite to PostgreSQL)."
    "\n\n"
    "Stop the servers and workers first (or copy from a fresh `db backup`): rows written "
    "during the copy would be left behind. The target is migrated first and must hold no "
    "data; the copy lands in one transaction, so a failure leaves the target as it was."
)


@commands.command("upgrade")
def upgrade_command() -> None:
    """Apply every pending migration (safe to run again: it does nothing when current)."""
    with database() as db:
        newer = migration_status(db.engine).newer
    if not newer:  # a later release's schema: nothing this release could apply
        upgrade(get_settings().database_url)
    status()


@commands.command()
def status() -> None:
    """Say whether the database suits this release; exit 1 when migrations are pending."""
    with database() as db:
        state = migration_status(db.engine)
    if not state.ready:
        raise CliError(f"database {state.describe()}")
    typer.echo(f"database {state.describe()}")


BACKUP_HELP = (
    "Write a consistent copy of the SQLite database to FILE while the server keeps running."
    "\n\n"
    "Restore: stop firehouse, copy FILE over the database file (removing any -wal and -shm "
    "files beside it), start again. PostgreSQL: use pg_dump, as the error shows."
)


@commands.command("backup", help=BACKUP_HELP)
def backup_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the backup.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    written = backup(get_settings().database_url, file, force=force)
    revision = written.revision or "none (never migrated)"
    typer.echo(f"backup written to {written.path}: {written.size} bytes, migration {revision}")


@commands.command("copy", help=COPY_HELP)
def copy_command(
    to: Annotated[
        str,
        typer.Option(
            "--to", help="The target database URL, e.g. postgresql+psycopg://USER@HOST/DB."
        ),
    ],
) -> None:
    source = get_settings().database_url
    report = copy_database(source, to)
    _print_report(report, source, to)


def _print_report(report: CopyReport, source: str, target: str) -> None:
    width = max(len(table.name) for table in report.tables)
    for table in report.tables:
        typer.echo(f"{table.name:<{width}}  {table.rows:>9}")
    typer.echo(f"{'total':<{width}}  {report.total:>9}")
    typer.echo(f"copied {report.total} rows from {safe(source)} to {safe(target)}")
