"""`firehouse oncall …`: who is on call (now or at a time), the shifts of a schedule, overrides,
and calendar feed URLs. Responder commands over the API (FIREHOUSE_URL, FIREHOUSE_TOKEN)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

import typer

from firehouse.cli.api_session import api
from firehouse.cli.errors import CliError
from firehouse.cli.output import JsonFlag, moment, print_json, print_table

commands = typer.Typer(
    help="Who is on call, shifts, overrides and calendar feeds (bare: who is on call now)."
)

ScheduleArg = Annotated[str, typer.Argument(help="The schedule's id.", show_default=False)]
When = Annotated[
    str | None,
    typer.Option(
        help="ISO 8601, e.g. 2026-12-24T03:00Z or 2026-12-24T04:00+01:00 (UTC if no zone)."
    ),
]


def parse_moment(text: str, option: str) -> str:
    """The API's form of a time typed at a terminal: `Z` and offsets accepted, none means UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"{option}: '{text}' is not an ISO 8601 time such as 2026-12-24T03:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat()


def _optional(text: str | None, option: str) -> str | None:
    return parse_moment(text, option) if text is not None else None


def _name(person: dict[str, Any] | None) -> str:
    return f"{person['name']} ({person['id']})" if person else "-"


@commands.callback(invoke_without_command=True)
def oncall(
    ctx: typer.Context,
    *,
    at: When = None,
    schedule: Annotated[str | None, typer.Option(help="Only this schedule.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Who is on call now, or --at a time, per schedule and layer (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    params = {"at": _optional(at, "--at"), "schedule": schedule}
    with api() as client:
        found = client.get("/oncall", params=params)
    if as_json:
        print_json(found)
        return
    rows = [
        (
            s["id"],
            layer["layer"],
            _name(layer["person"]) + (" [override]" if layer["override"] else ""),
            moment(layer["end"]) or "-",
        )
        for s in found["schedules"]
        for layer in s["layers"]
    ]
    if not rows:
        typer.echo("no schedules (declare them in firehouse.yaml)")
        return
    print_table(("SCHEDULE", "LAYER", "PERSON", "UNTIL"), rows)


@commands.command()
def shifts(
    schedule: ScheduleArg,
    *,
    start: Annotated[str | None, typer.Option("--from", help="Window start (default now).")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Window end (default 14 days after --from).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """The shifts of a schedule in a window, overrides applied."""
    params = {"from": _optional(start, "--from"), "to": _optional(end, "--to")}
    with api() as client:
        found = client.get(f"/schedules/{quote(schedule, safe='')}/shifts", params=params)
    if as_json:
        print_json(found)
        return
    if not found["shifts"]:
        typer.echo("no shifts in that window")
        return
    rows = [
        (
            s["layer"],
            moment(s["start"]),
            moment(s["end"]),
            _name(s["person"]) + (f" [override {s['override_id']}]" if s["override_id"] else ""),
        )
        for s in found["shifts"]
    ]
    print_table(("LAYER", "FROM", "TO", "PERSON"), rows)


@commands.command()
def override(
    schedule: ScheduleArg,
    *,
    layer: Annotated[str, typer.Option(help="The layer, e.g. primary.")],
    person: Annotated[str, typer.Option(help="Who takes the layer.")],
    start: Annotated[str, typer.Option(help="From, e.g. 2026-12-24T18:00Z.")],
    end: Annotated[str, typer.Option(help="Until, e.g. 2026-12-27T09:00Z.")],
    reason: Annotated[str, typer.Option(help="Why, for whoever wonders later.")],
    covers_for: Annotated[
        str | None, typer.Option(help="Only where this person would be on call.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Put someone on call for a window (for all of it, or only covering one person)."""
    body = {
        "layer": layer,
        "person": person,
        "start": parse_moment(start, "--start"),
        "end": parse_moment(end, "--end"),
        "reason": reason,
        "covers_for": covers_for,
    }
    with api() as client:
        created = client.post(f"/schedules/{quote(schedule, safe='')}/overrides", body)
    if as_json:
        print_json(created)
        return
    covering = f", covering for {_name(created['covers_for'])}" if created["covers_for"] else ""
    typer.echo(
        f"override {created['id']}: {_name(created['person'])} on {schedule}/{created['layer']} "
        f"from {moment(created['start'])} until {moment(created['end'])}{covering}"
    )


@commands.command()
def overrides(
    schedule: ScheduleArg,
    every: Annotated[
        bool, typer.Option("--all", help="Include ended and cancelled overrides.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Overrides of a schedule in force or to come (or all of them)."""
    with api() as client:
        found = client.get(
            f"/schedules/{quote(schedule, safe='')}/overrides",
            params={"all": "true" if every else "false"},
        )
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no overrides")
        return
    rows = [
        (
            o["id"],
            o["layer"],
            _name(o["person"]),
            o["covers_for"]["id"] if o["covers_for"] else "-",
            moment(o["start"]),
            moment(o["end"]),
            "cancelled" if o["cancelled_at"] else "live",
            o["author"],
            o["reason"],
        )
        for o in found
    ]
    print_table(
        ("ID", "LAYER", "PERSON", "COVERS", "FROM", "UNTIL", "STATE", "AUTHOR", "REASON"), rows
    )


@commands.command("cancel-override")
def cancel_override(
    schedule: ScheduleArg,
    override_id: Annotated[int, typer.Argument(min=1, help="The override's id.")],
    as_json: JsonFlag = False,
) -> None:
    """Cancel an override; it stays in `overrides --all` as the record."""
    with api() as client:
        cancelled = client.delete(
            f"/schedules/{quote(schedule, safe='')}/overrides/{override_id}", params={}
        )
    if as_json:
        print_json(cancelled)
        return
    typer.echo(f"override {cancelled['id']} cancelled")


@commands.command()
def feed(
    schedule: Annotated[str | None, typer.Option(help="A schedule's feed.")] = None,
    person: Annotated[str | None, typer.Option(help="A person's feed (all their shifts).")] = None,
) -> None:
    """Print a calendar feed URL to subscribe to (it carries its secret: share it with care)."""
    if (schedule is None) == (person is None):
        raise CliError("give exactly one of --schedule or --person")
    with api() as client:
        if schedule is not None:
            url = client.get(f"/schedules/{quote(schedule, safe='')}")["ical_url"]
        else:
            url = client.get(f"/people/{quote(person or '', safe='')}/ical")["url"]
    if not url:
        raise CliError("the API gave no feed URL: this needs a responder token")
    typer.echo(url)
