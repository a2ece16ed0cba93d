"""The `firehouse` command."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="firehouse: incident response from the command line.")


@app.callback()
def main() -> None:
    """Admin commands work on the database; responder commands talk to a server's API."""
