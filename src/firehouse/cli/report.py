"""firehouse report: incident figures for a period, read from the API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.output import JsonFlag, print_json, print_table
from firehouse.guidance.reports import readable_duration, readable_rate

commands = typer.Typer()

DURATIONS = (
    ("time_to_acknowledge", "Time to acknowledge"),
    ("time_to_mitigate", "Time to mitigate"),
    ("time_to_resolve", "Time to resolve"),
)


@commands.command("report")
def report(
    *,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day, YYYY-MM-DD (default: 30 days before --to).",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Day after the last one, YYYY-MM-DD (default: tomorrow).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Incident figures of a period: counts, response times, checklist completion and
    postmortems due. Training incidents are left out."""
    params = {key: value for key, value in (("from", start), ("to", end)) if value is not None}
    with api() as client:
        figures: dict[str, Any] = client.get("/reports/summary", params=params)
    if as_json:
        print_json(figures)
        return
    _print(figures)


def _print(figures: dict[str, Any]) -> None:
    typer.echo(
        f"Incidents from {figures['start']} to {figures['end']} (exclusive): {figures['incidents']}"
    )
    for title, key in (
        ("PRIORITY", "by_priority"),
        ("SERVICE", "by_service"),
        ("STATUS", "by_status"),
    ):
        if figures[key]:
            typer.echo("")
            print_table((title, "INCIDENTS"), list(figures[key].items()))
    typer.echo("")
    rows = [
        (
            label,
            figures[key]["count"],
            readable_duration(figures[key]["median_seconds"]),
            readable_duration(figures[key]["p90_seconds"]),
        )
        for key, label in DURATIONS
    ]
    print_table(("MEASURE", "INCIDENTS", "MEDIAN", "P90"), rows)
    typer.echo("")
    typer.echo(f"Checklist completion: {readable_rate(figures['checklist_completion']['rate'])}")
    for key, done in figures["checklist_completion_by_item"].items():
        typer.echo(f"  {key}: {readable_rate(done['rate'])} ({done['completed']}/{done['items']})")
    typer.echo(
        f"Postmortems due: {figures['postmortems_due']}, overdue: {figures['postmortems_overdue']}"
    )
