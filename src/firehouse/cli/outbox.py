"""`firehouse outbox`: see deliveries still waiting or parked as dead, and send one again."""

from __future__ import annotations

from typing import Annotated

import typer

from firehouse.cli.local import database
from firehouse.cli.output import JsonFlag, moment, print_json, print_table
from firehouse.clock import SystemClock
from firehouse.outbox import service

commands = typer.Typer(no_args_is_help=True, help="The outbox of events for integrations.")


@commands.command("list")
def list_command(
    dead: Annotated[bool, typer.Option("--dead", help="Only deliveries parked as dead.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """List undelivered deliveries (pending and dead), newest first."""
    with database() as db, db.read() as session:
        deliveries = [
            {
                "id": delivery.id,
                "state": delivery.state,
                "subscription": delivery.subscription,
                "event": event.type,
                "stream": delivery.stream,
                "attempts": delivery.attempts,
                "next_attempt_at": delivery.next_attempt_at.isoformat(),
                "last_error": delivery.last_error,
            }
            for delivery, event in service.list_deliveries(session, dead_only=dead, limit=limit)
        ]
    if as_json:
        print_json(deliveries)
        return
    print_table(
        (
            "ID",
            "STATE",
            "SUBSCRIPTION",
            "EVENT",
            "STREAM",
            "ATTEMPTS",
            "NEXT ATTEMPT",
            "LAST ERROR",
        ),
        [
            (
                d["id"],
                d["state"],
                d["subscription"],
                d["event"],
                d["stream"],
                d["attempts"],
                moment(str(d["next_attempt_at"])) if d["state"] != "dead" else None,
                d["last_error"],
            )
            for d in deliveries
        ],
    )


@commands.command()
def retry(
    delivery_id: Annotated[int, typer.Argument(metavar="ID", help="The delivery's id.")],
) -> None:
    """Queue a dead or backing-off delivery for another attempt now."""
    with database() as db, db.write() as session:
        service.retry(session, delivery_id, now=SystemClock().now())
    typer.echo(f"delivery {delivery_id} queued for another attempt")
