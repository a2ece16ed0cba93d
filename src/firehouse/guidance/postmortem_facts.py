"""Gathers what the postmortem document is written from: the incident, its timeline, its
links and follow-ups, and its public incident, as the plain facts the pure generator takes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Service
from firehouse.catalog.service import load_policy
from firehouse.guidance.model import FollowUp
from firehouse.guidance.postmortem import EntryFact, IncidentFacts, LinkFact, PublicFact
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.policy import LinkKind, Role
from firehouse.statuspage.model import PublicIncident

# Links that stand for work left behind; the others (playbook, postmortem) are not follow-ups.
FOLLOW_UP_LINK_KINDS = (LinkKind.FOLLOW_UP.value, LinkKind.BUG.value)


def facts_of(session: Session, incident: Incident) -> IncidentFacts:
    policy = load_policy(session)
    level = policy.levels.get(incident.priority)
    service = session.get(Service, incident.service_id)
    return IncidentFacts(
        number=incident.number,
        message=incident.message,
        description=incident.description,
        priority=incident.priority,
        priority_label=level.label if level else incident.priority,
        services=(service.name if service else incident.service_id,),
        commander=next(iter(incident.holders(Role.COMMANDER)), None),
        detected_at=incident.detected_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        resolution_note=incident.resolution_note,
        entries=_entries(session, incident),
        follow_ups=_follow_ups(session, incident),
        public=_public(session, incident),
        training=incident.training,
    )


def _entries(session: Session, incident: Incident) -> tuple[EntryFact, ...]:
    rows = session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    )
    return tuple(
        EntryFact(occurred_at=row.occurred_at, actor=row.actor, kind=row.kind, text=row.text)
        for row in rows
    )


def _follow_ups(session: Session, incident: Incident) -> tuple[LinkFact, ...]:
    links = [
        LinkFact(kind=link.kind, title=link.title, url=link.url)
        for link in incident.links
        if link.kind in FOLLOW_UP_LINK_KINDS
    ]
    linked = {link.url for link in links}
    rows = session.scalars(
        select(FollowUp).where(FollowUp.incident_id == incident.id).order_by(FollowUp.id)
    )
    tickets = [
        LinkFact(kind="follow_up", title=row.title, url=row.url, status=row.status)
        for row in rows
        if row.url is None or row.url not in linked
    ]
    return tuple(links + tickets)


def _public(session: Session, incident: Incident) -> PublicFact | None:
    public = session.scalar(select(PublicIncident).where(PublicIncident.incident_id == incident.id))
    if public is None:
        return None
    return PublicFact(
        name=public.name,
        impact=public.impact,
        started_at=public.published_at or public.created_at,
        resolved_at=public.resolved_at,
    )
