"""firehouse postmortem: create, edit, review, publish and export postmortems."""

from __future__ import annotations

import typer

commands = typer.Typer()
