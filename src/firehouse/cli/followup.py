"""firehouse followup: follow-up tickets of an incident."""

from __future__ import annotations

import typer

commands = typer.Typer()
