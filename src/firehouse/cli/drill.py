"""firehouse drill: training drills (P5), optionally scripted by a scenario file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.errors import CliError
from firehouse.cli.output import JsonFlag, print_json

commands = typer.Typer()
drill = typer.Typer(
    help="Training drills: practise the incident flow safely.", no_args_is_help=True
)
commands.add_typer(drill, name="drill")

MAX_SCENARIO_BYTES = 64 * 1024


@drill.command("start")
def start(
    *,
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="A scenario YAML file: scripted alerts and messages.", show_default=False
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(help="The service to practise on (else the scenario's).", show_default=False),
    ] = None,
    message: Annotated[
        str | None,
        typer.Option(help="The drill incident's title (else the scenario's).", show_default=False),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Start a drill: a P5 training incident that pages nobody and publishes nothing."""
    body: dict[str, Any] = {}
    if service is not None:
        body["service"] = service
    if message is not None:
        body["message"] = message
    if scenario is not None:
        body["scenario"] = _read(scenario)
    with api() as client:
        incident = client.post("/drills", body)
    if as_json:
        print_json(incident)
        return
    typer.echo(f"drill started: incident #{incident['number']} (training): {incident['message']}")
    typer.echo(incident["url"])


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CliError(f"--scenario: cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise CliError(f"--scenario: {path} is over {MAX_SCENARIO_BYTES // 1024} KB")
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise CliError(f"--scenario: {path} is not UTF-8 text") from None
