"""`firehouse statuspage …`: responder commands for the public status page, over the API.

Responders name a public incident by the internal incident's number they already know;
the command finds the linked public incident (`GET /statuspage/incidents?incident=N`).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.client import ApiClient
from firehouse.cli.errors import CliError
from firehouse.cli.incidents import Number
from firehouse.cli.output import JsonFlag, moment, print_json, print_table
from firehouse.cli.statuspage_export import export

commands = typer.Typer(
    no_args_is_help=True, help="The public status page: publish, update, resolve."
)

Message = Annotated[str, typer.Argument(help="What the public reads.", show_default=False)]


def linked(client: ApiClient, number: int) -> dict[str, Any]:
    """The public incident linked to internal incident `number`, or a CliError saying why not."""
    page = client.get("/statuspage/incidents", params={"incident": number})
    if not page["items"]:
        raise CliError(
            f"incident #{number} has no public incident (its priority expects no status page "
            "update, or the status page flow has not prepared it yet)"
        )
    found: dict[str, Any] = page["items"][0]
    return found


def _report(public: dict[str, Any], line: str, *, as_json: bool) -> None:
    if as_json:
        print_json(public)
    else:
        typer.echo(line)


def _state(public: dict[str, Any]) -> str:
    shown = "published" if public["published"] else "draft"
    return (
        f"{public['id']} ({shown}, {public['status']}, {public['impact']} impact): {public['name']}"
    )


@commands.command()
def publish(
    number: Number,
    message: Annotated[
        str | None,
        typer.Option(help="Post this update with it (needed if it has none).", show_default=False),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Publish the draft public incident of an incident."""
    with api() as client:
        public = linked(client, number)
        body = {"message": message} if message is not None else {}
        result = client.post(f"/statuspage/incidents/{public['id']}/publish", body)
    _report(result, f"published public incident {_state(result)}", as_json=as_json)


@commands.command()
def update(
    number: Number,
    message: Message,
    status: Annotated[str, typer.Option(help="investigating, identified, monitoring or resolved.")],
    component: Annotated[
        list[str] | None,
        typer.Option(
            help="COMPONENT=STATUS, e.g. api=partial_outage; repeat for more.", show_default=False
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Post an update on the public incident of an incident."""
    body: dict[str, Any] = {"status": status, "message": message}
    if component:
        body["component_statuses"] = _pairs(component)
    with api() as client:
        public = linked(client, number)
        result = client.post(f"/statuspage/incidents/{public['id']}/updates", body)
    _report(result, f"updated public incident {_state(result)}", as_json=as_json)


@commands.command()
def resolve(number: Number, message: Message, as_json: JsonFlag = False) -> None:
    """Resolve the public incident of an incident, with a final update."""
    with api() as client:
        public = linked(client, number)
        result = client.post(f"/statuspage/incidents/{public['id']}/resolve", {"message": message})
    _report(result, f"resolved public incident {_state(result)}", as_json=as_json)


@commands.command("list")
def list_incidents(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only those whose incident ended: resolve them.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List public incidents, drafts included, newest first."""
    params: dict[str, Any] = {"limit": limit}
    if pending:
        params["pending_resolution"] = "true"
    with api() as client:
        page = client.get("/statuspage/incidents", params=params)
    if as_json:
        print_json(page)
        return
    if not page["items"]:
        typer.echo("no public incidents")
        return
    rows = [
        (
            i["id"],
            f"#{i['incident']}" if i["incident"] else None,
            "published" if i["published"] else "draft",
            i["status"],
            i["impact"],
            moment(i["created_at"]),
            i["name"],
        )
        for i in page["items"]
    ]
    print_table(("ID", "INCIDENT", "STATE", "STATUS", "IMPACT", "CREATED", "NAME"), rows)


@commands.command()
def components(as_json: JsonFlag = False) -> None:
    """List the page's components and their status."""
    with api() as client:
        found = client.get("/statuspage/components")
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no components (declare them under `statuspage:` in firehouse.yaml)")
        return
    print_table(
        ("ID", "GROUP", "STATUS", "NAME"),
        [(c["id"], c["group"], c["status"], c["name"]) for c in found],
    )


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        component_id, sep, status = value.partition("=")
        if not sep or not component_id.strip() or not status.strip():
            raise CliError(f"--component: '{value}' is not COMPONENT=STATUS")
        pairs[component_id.strip()] = status.strip()
    return pairs


# Works on the database directly, like the admin commands, so it runs with the server down.
commands.command("export")(export)
