"""The `incident` action: raise an incident for an alert, or attach the alert to the one its
rule already raised for the same service, and tell that incident when its alerts are over.

An alert storm makes one incident. The group (rule, service) stays open while its incident is
open; the first alert after a responder resolved it raises a new one. Concurrent first alerts
of a group cannot raise two incidents: the group's UNIQUE open key lets one insert win, and
the loser's declare is rolled back with its savepoint before it attaches to the winner's.

Timeline, coalesced so a storm cannot bury the responders' notes: the alert that raised the
incident gets one entry; the first ATTACH_NOTED alerts attached after it one each; after that
an entry only when the count reaches a milestone (10, 25, 50, 100, 250, 500, 1000, then every
1000), saying how many are attached and how many since the last entry. The count is always on
the group, and every alert row names its incident. When all attached alerts have resolved,
one entry says so, once per group (a responder still resolves the incident).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firehouse.alerts.events import AlertEvent
from firehouse.alerts.model import Alert, AlertGroup
from firehouse.alerts.routing import DEFAULT_PRIORITY, Decision
from firehouse.catalog.model import Service
from firehouse.catalog.service import load_policy
from firehouse.errors import DomainError
from firehouse.incidents import service as incidents
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Status

ATTACH_NOTED = 3
MILESTONES = (10, 25, 50, 100, 250, 500, 1000)
MAX_MESSAGE = 300


@dataclass(frozen=True)
class Raised:
    """What the action did: the incident's number, or why it could not raise one."""

    incident_number: int | None
    note: str = ""


def raise_or_attach(
    session: Session, alert: Alert, event: AlertEvent, decision: Decision, *, now: datetime
) -> Raised:
    """Sets the alert's incident and group; never raises for a fault of the alert's content
    (an unknown service, say): the alert is then only recorded, with a note why."""
    service_id = decision.service
    service = session.get(Service, service_id) if service_id else None
    if service is None or not service.active:
        named = f"'{service_id}'" if service_id else "none"
        return Raised(None, f"no incident raised: no known service (the alert names {named})")
    key = f"{decision.rule}:{service.id}"
    group = _open_group(session, key, now=now)
    if group is not None:
        return Raised(_attach(session, group, alert, now=now))
    try:
        with session.begin_nested():
            number = _raise(
                session, alert, event, decision=decision, service_id=service.id, key=key, now=now
            )
    except IntegrityError:
        group = _open_group(session, key, now=now)  # raised by a concurrent delivery
        if group is None:
            raise
        return Raised(_attach(session, group, alert, now=now))
    except DomainError as exc:
        return Raised(None, f"no incident raised: {exc.message}")
    return Raised(number)


def _open_group(session: Session, key: str, *, now: datetime) -> AlertGroup | None:
    """The group's open incident, locked; a group whose incident is no longer open closes."""
    group = session.scalar(select(AlertGroup).where(AlertGroup.open_key == key).with_for_update())
    if group is None:
        return None
    status = session.scalar(select(Incident.status).where(Incident.id == group.incident_id))
    if status == Status.OPEN.value:
        return group
    group.open_key = None
    group.closed_at = now
    session.flush()
    return None


def _raise(
    session: Session,
    alert: Alert,
    event: AlertEvent,
    *,
    decision: Decision,
    service_id: str,
    key: str,
    now: datetime,
) -> int:
    actor = f"alerts:{decision.rule}"
    policy = load_policy(session)
    priority = decision.priority if decision.priority in policy.levels else DEFAULT_PRIORITY
    incident = incidents.declare(
        session,
        incidents.Declaration(
            service=service_id,
            message=_message(event),
            priority=priority or DEFAULT_PRIORITY,
            description=event.description.strip()[:20000],
            source_url=_first_url(event.links),
            detected_at=min(event.starts_at, now) if event.starts_at else None,
        ),
        actor=actor,
        now=now,
    )
    group = AlertGroup(
        rule=decision.rule or "",
        service_id=service_id,
        incident_id=incident.id,
        open_key=key,
        alert_count=1,
        open_alerts=1,
        noted_count=1,
        created_at=now,
    )
    session.add(group)
    session.flush()
    alert.group_id = group.id
    alert.incident_id = incident.id
    incidents.record_integration_step(
        session,
        incident.number,
        kind="alert",
        text=f"Raised by alert {alert.id} from {alert.source} (rule {decision.rule})",
        actor=actor,
        now=now,
        data={"alert_id": alert.id, "fingerprint": alert.fingerprint},
    )
    return incident.number


def _attach(session: Session, group: AlertGroup, alert: Alert, *, now: datetime) -> int:
    group.alert_count += 1
    group.open_alerts += 1
    alert.group_id = group.id
    alert.incident_id = group.incident_id
    number = session.scalar(select(Incident.number).where(Incident.id == group.incident_id)) or 0
    if should_note(group.alert_count):
        since = group.alert_count - group.noted_count
        text = (
            f"Alert {alert.id} attached: {alert.summary or alert.fingerprint}"
            if since == 1
            else f"{group.alert_count} alerts attached in all ({since} since the last entry); "
            f"latest: {alert.summary or alert.fingerprint}"
        )
        incidents.record_integration_step(
            session,
            number,
            kind="alert",
            text=text,
            actor=f"alerts:{group.rule}",
            now=now,
            data={"alert_id": alert.id, "alerts": group.alert_count},
        )
        group.noted_count = group.alert_count
    session.flush()
    return number


def should_note(count: int) -> bool:
    """Whether the group's `count`-th alert (the first raised the incident) gets an entry."""
    return count <= 1 + ATTACH_NOTED or count in MILESTONES or (count > 1000 and count % 1000 == 0)


def alert_resolved(session: Session, group_id: int, *, now: datetime) -> None:
    """One attached alert fewer open; the last one says so on the incident's timeline."""
    group = session.scalar(select(AlertGroup).where(AlertGroup.id == group_id).with_for_update())
    if group is None:
        return
    group.open_alerts = max(0, group.open_alerts - 1)
    if group.open_alerts > 0 or group.all_resolved_noted:
        return
    group.all_resolved_noted = True
    incident = session.get(Incident, group.incident_id)
    if incident is None or incident.status == Status.CLOSED.value:
        return
    alerts = "the alert" if group.alert_count == 1 else f"all {group.alert_count} alerts"
    incidents.record_integration_step(
        session,
        incident.number,
        kind="alerts_resolved",
        text=f"{alerts.capitalize()} attached to this incident resolved; "
        "a responder still resolves the incident",
        actor=f"alerts:{group.rule}",
        now=now,
        data={"alerts": group.alert_count},
    )


def _message(event: AlertEvent) -> str:
    text = (
        " ".join((event.summary or "").split()) or f"Alert {event.fingerprint} from {event.source}"
    )
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _first_url(links: dict[str, str]) -> str | None:
    """The first link the incident will accept as its source (http(s), with a host)."""
    for url in links.values():
        if not isinstance(url, str) or len(url) > 2000 or url != url.strip():
            continue
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        if parts.scheme in {"http", "https"} and parts.netloc:
            return url
    return None
