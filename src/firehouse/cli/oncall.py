"""Placeholder: commands are being written."""

from __future__ import annotations

import typer

commands = typer.Typer()
