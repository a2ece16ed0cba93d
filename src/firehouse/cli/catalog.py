"""`firehouse services` and `firehouse service ID`: the service directory from the terminal —
who owns a service, who knows it, who is on call for it now, and where its playbook is."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.output import JsonFlag, print_fields, print_json, print_table

commands = typer.Typer()


@commands.command("services")
def services(as_json: JsonFlag = False) -> None:
    """List services with their team, point-people and playbook."""
    with api() as client:
        found = client.get("/services")
    if as_json:
        print_json(found)
        return
    rows = [
        (s["id"], s["name"], s["team"], ", ".join(s["point_people"]), s["playbook_url"])
        for s in found
    ]
    print_table(("ID", "NAME", "TEAM", "POINT-PEOPLE", "PLAYBOOK"), rows)


@commands.command("service")
def service(
    service_id: Annotated[str, typer.Argument(help="The service's id.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """One service's card: point-people, who is on call now, escalation, playbook."""
    with api() as client:
        card = client.get(f"/services/{service_id}")
    if as_json:
        print_json(card)
        return
    typer.echo(f"{card['name']} ({card['id']})")
    print_fields(
        [
            ("description", card["description"] or None),
            ("team", card["team"]),
            ("point-people", _names(card["point_people_named"])),
            ("on call now", _names(card["on_call"])),
            ("escalation", _policy(card["escalation_policy"])),
            ("playbook", card["playbook_url"]),
            ("components", ", ".join(card["components"]) or None),
        ]
    )


def _names(people: list[dict[str, Any]]) -> str | None:
    return ", ".join(f"{p['name']} ({p['id']})" for p in people) or None


def _policy(policy: dict[str, Any] | None) -> str | None:
    if policy is None:
        return None
    waits = " → ".join(f"{step.get('wait_minutes', 15)} min" for step in policy["steps"])
    return f"{policy['name']} ({policy['id']}): {len(policy['steps'])} steps, {waits}"
