"""`/incident status`: where an incident stands, in a few lines only the caller sees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from firehouse.catalog.model import Service
from firehouse.catalog.service import load_policy
from firehouse.clock import as_utc
from firehouse.errors import NotFound
from firehouse.guidance import checklist_service
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role


def summary(session: Session, number: int, base_url: str) -> str:
    incident = session.scalar(
        select(Incident)
        .where(Incident.number == number)
        .options(selectinload(Incident.roles), selectinload(Incident.links))
    )
    if incident is None:
        raise NotFound(f"no incident {number}", field="number")
    policy = load_policy(session)
    label = policy.level(incident.priority).label if incident.priority in policy.levels else ""
    service = session.get(Service, incident.service_id)
    url = f"{base_url.rstrip('/')}/incidents/{incident.number}"
    lines = [
        f"*<{url}|#{incident.number}> {label}: {incident.message}* ({incident.status})",
        f"Service: {service.name if service else incident.service_id}"
        + (" · training" if incident.training else ""),
        f"Commander: {_people(incident, Role.COMMANDER)}"
        f" · Communications lead: {_people(incident, Role.COMMUNICATIONS_LEAD)}"
        f" · Responders: {_people(incident, Role.RESPONDER)}",
        " · ".join(_moments(incident)),
    ]
    if incident.resolution_note:
        lines.append(f"Resolution: {incident.resolution_note}")
    lines += [f"{link.kind.replace('_', '-')}: {link.url}" for link in incident.links]
    if incident.status != "closed":
        lines.append(checklist_service.checklist_of(session, incident).summary())
    return "\n".join(lines)


def _people(incident: Incident, role: Role) -> str:
    return ", ".join(incident.holders(role)) or "nobody"


def _moments(incident: Incident) -> list[str]:
    moments = [
        ("declared", incident.created_at),
        ("acknowledged", incident.acknowledged_at),
        ("resolved", incident.resolved_at),
        ("closed", incident.closed_at),
    ]
    return [f"{what} {_when(moment)}" for what, moment in moments if moment is not None]


def _when(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")
