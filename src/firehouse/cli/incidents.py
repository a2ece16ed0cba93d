"""Responder commands that declare and read incidents over the API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.checklist import summary_line
from firehouse.cli.client import ApiClient
from firehouse.cli.output import JsonFlag, moment, print_fields, print_json, print_table

commands = typer.Typer()

Number = Annotated[int, typer.Argument(min=1, help="The incident number.", show_default=False)]


@commands.command()
def declare(
    message: Annotated[str, typer.Argument(help="A short title: what is wrong.")],
    *,
    service: Annotated[str, typer.Option(help="The impacted service's id.")],
    priority: Annotated[str, typer.Option(help="P1 (critical) to P5 (informational).")],
    description: Annotated[str, typer.Option(help="What is known so far.")] = "",
    source_url: Annotated[
        str | None, typer.Option(help="Link to the report's thread.", show_default=False)
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag; repeat for more.")] = None,
    commander: Annotated[
        str | None, typer.Option(help="Person id of the incident commander.", show_default=False)
    ] = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private", help="Visible only to its participants and admins (a security incident)."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Declare an incident; prints its number and URL."""
    body: dict[str, Any] = {"service": service, "message": message, "priority": priority}
    body |= {"description": description, "tags": tag or []}
    if source_url is not None:
        body["source_url"] = source_url
    if commander is not None:
        body["commander"] = commander
    if private:
        body["private"] = True
    with api() as client:
        incident = client.post("/incidents", body)
    if as_json:
        print_json(incident)
        return
    typer.echo(f"declared incident #{incident['number']}: {summary(incident)}")
    typer.echo(incident["url"])


@commands.command("incidents")
def list_incidents(
    *,
    status: Annotated[str | None, typer.Option(help="open, resolved or closed.")] = None,
    priority: Annotated[str | None, typer.Option(help="Only this priority, e.g. P1.")] = None,
    service: Annotated[str | None, typer.Option(help="Only this service's id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many per page (the newest first).")] = 50,
    every_page: Annotated[
        bool, typer.Option("--all", help="Follow next_cursor and list every match.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List incidents, newest first."""
    filters = {"status": status, "priority": priority, "service": service, "limit": limit}
    with api() as client:
        page = _fetch(client, filters, every_page=every_page)
    if as_json:
        print_json(page)
        return
    if not page["items"]:
        typer.echo("no incidents match")
        return
    rows = [
        (
            f"#{i['number']}",
            i["priority"],
            i["status"],
            i["service"],
            i["commander"],
            moment(i["declared_at"]),
            i["message"],
        )
        for i in page["items"]
    ]
    print_table(
        ("NUMBER", "PRIORITY", "STATUS", "SERVICE", "COMMANDER", "DECLARED", "MESSAGE"), rows
    )
    if page["next_cursor"]:
        typer.echo("(more incidents: add --all, or raise --limit)")


def _fetch(client: ApiClient, filters: dict[str, Any], *, every_page: bool) -> dict[str, Any]:
    page: dict[str, Any] = client.get("/incidents", params=filters)
    items = list(page["items"])
    while every_page and page["next_cursor"]:
        page = client.get("/incidents", params={**filters, "cursor": page["next_cursor"]})
        items += page["items"]
    return {"items": items, "next_cursor": page["next_cursor"]}


@commands.command()
def show(number: Number, as_json: JsonFlag = False) -> None:
    """Show an incident: its fields, roles, links and timeline."""
    with api() as client:
        incident = client.get(f"/incidents/{number}")
        timeline = client.get(f"/incidents/{number}/timeline")
        checklist = client.get(f"/incidents/{number}/checklist")
    if as_json:
        print_json({**incident, "timeline": timeline, "checklist": checklist})
        return
    print_incident(incident)
    if checklist["total"]:
        typer.echo(summary_line(checklist))
    typer.echo("")
    typer.echo("Timeline")
    rows = [(moment(e["occurred_at"]), e["actor"], e["kind"], e["text"]) for e in timeline]
    print_table(("WHEN", "WHO", "KIND", "WHAT"), rows)


def print_incident(incident: dict[str, Any]) -> None:
    typer.echo(f"Incident #{incident['number']}: {incident['message']}")
    print_fields(
        [
            ("status", incident["status"]),
            ("priority", incident["priority"]),
            ("service", incident["service"]),
            ("commander", incident["commander"]),
            ("communications lead", incident["communications_lead"]),
            ("responders", incident["responders"]),
            ("reporter", incident["reporter"]),
            ("tags", incident["tags"]),
            ("training", "yes" if incident["training"] else None),
            ("private", "yes: participants and admins only" if incident.get("private") else None),
            ("source", incident["source_url"]),
            ("channel", _channel(incident.get("channel"))),
            ("declared", moment(incident["declared_at"])),
            ("acknowledged", moment(incident["acknowledged_at"])),
            ("resolved", moment(incident["resolved_at"])),
            ("closed", moment(incident["closed_at"])),
            ("resolution", incident["resolution_note"]),
            ("close reason", incident["close_reason"]),
            ("description", incident["description"]),
            ("url", incident["url"]),
        ]
    )
    for link in incident["links"]:
        typer.echo(f"link: {link['kind']} {link['url']} {link['title']}".rstrip())


def _channel(channel: dict[str, Any] | None) -> str | None:
    return f"#{channel['name']} {channel['url']}" if channel else None


def summary(incident: dict[str, Any]) -> str:
    """`P2 open, website: Checkout fails` — what a change's reply needs to confirm."""
    return (
        f"{incident['priority']} {incident['status']}, {incident['service']}: {incident['message']}"
    )
