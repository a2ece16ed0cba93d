"""firehouse drill: training drills (P5), optionally scripted by a scenario file."""

from __future__ import annotations

import typer

commands = typer.Typer()
