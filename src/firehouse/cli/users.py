"""Placeholder: `firehouse user` commands are being written."""

from __future__ import annotations

import typer

commands = typer.Typer(no_args_is_help=True, help="Web accounts: create, list, disable.")
