"""How the status page follows internal incidents: the outbox handler of kind `statuspage`.

- Declared, or raised to a priority whose policy expects a status page update (and not
  training): a draft public incident linked to the internal one, with the policy's impact,
  the service's components in the policy's component status, and neutral text from a
  template — never the internal message or description, which are written for responders.
  Published at once when the level says `statuspage_publish: immediately`.
- Raised later: impact and component statuses go up on the linked one, never down.
- Resolved or closed: its resolution is proposed (listed under `pending_resolution` until a
  responder resolves it with a final update). Reopened: the proposal is withdrawn.
- Made private: an unpublished draft is deleted (a published one stays).

Idempotent: every step checks the state it would create, so a delivery seen twice changes
nothing more. It writes only the database, so it never needs to retry a third party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Service
from firehouse.catalog.service import load_policy
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import PriorityLevel
from firehouse.incidents.service import record_integration_step
from firehouse.outbox.envelope import Envelope
from firehouse.outbox.events import EventType
from firehouse.statuspage import linking, service_incidents
from firehouse.statuspage.model import Component, PublicIncident
from firehouse.statuspage.policy import COMPONENT_STATUS_FOR_IMPACT, Impact

SUBSCRIPTION = "statuspage"
KIND = "statuspage"
ACTOR = "firehouse"
TIMELINE_KIND = "statuspage"

PREPARE = frozenset({EventType.INCIDENT_DECLARED, EventType.INCIDENT_PRIORITY_CHANGED})
ENDED = frozenset({EventType.INCIDENT_RESOLVED, EventType.INCIDENT_CLOSED})

# Public names by impact: what users notice, in words that promise nothing internal.
NAMES = {
    Impact.CRITICAL: "{service} — service unavailable",
    Impact.MAJOR: "{service} — partial outage",
    Impact.MINOR: "{service} — degraded service",
    Impact.NONE: "{service} — investigating reports",
}
FIRST_UPDATE = (
    "We are investigating reports of problems with {service}. "
    "We will post an update as soon as we know more."
)


@dataclass(frozen=True)
class Wanted:
    """What the policy asks of the public incident at the incident's current priority."""

    impact: str
    component_status: str
    publish: bool


def wanted(level: PriorityLevel) -> Wanted:
    impact = Impact(level.statuspage_impact)
    status = level.statuspage_component_status or COMPONENT_STATUS_FOR_IMPACT[impact].value
    return Wanted(impact.value, status, level.statuspage_publish == "immediately")


class StatuspageFlow:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def __call__(self, envelope: Envelope) -> None:
        incident = envelope.payload.get("incident") or {}
        number = incident.get("number")
        if not isinstance(number, int):
            return  # not an incident event: nothing here to follow
        if envelope.event_type in PREPARE:
            self._prepare(incident)
        elif envelope.event_type in ENDED:
            self._propose_resolution(number)
        elif envelope.event_type == EventType.INCIDENT_REOPENED:
            self._withdraw_proposal(number)
        elif envelope.event_type == EventType.INCIDENT_UPDATED and incident.get("private"):
            self._withdraw_draft(number)

    def _prepare(self, snapshot: dict[str, Any]) -> None:
        number = int(snapshot["number"])
        now = self.clock.now()
        with self.db.write() as session:
            level = load_policy(session).levels.get(str(snapshot.get("priority")))
            if level is None or not expects_update(level, snapshot):
                return
            target = wanted(level)
            existing = linking.linked_to_number(session, number)
            if existing is None:
                text = _create(session, snapshot, target, now=now)
            else:
                text = _raise(session, existing, target, now=now)
            if text:
                record_integration_step(
                    session, number, kind=TIMELINE_KIND, text=text, actor=ACTOR, now=now
                )

    def _propose_resolution(self, number: int) -> None:
        now = self.clock.now()
        with self.db.write() as session:
            incident_id = _internal_id(session, number)
            public = None
            if incident_id is not None:
                public = linking.propose_resolution(session, incident_id, now=now)
            if public is None:
                return
            text = (
                f"Public incident {public.id} is still {public.status}: resolve it with a final "
                f'update (`firehouse statuspage resolve {number} "message"`)'
            )
            record_integration_step(
                session, number, kind=TIMELINE_KIND, text=text, actor=ACTOR, now=now
            )

    def _withdraw_draft(self, number: int) -> None:
        """The incident became private: a draft public incident prepared for it would announce
        what only participants may know, so it is deleted before anyone publishes it. One
        already published stays (it is public already); responders decide what it says next."""
        now = self.clock.now()
        with self.db.write() as session:
            public = linking.linked_to_number(session, number)
            if public is None or public.published_at is not None:
                return
            session.delete(public)
            record_integration_step(
                session,
                number,
                kind=TIMELINE_KIND,
                text=f"Deleted draft public incident {public.id}: the incident is private",
                actor=ACTOR,
                now=now,
            )

    def _withdraw_proposal(self, number: int) -> None:
        with self.db.write() as session:
            incident_id = _internal_id(session, number)
            if incident_id is not None:
                linking.withdraw_proposal(session, incident_id)


def expects_update(level: PriorityLevel, snapshot: dict[str, Any]) -> bool:
    """Training incidents, and levels that expect no update (P4, P5 by default), never do;
    nor do private ones: a public incident would announce what only participants may know.
    A snapshot without `private` (an event queued before the field existed) counts as
    ordinary, as the incident was then."""
    if level.training_only or bool(snapshot.get("training")) or bool(snapshot.get("private")):
        return False
    return level.statuspage_update_expected


def _create(session: Session, snapshot: dict[str, Any], target: Wanted, *, now: datetime) -> str:
    service = session.get(Service, str(snapshot.get("service")))
    service_name = service.name if service is not None else "our service"
    component_ids = _active_components(session, service.components if service else [])
    public = service_incidents.create_incident(
        session,
        name=NAMES[Impact(target.impact)].format(service=service_name),
        impact=target.impact,
        components=dict.fromkeys(component_ids, target.component_status),
        body=FIRST_UPDATE.format(service=service_name),
        publish=target.publish,
        incident_id=_internal_id(session, int(snapshot["number"])),
        actor=ACTOR,
        now=now,
    )
    if target.publish:
        return f"Published public incident {public.id} ({public.impact} impact)"
    return (
        f"Prepared draft public incident {public.id} ({public.impact} impact): review and "
        f"publish it (`firehouse statuspage publish {snapshot['number']}`)"
    )


def _raise(session: Session, public: PublicIncident, target: Wanted, *, now: datetime) -> str:
    if public.status in {"resolved", "postmortem"}:
        return ""
    changed = service_incidents.raise_impact(
        session, public.id, target.impact, target.component_status, now=now
    )
    published = False
    if target.publish and public.published_at is None:
        service_incidents.publish_incident(session, public.id, actor=ACTOR, now=now)
        published = True
    parts = []
    if "impact" in changed:
        parts.append(f"raised public incident {public.id} to {public.impact} impact")
    if published:
        parts.append(f"published public incident {public.id}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _active_components(session: Session, component_ids: list[str]) -> list[str]:
    if not component_ids:
        return []
    active = set(
        session.scalars(
            select(Component.id).where(Component.id.in_(component_ids), Component.active.is_(True))
        )
    )
    return [cid for cid in component_ids if cid in active]


def _internal_id(session: Session, number: int) -> int | None:
    return session.scalar(select(Incident.id).where(Incident.number == number))
