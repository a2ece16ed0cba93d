"""firehouse checklist: an incident's checklist, ticked or set aside by hand."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.output import JsonFlag, moment, print_json, print_table

commands = typer.Typer()

STATE_WORDS = {"open": "open", "done": "done", "not_applicable": "n/a"}


class Action(StrEnum):
    DONE = "done"
    NA = "na"
    REOPEN = "reopen"


STATE_OF = {Action.DONE: "done", Action.NA: "not_applicable", Action.REOPEN: "open"}


@commands.command("checklist")
def checklist(
    number: Annotated[int, typer.Argument(min=1, help="The incident number.", show_default=False)],
    action: Annotated[
        Action | None,
        typer.Argument(
            help="done, na (not applicable) or reopen; omit to list.", show_default=False
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Argument(help="The item's key, e.g. playbook_updated.", show_default=False),
    ] = None,
    *,
    note: Annotated[str | None, typer.Option(help="What was done (with done).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why it does not apply (with na).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show an incident's checklist, or settle one item: `done KEY --note`, `na KEY --reason`,
    `reopen KEY`."""
    if action is None:
        with api() as client:
            found = client.get(f"/incidents/{number}/checklist")
        if as_json:
            print_json(found)
        else:
            print_checklist(found)
        return
    if key is None:
        raise typer.BadParameter("name the item, e.g. playbook_updated", param_hint="KEY")
    body: dict[str, Any] = {"state": STATE_OF[action]}
    text = reason if action is Action.NA else note
    if text is not None:
        body["note"] = text
    with api() as client:
        item = client.post(f"/incidents/{number}/checklist/{key}", body)
    if as_json:
        print_json(item)
        return
    typer.echo(
        f"incident #{number}: {item['label']}: {STATE_WORDS.get(item['state'], item['state'])}"
    )


def print_checklist(found: dict[str, Any]) -> None:
    rows = [
        (
            STATE_WORDS.get(item["state"], item["state"]),
            item["key"],
            "auto" if item["automatic"] else ("" if item["state"] == "open" else "by hand"),
            item["completed_by"],
            moment(item["completed_at"]),
            item["label"] + (f" — {item['note']}" if item["note"] else ""),
        )
        for item in found["items"]
    ]
    print_table(("STATE", "KEY", "HOW", "WHO", "WHEN", "ITEM"), rows)
    typer.echo(f"{found['done']}/{found['total']} done")


def summary_line(found: dict[str, Any]) -> str:
    """`Checklist: 5/11 done, next: …` for `firehouse show`."""
    line = f"Checklist: {found['done']}/{found['total']} done"
    upcoming = next((item for item in found["items"] if item["state"] == "open"), None)
    return line + (f", next: {upcoming['label']}" if upcoming else "")
