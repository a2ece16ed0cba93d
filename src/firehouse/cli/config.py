"""`firehouse config`: check firehouse.yaml, and make the database say what it says."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from firehouse.cli.errors import FAILURE, CliError
from firehouse.cli.local import database
from firehouse.clock import SystemClock
from firehouse.settings import get_settings

if TYPE_CHECKING:
    from firehouse.catalog.config import FirehouseConfig

commands = typer.Typer(no_args_is_help=True, help="Config as code: firehouse.yaml.")

ConfigFile = Annotated[
    Path | None,
    typer.Argument(
        help="Path of firehouse.yaml; FIREHOUSE_CONFIG when omitted.", show_default=False
    ),
]


def _chosen(file: Path | None) -> Path:
    if file is not None:
        return file
    configured = get_settings().config
    if not configured:
        raise CliError("give the config FILE, or set FIREHOUSE_CONFIG")
    return Path(configured)


def _checked(path: Path) -> FirehouseConfig:
    """The valid config, or every problem printed (one a line, naming the file) and exit 1."""
    from firehouse.catalog.config import check_file  # noqa: PLC0415 -- keeps startup light

    config, problems = check_file(path)
    if config is None or problems:
        for problem in problems:
            typer.echo(f"{path}: {problem}")
        raise typer.Exit(FAILURE)
    return config


@commands.command()
def check(file: ConfigFile = None) -> None:
    """Report every problem in the file with its path, e.g. `services[2].team: unknown team`."""
    path = _chosen(file)
    _checked(path)
    typer.echo(f"{path}: ok")


@commands.command()
def apply(file: ConfigFile = None) -> None:
    """Check the file, then apply it in one transaction and print what changed."""
    from firehouse.catalog.apply import apply_config  # noqa: PLC0415 -- keeps startup light

    path = _chosen(file)
    config = _checked(path)
    with database() as db, db.write() as session:
        changes = apply_config(session, config, source=str(path), now=SystemClock().now())
    for change in changes:
        typer.echo(str(change))
    if not changes:
        typer.echo("no changes")
