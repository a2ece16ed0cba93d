"""Responder commands that change an incident over the API, one route each."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.incidents import Number, summary
from firehouse.cli.output import JsonFlag, print_json

commands = typer.Typer()

Role = Annotated[
    str, typer.Argument(help="commander, communications_lead or responder.", show_default=False)
]
Person = Annotated[str, typer.Argument(help="The person's id.", show_default=False)]


def _report(result: dict[str, Any], line: str, *, as_json: bool) -> None:
    if as_json:
        print_json(result)
    else:
        typer.echo(line)


@commands.command()
def priority(
    number: Number,
    level: Annotated[str, typer.Argument(metavar="PRIORITY", help="P1 to P5.")],
    as_json: JsonFlag = False,
) -> None:
    """Change an incident's priority."""
    with api() as client:
        incident = client.patch(f"/incidents/{number}", {"priority": level})
    _report(incident, f"incident #{number} is now {summary(incident)}", as_json=as_json)


@commands.command()
def assign(number: Number, role: Role, person: Person, as_json: JsonFlag = False) -> None:
    """Give a person a role on an incident (a commander or lead replaces the previous one)."""
    with api() as client:
        incident = client.post(f"/incidents/{number}/roles", {"role": role, "person": person})
    _report(incident, f"{person} is {role} of incident #{number}", as_json=as_json)


@commands.command()
def unassign(number: Number, role: Role, person: Person, as_json: JsonFlag = False) -> None:
    """Take a role on an incident away from a person."""
    with api() as client:
        incident = client.delete(f"/incidents/{number}/roles", {"role": role, "person": person})
    _report(incident, f"{person} is no longer {role} of incident #{number}", as_json=as_json)


@commands.command()
def note(
    number: Number,
    text: Annotated[str, typer.Argument(help="What happened, was tried or was decided.")],
    at: Annotated[
        str | None,
        typer.Option(
            help="When it happened (ISO 8601, e.g. 2026-01-01T12:00Z).", show_default=False
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an entry to an incident's timeline."""
    body: dict[str, Any] = {"text": text}
    if at is not None:
        body["occurred_at"] = at
    with api() as client:
        entry = client.post(f"/incidents/{number}/timeline", body)
    _report(entry, f"added to the timeline of incident #{number}", as_json=as_json)


@commands.command()
def link(
    number: Number,
    url: Annotated[str, typer.Argument(help="The URL to attach.")],
    kind: Annotated[
        str, typer.Option(help="follow_up, bug, postmortem, playbook or other.")
    ] = "other",
    title: Annotated[str | None, typer.Option(help="A title to show.", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Attach a link (a follow-up ticket, a bug, the postmortem…) to an incident."""
    body: dict[str, Any] = {"url": url, "kind": kind}
    if title is not None:
        body["title"] = title
    with api() as client:
        added = client.post(f"/incidents/{number}/links", body)
    _report(added, f"linked {kind} {url} to incident #{number}", as_json=as_json)


@commands.command()
def resolve(
    number: Number,
    note: Annotated[str, typer.Option("--note", help="How it was mitigated.")],
    as_json: JsonFlag = False,
) -> None:
    """Resolve an incident: it is mitigated."""
    with api() as client:
        incident = client.post(f"/incidents/{number}/resolve", {"note": note})
    _report(incident, f"resolved incident #{number}", as_json=as_json)


@commands.command()
def close(
    number: Number,
    reason: Annotated[str, typer.Option(help="Why it needs no immediate response.")],
    bug: Annotated[
        list[str] | None, typer.Option(help="URL of a ticket tracking it; repeat for more.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Close an incident that did not qualify for an immediate response."""
    with api() as client:
        incident = client.post(
            f"/incidents/{number}/close", {"reason": reason, "bug_links": bug or []}
        )
    _report(incident, f"closed incident #{number}", as_json=as_json)


@commands.command()
def reopen(
    number: Number,
    reason: Annotated[str | None, typer.Option(help="Why it is back.", show_default=False)] = None,
    as_json: JsonFlag = False,
) -> None:
    """Bring a resolved or closed incident back to open."""
    with api() as client:
        incident = client.post(f"/incidents/{number}/reopen", {"reason": reason})
    _report(incident, f"reopened incident #{number}", as_json=as_json)


@commands.command()
def ack(number: Number, as_json: JsonFlag = False) -> None:
    """Acknowledge an incident: someone is on it."""
    with api() as client:
        incident = client.post(f"/incidents/{number}/acknowledge")
    _report(incident, f"acknowledged incident #{number}", as_json=as_json)
