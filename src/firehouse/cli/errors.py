"""Every failure of every command ends the same way: one line on stderr and exit status 1.

The translation lives here, once, in the command group that runs every subcommand, so no
command catches errors itself and none can forget to.
"""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup

from firehouse.errors import DomainError

FAILURE = 1


class CliError(Exception):
    """A failure already worded for the person at the terminal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe(exc: Exception) -> str:
    """The one line a failure is reported as."""
    line = (_wording(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "no such table" in line or ("relation" in line and "does not exist" in line):
        line += " (is the database migrated? run `firehouse db upgrade`)"
    return line


def _wording(exc: Exception) -> str:
    if isinstance(exc, CliError):
        return exc.message
    if isinstance(exc, DomainError):
        return f"{exc.field}: {exc.message}" if exc.field else exc.message
    if isinstance(exc, ValidationError):
        return _settings_problem(exc)
    if isinstance(exc, SQLAlchemyError):
        return _database_problem(exc)
    return f"unexpected {type(exc).__name__}: {exc} (a bug in firehouse; please report it)"


def _settings_problem(exc: ValidationError) -> str:
    """Settings are the only pydantic models the CLI builds, so name the variable at fault."""
    first = exc.errors()[0]
    name = "FIREHOUSE_" + "_".join(str(part) for part in first["loc"]).upper()
    return f"setting {name}: {first['msg']}"


def _database_problem(exc: SQLAlchemyError) -> str:
    return f"database: {getattr(exc, 'orig', None) or exc}"


class ReportingGroup(TyperGroup):
    """The root command group: turns any exception a command raises into one line."""

    def invoke(self, ctx: Any) -> Any:  # Any: Typer's Context class is private (typer._click)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, BrokenPipeError):
            raise  # Typer's own endings: usage errors, Ctrl-C, exits, a reader that went away
        except Exception as exc:  # noqa: BLE001 -- the one place every failure is reported
            typer.echo(f"error: {describe(exc)}", err=True)
            raise typer.Exit(FAILURE) from None
