"""firehouse followup: follow-up tickets of an incident, over the API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from firehouse.cli.api_session import api
from firehouse.cli.output import JsonFlag, moment, print_json, print_table

commands = typer.Typer()
group = typer.Typer(help="Follow-up tickets of an incident: built-in, Jira or GitHub.")
commands.add_typer(group, name="followup")

Number = Annotated[int, typer.Argument(min=1, help="The incident number.", show_default=False)]
FollowUpId = Annotated[int, typer.Argument(min=1, help="The follow-up id.", show_default=False)]


@group.command("list")
def list_follow_ups(number: Number, as_json: JsonFlag = False) -> None:
    """The incident's follow-ups, with their ticket and status."""
    with api() as client:
        rows = client.get(f"/incidents/{number}/follow-ups")
    if as_json:
        print_json(rows)
        return
    print_table(
        ("ID", "STATUS", "TRACKER", "TICKET", "TITLE", "CREATED"),
        [
            (
                row["id"],
                row["status"],
                row["tracker"],
                row["external_key"] or ("pending" if row["tracker"] != "builtin" else ""),
                row["title"],
                moment(row["created_at"]),
            )
            for row in rows
        ],
    )


@group.command("add")
def add(
    number: Number,
    title: Annotated[str, typer.Argument(help="What must be done.")],
    *,
    tracker: Annotated[
        Literal["builtin", "jira", "github"] | None,
        typer.Option(help="Where the ticket lives (default: as configured).", show_default=False),
    ] = None,
    description: Annotated[str, typer.Option(help="More detail for the ticket.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Add a follow-up; a Jira or GitHub ticket is opened shortly after, by the worker."""
    body: dict[str, Any] = {"title": title, "description": description}
    if tracker is not None:
        body["tracker"] = tracker
    with api() as client:
        row = client.post(f"/incidents/{number}/follow-ups", body)
    if as_json:
        print_json(row)
        return
    where = "" if row["tracker"] == "builtin" else f" (the {row['tracker']} ticket follows)"
    typer.echo(f"follow-up {row['id']} added to incident #{number}{where}")


@group.command("done")
def done(follow_up_id: FollowUpId, as_json: JsonFlag = False) -> None:
    """Mark a built-in follow-up done (tickets in Jira or GitHub are closed there)."""
    with api() as client:
        row = client.post(f"/follow-ups/{follow_up_id}/done")
    if as_json:
        print_json(row)
        return
    typer.echo(f"follow-up {row['id']} is done: {row['title']}")


@group.command("reopen")
def reopen(follow_up_id: FollowUpId, as_json: JsonFlag = False) -> None:
    """Reopen a built-in follow-up."""
    with api() as client:
        row = client.post(f"/follow-ups/{follow_up_id}/reopen")
    if as_json:
        print_json(row)
        return
    typer.echo(f"follow-up {row['id']} is open again: {row['title']}")
