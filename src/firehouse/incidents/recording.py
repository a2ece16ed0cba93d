"""What every change to an incident shares: load it locked, then record what happened.

`record` is the single place where a change becomes a timeline entry and an outbox event,
so no use case can forget either, and both land in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import hooks as guidance_hooks
from firehouse.incidents.model import Incident, IncidentCounter, TimelineEntry
from firehouse.incidents.policy import Role
from firehouse.outbox.append import append
from firehouse.outbox.events import DomainEvent, EventType

COUNTER = "incidents"
CLOCK_SKEW_SECONDS = 60


def next_number(session: Session) -> int:
    """Consecutive numbers: the counter row is locked until the declaring transaction ends."""
    bump = (
        update(IncidentCounter)
        .where(IncidentCounter.name == COUNTER)
        .values(value=IncidentCounter.value + 1)
        .returning(IncidentCounter.value)
    )
    number = session.scalar(bump)
    if number is None:
        session.add(IncidentCounter(name=COUNTER, value=1))
        session.flush()
        return 1
    return int(number)


def load_for_change(session: Session, number: int, expected_version: int | None) -> Incident:
    """Lock the incident row (PostgreSQL) so concurrent changes queue instead of clashing."""
    incident = session.scalar(
        select(Incident)
        .where(Incident.number == number)
        .options(selectinload(Incident.roles), selectinload(Incident.links))
        .with_for_update(of=Incident)
    )
    if incident is None:
        raise NotFound(f"no incident {number}", field="number")
    if expected_version is not None and expected_version != incident.version:
        raise Conflict(
            f"incident {number} is at version {incident.version}, not {expected_version}: "
            "it changed since you read it; reload and try again",
            field="If-Match",
        )
    return incident


def record(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    text: str,
    actor: str,
    now: datetime,
    event: EventType,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    bump_version: bool = True,
) -> TimelineEntry:
    """`bump_version=False` only for the entry that creates the incident (it starts at 1)."""
    incident.updated_at = now
    if bump_version:
        flag_modified(incident, "updated_at")  # every change bumps the version, at equal times too
    entry = TimelineEntry(
        incident_id=incident.id,
        kind=kind,
        text=text,
        actor=actor,
        occurred_at=occurred_at or now,
        recorded_at=now,
        data=data or {},
    )
    session.add(entry)
    session.flush()
    payload = {
        "incident": snapshot(incident),
        "change": {"kind": kind, "text": text, **(data or {})},
    }
    payload["change"]["actor"] = actor
    append(session, DomainEvent(event, stream=f"incident:{incident.number}", data=payload), now=now)
    guidance_hooks.after_record(
        session, incident, kind=kind, event=event.value, data=data or {}, actor=actor, now=now
    )
    return entry


def snapshot(incident: Incident) -> dict[str, Any]:
    """A plain, JSON-ready picture of the incident, as integrations receive it."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "number": incident.number,
        "message": incident.message,
        "description": incident.description,
        "service": incident.service_id,
        "priority": incident.priority,
        "status": incident.status,
        "reporter": incident.reporter,
        "source_url": incident.source_url,
        "tags": list(incident.tags),
        "training": incident.training,
        # Integrations must know: chat makes the channel private, webhooks and the status page
        # stay silent about it.
        "private": incident.private,
        "commander": next(iter(incident.holders(Role.COMMANDER)), None),
        "communications_lead": next(iter(incident.holders(Role.COMMUNICATIONS_LEAD)), None),
        "responders": incident.holders(Role.RESPONDER),
        "links": [{"kind": ln.kind, "url": ln.url, "title": ln.title} for ln in incident.links],
        "version": incident.version,
        "created_at": when(incident.created_at),
        "detected_at": when(incident.detected_at),
        "acknowledged_at": when(incident.acknowledged_at),
        "resolved_at": when(incident.resolved_at),
        "closed_at": when(incident.closed_at),
    }


def required_text(value: str | None, field: str, limit: int = 20000) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput("must not be empty", field=field)
    if len(text) > limit:
        raise InvalidInput(f"must be at most {limit} characters", field=field)
    return text


def not_in_future(moment: datetime, now: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field=field)
    if (moment - now).total_seconds() > CLOCK_SKEW_SECONDS:
        raise InvalidInput("must not be in the future", field=field)
    return moment
