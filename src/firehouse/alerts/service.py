"""Use cases of alert intake: take a delivery's events, and acknowledge or resolve an alert.

`ingest` runs in the caller's transaction, so the HTTP layer answers 2xx only once every alert
of the delivery is committed. Deduplication lives in service_ingest; a NEW alert (never a
repeat) is routed here: an active silence first (recorded as silenced, nothing else happens),
then the first matching rule, else the default. Actions:

- `incident`: raise one, or attach to the one the rule raised for the service (service_incidents);
- `channel`: an ALERT_ROUTED_TO_CHANNEL event for the chat side to post (and ALERT_RESOLVED
  when that alert ends, on the same stream, so the post can be updated in order);
- `record`: stored, nothing more;
- `drop`: stored with action "dropped" but without its payload or details. Keeping the row
  is what makes the drop cheap: its repeats are counted by the same one UPDATE as any other,
  instead of being routed again on every resend, and the count remains for an audit.

Nothing here talks to a provider: every side effect is an outbox event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.alerts import service_incidents
from firehouse.alerts.events import Action, AlertEvent, IngestResult
from firehouse.alerts.model import Alert
from firehouse.alerts.queries import alert_snapshot, get_alert
from firehouse.alerts.routing import Decision, RoutingRules, decide, load_rules
from firehouse.alerts.service_ingest import end_or_acknowledge, key_of, new_alert, trigger
from firehouse.alerts.silences import matching_silence
from firehouse.catalog.model import Service
from firehouse.errors import Conflict
from firehouse.outbox.append import append
from firehouse.outbox.events import DomainEvent, EventType


@dataclass
class _Routing:
    """What routing reads from the database, read once per delivery and only when needed."""

    session: Session
    _rules: RoutingRules | None = None
    _teams: dict[str, str | None] | None = field(default=None)

    def decide(self, event: AlertEvent, now: datetime) -> Decision:
        if self._rules is None:
            self._rules = load_rules(self.session)
            rows = self.session.execute(select(Service.id, Service.team_id))
            self._teams = {service_id: team for service_id, team in rows}
        return decide(
            self._rules,
            event,
            now=now,
            business_hours=self._rules.business_hours,
            service_team=self._teams or {},
        )


def ingest(
    session: Session,
    events: Sequence[AlertEvent],
    *,
    integration: str,
    now: datetime,
    known: Mapping[int, IngestResult] | None = None,
) -> list[IngestResult]:
    """One result per event, in order. Acknowledge/resolve for nothing open is IGNORED (this
    includes PagerDuty events under another routing key, since the key is part of the scope).
    `known`: results of events already counted in bulk (service_bulk), by position."""
    routing = _Routing(session)
    actor = f"alerts:{integration}"
    results: dict[int, IngestResult] = dict(known or {})
    # Rows are touched in key order, not payload order: two notifications carrying the same
    # alerts in different orders would otherwise lock each other's rows crosswise and
    # deadlock on PostgreSQL. The sort is stable, so one alert's events keep their order.
    todo = [index for index in range(len(events)) if index not in results]
    for index in sorted(todo, key=lambda i: key_of(events[i])):
        event = events[index]
        if event.action is Action.TRIGGER:
            results[index] = _trigger(
                session, event, integration=integration, now=now, routing=routing
            )
            continue
        resolving = event.action is Action.RESOLVE
        result, ended = end_or_acknowledge(
            session, event, resolving=resolving, actor=actor, now=now
        )
        if ended is not None:
            _after_resolve(session, alert_id=ended[0], group_id=ended[2], action=ended[3], now=now)
        results[index] = result
    return [results[index] for index in range(len(events))]


def _trigger(
    session: Session, event: AlertEvent, *, integration: str, now: datetime, routing: _Routing
) -> IngestResult:
    decided: list[Decision | None] = []  # what build() decided, for route() to act on

    def build() -> Alert:
        silence = matching_silence(session, event, now=now)
        decision = None if silence else routing.decide(event, now)
        dropped = decision is not None and decision.action == "drop"
        alert = new_alert(event, integration=integration, now=now, keep_payload=not dropped)
        if silence is not None:
            alert.action = "silenced"
            alert.silenced_by = silence.id
            alert.route_note = (
                f"silenced by silence {silence.id} ({silence.author}: {silence.reason})"
            )
        elif decision is not None:
            alert.action = "dropped" if dropped else decision.action
            alert.rule = decision.rule
            alert.route_note = decision.reason
        decided.append(decision)
        return alert

    def route(alert: Alert, _event: AlertEvent) -> int | None:
        decision = decided[-1]
        if decision is None:
            return None
        if decision.action == "channel":
            _post_to_channel(session, alert, decision, now=now)
        elif decision.action == "incident":
            raised = service_incidents.raise_or_attach(session, alert, event, decision, now=now)
            if raised.incident_number is None:
                alert.action = "record"
                alert.route_note = f"{decision.reason}; {raised.note}"
            return raised.incident_number
        return None

    return trigger(session, event, now=now, build=build, route=route)


def _post_to_channel(session: Session, alert: Alert, decision: Decision, *, now: datetime) -> None:
    """What the chat side needs to post, without reading anything back."""
    payload = {
        "alert": alert_snapshot(alert),
        "route": {
            "rule": decision.rule,
            "business_hours_only": decision.business_hours_only,
            "in_business_hours": decision.in_business_hours,
            "team": decision.team,
        },
    }
    event = DomainEvent(EventType.ALERT_ROUTED_TO_CHANNEL, stream=f"alert:{alert.id}", data=payload)
    append(session, event, now=now)


def _after_resolve(
    session: Session, *, alert_id: int, group_id: int | None, action: str, now: datetime
) -> None:
    if group_id is not None:
        service_incidents.alert_resolved(session, group_id, now=now)
    if action == "channel":
        alert = get_alert(session, alert_id)
        session.refresh(alert)  # the UPDATE that resolved it ran past the session's copy
        event = DomainEvent(
            EventType.ALERT_RESOLVED,
            stream=f"alert:{alert_id}",
            data={"alert": alert_snapshot(alert)},
        )
        append(session, event, now=now)


def _load_open(session: Session, alert_id: int) -> Alert:
    alert = get_alert(session, alert_id)
    session.refresh(alert, with_for_update=True)
    return alert


def acknowledge(session: Session, alert_id: int, *, actor: str, now: datetime) -> Alert:
    """Idempotent while open; an alert that has resolved cannot be acknowledged."""
    alert = _load_open(session, alert_id)
    if alert.status == "resolved":
        raise Conflict(
            f"alert {alert_id} has resolved; there is nothing to acknowledge", field="id"
        )
    if alert.acknowledged_at is None:
        alert.status = "acknowledged"
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
        session.flush()
    return alert


def resolve(session: Session, alert_id: int, *, actor: str, now: datetime) -> Alert:
    """Ends the alert (a later firing opens a new one). Resolving it again changes nothing."""
    alert = _load_open(session, alert_id)
    if alert.status == "resolved":
        return alert
    alert.status = "resolved"
    alert.open_key = None
    alert.resolved_at = now
    alert.resolved_by = actor
    session.flush()
    _after_resolve(
        session, alert_id=alert.id, group_id=alert.group_id, action=alert.action, now=now
    )
    return alert
