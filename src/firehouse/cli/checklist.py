"""firehouse checklist: an incident's checklist, ticked or set aside by hand."""

from __future__ import annotations

import typer

commands = typer.Typer()
