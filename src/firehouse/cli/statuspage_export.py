"""`firehouse statuspage export DIR`: the public page as static files.

A status page should survive an outage of the stack it reports on. The export reads the
database FIREHOUSE_DATABASE_URL names (no server needed) and writes the same page, JSON and
feeds the server serves, with relative links, ready for any static host or CDN bucket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from firehouse.cli.local import database
from firehouse.clock import SystemClock
from firehouse.settings import get_settings

Directory = Annotated[
    Path,
    typer.Argument(
        help="Directory to write into (created when missing; files of the page are replaced).",
        file_okay=False,
        show_default=False,
    ),
]


def export(directory: Directory) -> None:
    """Write index.html, history/, api/v2/*.json, history.atom, history.rss and status.css."""
    from firehouse.statuspage.snapshot import export_files, load  # noqa: PLC0415 -- light startup

    settings = get_settings()
    with database(settings) as db, db.read() as session:
        data = load(session, now=SystemClock().now(), base_url=settings.base_url)
    written = export_files(data)
    for relative, body in sorted(written.items()):
        _replace(directory / relative, body)
    typer.echo(f"wrote {len(written)} files to {directory}")


def _replace(path: Path, body: bytes) -> None:
    """Write beside, then rename: a host serving the directory never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(body)
    partial.replace(path)
