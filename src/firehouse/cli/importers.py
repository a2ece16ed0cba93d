"""`firehouse import opsgenie|pagerduty`: move a team in from another on-call product.

Reads the product's REST API with the key from the environment (never from an option, so it
stays out of shell history and process lists), writes a firehouse.yaml fragment and a
Markdown report of everything that did not map. Nothing touches the database: the person
reviews the file, merges it and applies it with `firehouse config apply`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from firehouse.cli.errors import CliError
from firehouse.clock import SystemClock
from firehouse.importers import mapping_opsgenie, mapping_pagerduty, opsgenie, pagerduty
from firehouse.importers.api import ApiReader, ImportFailed
from firehouse.importers.fragment import ImportResult, render_report, render_yaml

commands = typer.Typer(
    no_args_is_help=True,
    help="Import people, teams, schedules, escalation policies and services from another tool.",
)

Output = Annotated[
    Path, typer.Option("--output", "-o", help="Where to write the firehouse.yaml fragment.")
]
Report = Annotated[
    Path | None,
    typer.Option(help="Where to write the Markdown report (default: next to the output)."),
]


@commands.command("opsgenie")
def import_opsgenie(
    output: Output = Path("firehouse.import.yaml"),
    report: Report = None,
    api_url: Annotated[
        str, typer.Option(help=f"OpsGenie's API; in the EU: {opsgenie.EU_URL}")
    ] = opsgenie.DEFAULT_URL,
) -> None:
    """Read OpsGenie (key in OPSGENIE_API_KEY) and write a firehouse.yaml fragment."""
    key = _key(
        opsgenie.KEY_VARIABLE,
        "an OpsGenie API key with read access (Settings > API key management)",
    )

    def convert(api: ApiReader) -> ImportResult:
        account = opsgenie.read_account(api)
        return mapping_opsgenie.map_account(account, SystemClock().now())

    _run(opsgenie.reader(api_url, key), convert, output, report)


@commands.command("pagerduty")
def import_pagerduty(
    output: Output = Path("firehouse.import.yaml"),
    report: Report = None,
    api_url: Annotated[str, typer.Option(help="PagerDuty's REST API.")] = pagerduty.DEFAULT_URL,
) -> None:
    """Read PagerDuty (key in PAGERDUTY_API_KEY) and write a firehouse.yaml fragment."""
    key = _key(pagerduty.KEY_VARIABLE, "a read-only PagerDuty REST API key")

    def convert(api: ApiReader) -> ImportResult:
        now = SystemClock().now()
        return mapping_pagerduty.map_account(pagerduty.read_account(api, now), now)

    _run(pagerduty.reader(api_url, key), convert, output, report)


def _key(variable: str, what: str) -> str:
    key = os.environ.get(variable, "").strip()
    if not key:
        raise CliError(f"{variable} is not set: export {what} in it and run the import again")
    return key


def _run(
    api: ApiReader,
    convert: Callable[[ApiReader], ImportResult],
    output: Path,
    report: Path | None,
) -> None:
    report = report or output.with_name(f"{output.stem}.report.md")
    if report.resolve() == output.resolve():
        raise CliError("--report must name a different file than --output")
    try:
        with api:
            result = convert(api)
    except ImportFailed as exc:
        raise CliError(exc.message) from None
    now = SystemClock().now()
    _write(output, render_yaml(result, now))
    _write(report, render_report(result, now, str(output)))
    counts = ", ".join(f"{len(entries)} {name}" for name, entries in result.sections.items())
    review = len(result.unmapped) + len(result.differences)
    typer.echo(f"wrote {output}: {counts}")
    typer.echo(
        f"wrote {report}: {review} items to review, {len(result.overrides)} overrides to recreate"
    )


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
