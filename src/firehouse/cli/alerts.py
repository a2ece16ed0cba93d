"""`firehouse alerts …` and `firehouse silence …`: responder commands over the API, and
`alerts test-route`, which runs locally: a payload file through the intake parser and the
routing rules (from the database, or from a firehouse.yaml), printing what would happen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from firehouse.cli.api_session import api
from firehouse.cli.errors import CliError
from firehouse.cli.output import JsonFlag, moment, print_fields, print_json, print_table

if TYPE_CHECKING:
    from firehouse.alerts.events import AlertEvent
    from firehouse.alerts.routing import RoutingRules

commands = typer.Typer(help="Alerts taken in by the intake endpoints: list, show, ack, resolve.")
silence_commands = typer.Typer(
    no_args_is_help=True, help="Silences: alerts that match are recorded but not routed."
)

AlertId = Annotated[int, typer.Argument(min=1, help="The alert's id.", show_default=False)]
SOURCES = ("alertmanager", "opsgenie", "pagerduty", "generic")


@commands.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    *,
    status: Annotated[
        str | None, typer.Option(help="open, acknowledged or resolved.", show_default=False)
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="alertmanager, opsgenie, pagerduty or generic.")
    ] = None,
    service: Annotated[str | None, typer.Option(help="Only this service's id.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Last seen at or after, e.g. 2026-11-26T03:00:00Z.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """List alerts, newest first (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    filters = {
        "status": status,
        "source": source,
        "service": service,
        "since": since,
        "limit": limit,
    }
    with api() as client:
        page = client.get("/alerts", params=filters)
    if as_json:
        print_json(page)
        return
    if not page["items"]:
        typer.echo("no alerts match")
        return
    rows = [
        (
            a["id"],
            a["status"],
            a["source"],
            a["service"],
            a["count"],
            _routed(a),
            moment(a["last_seen_at"]),
            a["summary"],
        )
        for a in page["items"]
    ]
    print_table(
        ("ID", "STATUS", "SOURCE", "SERVICE", "COUNT", "ROUTED", "LAST SEEN", "SUMMARY"), rows
    )
    if page["next_cursor"]:
        typer.echo("(more alerts: narrow the filters, or raise --limit)")


def _routed(alert: dict[str, Any]) -> str:
    number = alert.get("incident_number")
    return f"{alert['action']} #{number}" if number else str(alert["action"])


@commands.command()
def show(alert_id: AlertId, as_json: JsonFlag = False) -> None:
    """Show one alert: its fields, labels, links and how it was routed."""
    with api() as client:
        alert = client.get(f"/alerts/{alert_id}")
    if as_json:
        print_json(alert)
        return
    print_alert(alert)


def print_alert(alert: dict[str, Any]) -> None:
    typer.echo(f"Alert {alert['id']}: {alert['summary']}")
    print_fields(
        [
            ("status", alert["status"]),
            ("source", f"{alert['source']} (key {alert['integration']})"),
            ("fingerprint", alert["fingerprint"]),
            ("service", alert["service"]),
            ("priority", alert["priority"]),
            ("severity", alert["severity"]),
            ("count", alert["count"]),
            ("routed", _routed(alert)),
            ("rule", alert["rule"]),
            ("route note", alert["route_note"]),
            ("silenced by", alert["silenced_by"]),
            ("first seen", moment(alert["first_seen_at"])),
            ("last seen", moment(alert["last_seen_at"])),
            ("acknowledged", _by(alert["acknowledged_at"], alert["acknowledged_by"])),
            ("resolved", _by(alert["resolved_at"], alert["resolved_by"])),
            ("description", alert["description"]),
        ]
    )
    for name, value in sorted(alert["labels"].items()):
        typer.echo(f"label: {name}={value}")
    for name, url in sorted(alert["links"].items()):
        typer.echo(f"link: {name} {url}")


def _by(when: str | None, who: str | None) -> str | None:
    return f"{moment(when)} by {who}" if when else None


@commands.command("ack")
def acknowledge(alert_id: AlertId, as_json: JsonFlag = False) -> None:
    """Acknowledge an alert: someone is on it."""
    _act(alert_id, "acknowledge", as_json=as_json)


@commands.command()
def resolve(alert_id: AlertId, as_json: JsonFlag = False) -> None:
    """Resolve an alert by hand (a later firing of the same fingerprint opens a new one)."""
    _act(alert_id, "resolve", as_json=as_json)


def _act(alert_id: int, action: str, *, as_json: bool) -> None:
    with api() as client:
        alert = client.post(f"/alerts/{alert_id}/{action}")
    if as_json:
        print_json(alert)
        return
    typer.echo(f"alert {alert['id']} {alert['status']}: {alert['summary']}")


# test-route ------------------------------------------------------------------------------------
@commands.command("test-route")
def route_check(
    file: Annotated[Path, typer.Argument(help="A payload as the sender would POST it (JSON).")],
    *,
    source: Annotated[
        str | None,
        typer.Option(help="alertmanager, opsgenie, pagerduty or generic; guessed when omitted."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Take the rules from this firehouse.yaml, not the database."),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="Decide as of this time (ISO 8601), e.g. at night.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show, for each alert in FILE, which routing rule matches and what it would do."""
    from firehouse.alerts.routing import decide  # noqa: PLC0415 -- keeps startup light

    payload = _read_payload(file)
    chosen = source or guess_source(payload)
    events = parse_payload(chosen, payload)
    now = _moment(at) if at else datetime.now(UTC)
    rules, service_team = _rules_from_config(config) if config else _rules_from_database()
    decisions = []
    for event in events:
        decision = decide(
            rules,
            event,
            now=now,
            business_hours=rules.business_hours,
            service_team=service_team,
        )
        decisions.append((event, decision))
    if as_json:
        print_json(
            [
                {"fingerprint": e.fingerprint, "action": e.action.value, "summary": e.summary}
                | {"decision": _decision_json(d)}
                for e, d in decisions
            ]
        )
        return
    typer.echo(f"{len(events)} alert(s) read as {chosen}, routed as of {now:%Y-%m-%d %H:%M %Z}")
    for index, (event, decision) in enumerate(decisions, start=1):
        _print_decision(index, event, decision)


def _read_payload(file: Path) -> Any:
    try:
        return json.loads(file.read_bytes())
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError):
        raise CliError(f"{file} is not a JSON document") from None


def guess_source(payload: Any) -> str:
    """By the fields only one sender uses; anything else is the generic format."""
    if isinstance(payload, dict):
        if "groupKey" in payload or ("version" in payload and "alerts" in payload):
            return "alertmanager"
        if "routing_key" in payload or "event_action" in payload:
            return "pagerduty"
        if "message" in payload and ("alias" in payload or "responders" in payload):
            return "opsgenie"
    return "generic"


def parse_payload(source: str, payload: Any) -> list[AlertEvent]:
    from firehouse.alerts.events import PayloadError  # noqa: PLC0415 -- keeps startup light
    from firehouse.alerts.formats import (  # noqa: PLC0415
        alertmanager,
        generic,
        opsgenie,
        pagerduty,
    )

    try:
        if source == "alertmanager":
            return alertmanager.parse(payload)
        if source == "opsgenie":
            return [opsgenie.parse_create(payload)]
        if source == "pagerduty":
            return [pagerduty.parse(payload)]
        if source == "generic":
            return generic.parse(payload)
    except PayloadError as exc:
        raise CliError(f"not a valid {source} payload: {exc.field}: {exc.problem}") from None
    raise CliError(f"--source: unknown source '{source}'; use {', '.join(SOURCES)}")


def _moment(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--at: '{text}' is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _rules_from_database() -> tuple[RoutingRules, dict[str, str | None]]:
    from sqlalchemy import select  # noqa: PLC0415 -- keeps startup light

    from firehouse.alerts.routing import load_rules  # noqa: PLC0415
    from firehouse.catalog.model import Service  # noqa: PLC0415
    from firehouse.cli.local import database  # noqa: PLC0415

    with database() as db, db.read() as session:
        rules = load_rules(session)
        teams = {
            row.id: row.team_id for row in session.execute(select(Service.id, Service.team_id))
        }
    return rules, teams


def _rules_from_config(path: Path) -> tuple[RoutingRules, dict[str, str | None]]:
    from firehouse.alerts.routing import rules_from_mapping  # noqa: PLC0415
    from firehouse.catalog.config import check_file  # noqa: PLC0415

    config, problems = check_file(path)
    if config is None or problems:
        raise CliError(
            f"{path}: {problems[0] if problems else 'invalid'} (see `firehouse config check`)"
        )
    routing = config.routing.model_dump() if config.routing else {}
    hours = {t.id: t.business_hours.model_dump() for t in config.teams if t.business_hours}
    rules = rules_from_mapping(routing | {"business_hours": hours})
    return rules, {s.id: s.team for s in config.services}


def _decision_json(decision: Any) -> dict[str, Any]:
    return {
        "rule": decision.rule,
        "action": decision.action,
        "priority": decision.priority,
        "service": decision.service,
        "business_hours_only": decision.business_hours_only,
        "in_business_hours": decision.in_business_hours,
        "reason": decision.reason,
    }


def _print_decision(index: int, event: AlertEvent, decision: Any) -> None:
    typer.echo("")
    typer.echo(f"{index}. {event.summary or event.fingerprint} ({event.action.value})")
    what = decision.action
    if decision.action == "incident":
        service = decision.service or "-"
        what = f"raise or attach to an incident, {decision.priority}, service {service}"
    elif decision.action == "channel":
        what = "post to the alerts channel"
    print_fields(
        [
            ("fingerprint", event.fingerprint),
            ("rule", decision.rule or "(none: the default)"),
            ("would", what),
            ("why", decision.reason),
        ]
    )


# silences --------------------------------------------------------------------------------------
@silence_commands.command()
def create(
    *,
    match: Annotated[
        list[str],
        typer.Option(help="label=value, or label=~regex; repeat for more (all must hold)."),
    ],
    duration: Annotated[str, typer.Option(help="How long, e.g. 30m, 2h, 1d.")],
    reason: Annotated[str, typer.Option(help="Why, for whoever wonders later.")],
    as_json: JsonFlag = False,
) -> None:
    """Silence matching alerts for a while: they are still recorded, but not routed."""
    body = {"matchers": parse_matches(match), "duration": duration, "reason": reason}
    with api() as client:
        silence = client.post("/silences", body)
    if as_json:
        print_json(silence)
        return
    typer.echo(f"silence {silence['id']} until {moment(silence['ends_at'])}: {silence['reason']}")


def parse_matches(matches: list[str]) -> dict[str, Any]:
    labels: dict[str, str] = {}
    regex: dict[str, str] = {}
    for text in matches:
        name, equals, value = text.partition("=")
        if not equals or not name.strip():
            raise CliError(f"--match: '{text}' is not label=value or label=~regex")
        if value.startswith("~"):
            regex[name.strip()] = value[1:]
        else:
            labels[name.strip()] = value
    matchers: dict[str, Any] = {}
    if labels:
        matchers["labels"] = labels
    if regex:
        matchers["regex"] = regex
    return matchers


@silence_commands.command("list")
def list_command(
    every: Annotated[
        bool, typer.Option("--all", help="Include ended and scheduled silences.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """List silences in force now (or all of them)."""
    with api() as client:
        found = client.get("/silences", params={"active": "false" if every else "true"})
    if as_json:
        print_json(found)
        return
    if not found:
        typer.echo("no silences")
        return
    rows = [
        (
            s["id"],
            "active" if s["active"] else "inactive",
            _matchers_text(s["matchers"]),
            moment(s["ends_at"]),
            s["author"],
            s["reason"],
        )
        for s in found
    ]
    print_table(("ID", "STATE", "MATCH", "ENDS", "AUTHOR", "REASON"), rows)


def _matchers_text(matchers: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in (matchers.get("labels") or {}).items()]
    parts += [f"{k}=~{v}" for k, v in (matchers.get("regex") or {}).items()]
    parts += [str(k) for k in matchers.get("present") or []]
    if matchers.get("source"):
        parts.append(f"source={matchers['source']}")
    return " ".join(parts)


@silence_commands.command()
def expire(
    silence_id: Annotated[int, typer.Argument(min=1, help="The silence's id.")],
    as_json: JsonFlag = False,
) -> None:
    """End a silence now; it stays in `silence list --all` as the record."""
    with api() as client:
        silence = client.delete(f"/silences/{silence_id}", params={})
    if as_json:
        print_json(silence)
        return
    typer.echo(f"silence {silence['id']} expired")
