"""How commands print: aligned plain-text tables for people, the API's JSON for scripts.

Plain text rather than a rich table: it survives pipes, `grep` and narrow terminals, and a
test can read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any

import typer

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the API's JSON body instead of text.")
]
MAX_CELL = 60


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Columns padded to their widest cell. Long cells are cut, except in the last column,
    which holds the text people came for (a timeline entry, an error) and aligns nothing."""
    cells = [[cell_text(value) for value in row[:-1]] + [plain(row[-1])] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    for row in [list(headers), *cells]:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        typer.echo(line.rstrip())


def cell_text(value: object) -> str:
    text = plain(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def plain(value: object) -> str:
    """One line, whatever the value holds; `-` for nothing."""
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    return " ".join(str(value).split())


def moment(value: str | datetime | None) -> str | None:
    """`2026-01-01 12:00 UTC`: minutes are precise enough to read a timeline by."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.strftime("%Y-%m-%d %H:%M UTC")


def print_fields(pairs: Iterable[tuple[str, object]]) -> None:
    """`label: value` lines with the values aligned; empty values are left out."""
    shown = [(label, plain(value)) for label, value in pairs if value not in (None, "", [])]
    width = max((len(label) for label, _ in shown), default=0)
    for label, text in shown:
        typer.echo(f"{label + ':':<{width + 1}} {text}")
