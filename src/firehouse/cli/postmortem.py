"""firehouse postmortem: create, edit, review, publish and export postmortems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import click
import typer

from firehouse.cli.api_session import api
from firehouse.cli.errors import CliError
from firehouse.cli.output import JsonFlag, moment, print_fields, print_json
from firehouse.guidance.postmortem import html_page

commands = typer.Typer()
group = typer.Typer(help="Postmortems: show, start, edit, review, publish, export.")
commands.add_typer(group, name="postmortem")

Number = Annotated[int, typer.Argument(min=1, help="The incident number.", show_default=False)]


def _path(number: int) -> str:
    return f"/incidents/{number}/postmortem"


def _print(postmortem: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(postmortem)
        return
    print_fields(
        [
            ("incident", f"#{postmortem['incident']} {postmortem['incident_message']}"),
            ("state", postmortem["state"].replace("_", " ")),
            ("owner", postmortem["owner"] or "nobody"),
            ("due", moment(postmortem["due_at"]) or "no due date"),
            ("overdue", "yes" if postmortem["overdue"] else "no"),
            ("version", postmortem["version"]),
        ]
    )


@group.command("show")
def show(number: Number, as_json: JsonFlag = False) -> None:
    """Show a postmortem's state, owner and due date (export prints the document)."""
    with api() as client:
        _print(client.get(_path(number)), as_json=as_json)


@group.command("create")
def create(number: Number, as_json: JsonFlag = False) -> None:
    """Start the postmortem of any incident (an existing one is shown, not doubled)."""
    with api() as client:
        _print(client.post(_path(number)), as_json=as_json)


@group.command("edit")
def edit(
    number: Number,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="Take the document from this Markdown file instead of opening $EDITOR.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Edit the document in $EDITOR (or from --file); refused if someone saved meanwhile."""
    with api() as client:
        current = client.get(_path(number))
        if file is not None:
            document = file.read_text(encoding="utf-8")
        else:
            edited = click.edit(current["document"], extension=".md")
            if edited is None or edited == current["document"]:
                typer.echo("no change")
                return
            document = edited
        body = {"document": document, "version": current["version"]}
        _print(client.request("PUT", _path(number), body=body), as_json=as_json)


@group.command("state")
def state(
    number: Number,
    new_state: Annotated[
        str, typer.Argument(metavar="STATE", help="draft, in_review or published.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Move a postmortem: draft → in_review → published (or back to draft from review)."""
    with api() as client:
        _print(client.post(_path(number) + "/state", {"state": new_state}), as_json=as_json)


@group.command("export")
def export(
    number: Number,
    fmt: Annotated[str, typer.Option("--format", help="md or html.")] = "md",
) -> None:
    """Print the document as Markdown, or as a standalone HTML page."""
    if fmt not in ("md", "html"):
        raise CliError("--format: must be md or html")
    with api() as client:
        document = client.get(_path(number))["document"]
    if fmt == "md":
        typer.echo(document, nl=False)
    else:
        typer.echo(html_page(document, f"Postmortem: incident {number}"), nl=False)
