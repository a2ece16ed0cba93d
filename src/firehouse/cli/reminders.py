"""firehouse remind / snooze: an incident's reminders, and holding one back for a while."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.output import JsonFlag, moment, print_json, print_table

commands = typer.Typer()

NumberArg = Annotated[int, typer.Argument(min=1, help="The incident number.", show_default=False)]


@commands.command("remind")
def remind(number: NumberArg, *, as_json: JsonFlag = False) -> None:
    """Show an incident's reminders: which are due, snoozed, or were sent."""
    with api() as client:
        found = client.get(f"/incidents/{number}/reminders")
    if as_json:
        print_json(found)
        return
    print_reminders(found)


@commands.command("snooze")
def snooze(
    number: NumberArg,
    reminder: Annotated[
        str, typer.Argument(help="The reminder, e.g. status_update_due.", show_default=False)
    ],
    *,
    minutes: Annotated[int, typer.Option(min=1, help="How long to hold it back.")] = 30,
    as_json: JsonFlag = False,
) -> None:
    """Hold a reminder back: nothing due before the snooze ends is sent."""
    with api() as client:
        row = client.post(f"/incidents/{number}/reminders/{reminder}/snooze", {"minutes": minutes})
    if as_json:
        print_json(row)
        return
    typer.echo(f"incident #{number}: {reminder} snoozed until {moment(row['snoozed_until'])}")


def print_reminders(found: dict[str, Any]) -> None:
    rows = [
        (
            item["reminder"],
            _state(item),
            moment(item["due_at"]),
            moment(item["snoozed_until"]),
            moment(item["last_sent_at"]),
        )
        for item in found["reminders"]
    ]
    print_table(("REMINDER", "STATE", "DUE", "SNOOZED UNTIL", "LAST SENT"), rows)


def _state(item: dict[str, Any]) -> str:
    if item["snoozed_until"]:
        return "snoozed"
    if item["due_at"]:
        return "due"
    return "sent" if item["last_sent_at"] else "quiet"
