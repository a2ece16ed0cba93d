"""The dashboard's read model: open incidents by priority, who is on call, recent alerts —
gathered from the service layer's read functions in one read transaction, shaped for the
template (ages and names worked out here, so the template only lays them out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.alerts import queries as alert_queries
from firehouse.catalog.service import list_people, list_services, load_policy
from firehouse.incidents import overview
from firehouse.incidents.overview import OpenIncident
from firehouse.incidents.visibility import Sight
from firehouse.oncall import directory

RECENT_ALERTS = 10


@dataclass(frozen=True)
class IncidentCard:
    incident: OpenIncident
    age: str
    service: str
    commander: str | None


@dataclass(frozen=True)
class PriorityGroup:
    priority: str
    label: str
    count: int
    incidents: list[IncidentCard]


@dataclass(frozen=True)
class OnCallLayer:
    layer: str
    person: str | None


@dataclass(frozen=True)
class ScheduleNow:
    name: str
    layers: list[OnCallLayer]


@dataclass(frozen=True)
class AlertLine:
    status: str
    summary: str
    service: str | None
    count: int
    last_seen: str
    incident_number: int | None


@dataclass(frozen=True)
class Dashboard:
    groups: list[PriorityGroup]
    open_total: int
    shown_total: int
    on_call: list[ScheduleNow] = field(default_factory=list)
    alerts: list[AlertLine] = field(default_factory=list)


def age(since: datetime, now: datetime) -> str:
    """ "12 min", "3 h", "2 d": how long ago, as a responder says it at a glance."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def dashboard(session: Session, sight: Sight, now: datetime) -> Dashboard:
    people = {person.id: person.name for person in list_people(session)}
    found = overview.open_incidents(session, sight)
    return Dashboard(
        groups=_groups(session, found, people, now),
        open_total=found.total,
        shown_total=len(found.shown),
        on_call=_on_call(session, people, now),
        alerts=_alerts(session, sight, now),
    )


def _groups(
    session: Session, found: overview.OpenOverview, people: dict[str, str], now: datetime
) -> list[PriorityGroup]:
    policy = load_policy(session)
    services = {s.id: s.name for s in list_services(session, include_inactive=True)}
    groups: list[PriorityGroup] = []
    for priority, count in found.counts.items():
        level = policy.levels.get(priority)
        cards = [
            IncidentCard(
                incident=incident,
                age=age(incident.declared_at, now),
                service=services.get(incident.service_id, incident.service_id),
                commander=people.get(incident.commander, incident.commander)
                if incident.commander
                else None,
            )
            for incident in found.shown
            if incident.priority == priority
        ]
        label = level.label if level is not None else priority
        groups.append(PriorityGroup(priority=priority, label=label, count=count, incidents=cards))
    return groups


def _on_call(session: Session, people: dict[str, str], now: datetime) -> list[ScheduleNow]:
    schedules = directory.active_schedules(session)
    holders = directory.on_call(session, schedules, now)
    found: list[ScheduleNow] = []
    for schedule in schedules:
        layers = [
            OnCallLayer(h.layer, people.get(h.person, h.person) if h.person else None)
            for h in holders
            if h.schedule == schedule.id
        ]
        found.append(ScheduleNow(name=schedule.name, layers=layers))
    return found


def _alerts(session: Session, sight: Sight, now: datetime) -> list[AlertLine]:
    page, _cursor = alert_queries.list_alerts(
        session, alert_queries.AlertFilter(limit=RECENT_ALERTS)
    )
    numbers = overview.visible_numbers(session, (a.incident_id for a in page), sight)
    return [
        AlertLine(
            status=alert.status,
            summary=alert.summary,
            service=alert.service_id,
            count=alert.count,
            last_seen=age(alert.last_seen_at, now),
            incident_number=numbers.get(alert.incident_id) if alert.incident_id else None,
        )
        for alert in page
    ]
