"""firehouse report: incident figures for a period."""

from __future__ import annotations

import typer

commands = typer.Typer()
