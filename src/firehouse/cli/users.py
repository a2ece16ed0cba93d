"""`firehouse user`: web accounts, managed on the server's machine like `firehouse token`.

Passwords are read from a hidden prompt (typed twice) or from standard input, never from an
argument, where they would land in shell history and the process list.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from firehouse.auth.users import create_user, disable_user, list_users, set_password
from firehouse.cli.local import database
from firehouse.cli.output import JsonFlag, moment, print_json, print_table
from firehouse.clock import SystemClock

commands = typer.Typer(
    no_args_is_help=True, help="Web accounts: create, list, disable, set a password."
)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@commands.command()
def create(
    username: Annotated[str, typer.Argument(help="Sign-in name: lowercase letters, digits, . _ -")],
    name: Annotated[str, typer.Option(help="Full name, shown in the web UI.")],
    role: Annotated[str, typer.Option(help="viewer, responder or admin.")],
    person: Annotated[
        str | None,
        typer.Option(help="Person id of firehouse.yaml this account is.", show_default=False),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account that signs in to the web UI with a password (12 characters or more)."""
    password = _read_password(password_stdin)
    with database() as db, db.write() as session:
        user = create_user(
            session,
            username=username,
            name=name,
            role=role,
            password=password,
            person=person,
            now=SystemClock().now(),
        )
        created = user.username
    typer.echo(f"created user {created}")


@commands.command("list")
def list_command(as_json: JsonFlag = False) -> None:
    """List accounts (never their passwords: only an argon2 hash is stored)."""
    with database() as db, db.read() as session:
        accounts: list[dict[str, Any]] = [
            {
                "username": u.username,
                "name": u.name,
                "role": u.role,
                "person": u.person_id,
                "active": u.active,
                "created_at": u.created_at.isoformat(),
                "last_sign_in_at": u.last_sign_in_at.isoformat() if u.last_sign_in_at else None,
            }
            for u in list_users(session)
        ]
    if as_json:
        print_json(accounts)
        return
    print_table(
        ("USERNAME", "NAME", "ROLE", "PERSON", "ACTIVE", "CREATED", "LAST SIGN-IN"),
        [
            (
                a["username"],
                a["name"],
                a["role"],
                a["person"],
                "yes" if a["active"] else "no",
                moment(a["created_at"]),
                moment(a["last_sign_in_at"]),
            )
            for a in accounts
        ],
    )


@commands.command()
def disable(username: Annotated[str, typer.Argument(help="The account's username.")]) -> None:
    """Disable an account: it cannot sign in, and its open sessions end now."""
    with database() as db, db.write() as session:
        user = disable_user(session, username, now=SystemClock().now())
        done = user.username
    typer.echo(f"disabled user {done}")


@commands.command()
def password(
    username: Annotated[str, typer.Argument(help="The account's username.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password (12 characters or more); the account is signed out everywhere."""
    new = _read_password(password_stdin)
    with database() as db, db.write() as session:
        user = set_password(session, username, new, now=SystemClock().now())
        done = user.username
    typer.echo(f"set a new password for {done}")
