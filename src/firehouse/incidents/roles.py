"""Incident roles and acknowledgement: who leads, who talks, who helps, and since when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.catalog.service import active_person
from firehouse.errors import InvalidInput, NotFound
from firehouse.incidents.model import Incident, RoleAssignment
from firehouse.incidents.policy import Role
from firehouse.incidents.recording import load_for_change, record
from firehouse.outbox.events import EventType


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role '{value}'; use one of {allowed}", field="role") from None


def assign_role(
    session: Session,
    number: int,
    role: str,
    person: str,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    parsed = parse_role(role)
    incident = load_for_change(session, number, expected_version)
    assign(session, incident, parsed, person, actor=actor, now=now)
    return incident


def remove_role(
    session: Session,
    number: int,
    role: str,
    person: str,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    parsed = parse_role(role)
    incident = load_for_change(session, number, expected_version)
    held = [a for a in incident.roles if a.role == parsed.value and a.person_id == person]
    if not held:
        raise NotFound(f"{person} is not {parsed.label} of incident {number}", field="person")
    incident.roles.remove(held[0])
    session.delete(held[0])
    record(
        session,
        incident,
        kind="role_removed",
        text=f"{person} is no longer {parsed.label}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_ROLE_REMOVED,
        data={"role": parsed.value, "person": person},
    )
    return incident


def acknowledge(session: Session, number: int, *, actor: str, now: datetime) -> Incident:
    """Idempotent: the first acknowledgement is the one that counts for time-to-acknowledge."""
    incident = load_for_change(session, number, None)
    _acknowledge(session, incident, actor=actor, now=now)
    return incident


def assign(
    session: Session, incident: Incident, role: Role, person: str, *, actor: str, now: datetime
) -> None:
    active_person(session, person)
    holders = incident.holders(role)
    if person in holders:
        return
    previous = None
    if role.single_holder and holders:
        previous = holders[0]
        for assignment in [a for a in incident.roles if a.role == role.value]:
            incident.roles.remove(assignment)
            session.delete(assignment)
        session.flush()
    incident.roles.append(
        RoleAssignment(role=role.value, person_id=person, assigned_at=now, assigned_by=actor)
    )
    text = (
        f"{role.label.capitalize()} changed from {previous} to {person}"
        if previous
        else f"{person} assigned as {role.label}"
    )
    record(
        session,
        incident,
        kind="role_assigned",
        text=text,
        actor=actor,
        now=now,
        event=EventType.INCIDENT_ROLE_ASSIGNED,
        data={"role": role.value, "person": person, "previous": previous},
    )
    if role is Role.COMMANDER:
        _acknowledge(session, incident, actor=actor, now=now)


def _acknowledge(session: Session, incident: Incident, *, actor: str, now: datetime) -> None:
    if incident.acknowledged_at is not None:
        return
    incident.acknowledged_at = now
    record(
        session,
        incident,
        kind="acknowledged",
        text="Acknowledged",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_ACKNOWLEDGED,
    )
