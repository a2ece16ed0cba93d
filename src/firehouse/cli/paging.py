"""`firehouse page`, `firehouse pages …` and `firehouse escalate`: responder commands over the
API to raise pages, follow them, acknowledge or cancel them, and call in point-people."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.client import ApiClient
from firehouse.cli.errors import CliError
from firehouse.cli.output import JsonFlag, moment, print_fields, print_json, print_table

commands = typer.Typer()
pages = typer.Typer(help="Pages: list, show, acknowledge, cancel.")
commands.add_typer(pages, name="pages")

PageId = Annotated[int, typer.Argument(min=1, help="The page's id.", show_default=False)]
IncidentOption = Annotated[
    int | None, typer.Option("--incident", min=1, help="The incident this page is about.")
]


@commands.command()
def page(
    who: Annotated[
        str, typer.Argument(metavar="PERSON|SERVICE", help="A person's or a service's id.")
    ],
    message: Annotated[str, typer.Argument(help="What the page says.")],
    incident: IncidentOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Page a person, or a service (its escalation policy, else its point-people)."""
    with api() as client:
        body: dict[str, Any] = {_kind_of(client, who): who, "message": message}
        if incident is not None:
            body["incident"] = incident
        created = client.post("/pages", body)
    _report(created, as_json=as_json)


def _kind_of(client: ApiClient, name: str) -> str:
    if any(person["id"] == name for person in client.get("/people")):
        return "person"
    if any(service["id"] == name for service in client.get("/services")):
        return "service"
    raise CliError(f"'{name}' is neither a person nor a service (see `firehouse services`)")


@commands.command()
def escalate(
    number: Annotated[int, typer.Argument(min=1, help="The incident number.")],
    message: Annotated[str | None, typer.Argument(help="What the page says.")] = None,
    service: Annotated[
        str | None, typer.Option(help="Page this service's point-people (default: the incident's).")
    ] = None,
    person: Annotated[str | None, typer.Option(help="Page this one person instead.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Page point-people for an incident; they are also invited to its channel."""
    if service and person:
        raise CliError("use --service or --person, not both")
    body = {"service": service, "person": person, "message": message}
    with api() as client:
        created = client.post(
            f"/incidents/{number}/escalate", {k: v for k, v in body.items() if v is not None}
        )
    _report(created, as_json=as_json)


@pages.callback(invoke_without_command=True)
def list_pages(
    ctx: typer.Context,
    *,
    status: Annotated[
        str | None, typer.Option(help="triggered, acknowledged, exhausted or cancelled.")
    ] = None,
    incident: IncidentOption = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List pages, newest first (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    with api() as client:
        found = client.get(
            "/pages", params={"status": status, "incident": incident, "limit": limit}
        )
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no pages match")
        return
    rows = [
        (p["id"], p["status"], _incident(p), p["reason"], moment(p["created_at"]), p["message"])
        for p in found
    ]
    print_table(("ID", "STATUS", "INCIDENT", "REASON", "CREATED", "MESSAGE"), rows)


@pages.command()
def show(page_id: PageId, as_json: JsonFlag = False) -> None:
    """One page: its fields, and every notification it wrote."""
    with api() as client:
        found = client.get(f"/pages/{page_id}")
    if as_json:
        print_json(found)
        return
    print_page(found)


@pages.command("ack")
def acknowledge(page_id: PageId, as_json: JsonFlag = False) -> None:
    """Acknowledge a page: you are on it, escalation stops."""
    with api() as client:
        found = client.post(f"/pages/{page_id}/acknowledge", {"via": "cli"})
    if as_json:
        print_json(found)
        return
    typer.echo(f"page {found['id']} acknowledged by {found['acknowledged_by']}")


@pages.command()
def cancel(page_id: PageId, as_json: JsonFlag = False) -> None:
    """Cancel a page raised by mistake: nothing more is sent."""
    with api() as client:
        found = client.post(f"/pages/{page_id}/cancel")
    if as_json:
        print_json(found)
        return
    typer.echo(f"page {found['id']} cancelled")


def print_page(found: dict[str, Any]) -> None:
    typer.echo(f"Page {found['id']}: {found['message']}")
    print_fields(
        [
            ("status", found["status"]),
            ("incident", _incident(found)),
            ("reason", found["reason"]),
            ("escalation policy", found["escalation_policy"]),
            ("step", f"{found['step'] + 1}, round {found['round'] + 1}"),
            ("next step", moment(found["next_step_at"])),
            ("created", f"{moment(found['created_at'])} by {found['created_by']}"),
            ("acknowledged", _acknowledged(found)),
            ("ended", moment(found["ended_at"])),
        ]
    )
    rows = [
        (
            n["round"] + 1,
            n["step"] + 1,
            n["person"],
            n["method"],
            n["state"],
            moment(n["due_at"]),
            n["target"],
        )
        for n in found["notifications"]
    ]
    if rows:
        typer.echo("")
        print_table(("ROUND", "STEP", "PERSON", "METHOD", "STATE", "DUE", "WHY"), rows)


def _report(created: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print_json(created)
        return
    people = sorted({n["person"] for n in created["notifications"]})
    who = ", ".join(people) if people else "nobody reachable"
    typer.echo(f"page {created['id']} {created['status']}: notified {who}")


def _incident(found: dict[str, Any]) -> str | None:
    return f"#{found['incident']}" if found.get("incident") else None


def _acknowledged(found: dict[str, Any]) -> str | None:
    if not found["acknowledged_at"]:
        return None
    by, via = found["acknowledged_by"], found["acknowledged_via"]
    return f"{moment(found['acknowledged_at'])} by {by} (via {via})"
