"""`firehouse token`: API tokens, created on the server's machine and shown once."""

from __future__ import annotations

from typing import Annotated

import typer

from firehouse.auth.service import create_token, list_tokens, revoke_token
from firehouse.cli.local import database
from firehouse.cli.output import JsonFlag, moment, print_json, print_table
from firehouse.clock import SystemClock

commands = typer.Typer(no_args_is_help=True, help="API tokens for the HTTP API and the CLI.")


@commands.command()
def create(
    name: Annotated[str, typer.Option(help="A unique name, e.g. who or what uses it.")],
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")],
    person: Annotated[
        str | None,
        typer.Option(help="Person id the token acts for (shown as the actor).", show_default=False),
    ] = None,
) -> None:
    """Create a token and print only the token, so `$(firehouse token create …)` captures it."""
    with database() as db, db.write() as session:
        _row, secret = create_token(
            session, name=name, role=role, person=person, now=SystemClock().now()
        )
    typer.echo(secret)


@commands.command("list")
def list_command(as_json: JsonFlag = False) -> None:
    """List tokens (never the tokens themselves: only a hash is stored)."""
    with database() as db, db.read() as session:
        tokens = [
            {
                "name": t.name,
                "role": t.role,
                "person": t.person_id,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in list_tokens(session)
        ]
    if as_json:
        print_json(tokens)
        return
    print_table(
        ("NAME", "ROLE", "PERSON", "PREFIX", "CREATED", "LAST USED", "REVOKED"),
        [
            (
                t["name"],
                t["role"],
                t["person"],
                t["prefix"],
                moment(t["created_at"]),
                moment(t["last_used_at"]),
                moment(t["revoked_at"]),
            )
            for t in tokens
        ],
    )


@commands.command()
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token: requests with it are refused from now on."""
    with database() as db, db.write() as session:
        revoke_token(session, name, now=SystemClock().now())
    typer.echo(f"revoked token {name}")
