"""What the incident page shows, read in a fixed handful of queries whatever the timeline's
length: the incident with its roles and links, its timeline, its channel and public incident,
and the choices its forms offer. The page must stay fast with a thousand entries, so entries
are read as plain rows (no ORM identity map) and never trigger a query each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person, Service
from firehouse.catalog.service import list_people, load_policy
from firehouse.chat.model import IncidentChannel
from firehouse.chat.queries import channels_of
from firehouse.incidents import queries
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.policy import LinkKind, PriorityLevel, Role, Status, can_transition
from firehouse.incidents.visibility import Sight
from firehouse.statuspage.linking import linked_to
from firehouse.statuspage.model import Component, PublicIncident, PublicUpdate
from firehouse.statuspage.policy import IncidentStatus

# The kinds a responder picks from; `other` stays for the API and integrations.
LINK_KINDS: tuple[str, ...] = tuple(k.value for k in LinkKind if k is not LinkKind.OTHER)
PUBLIC_STATUSES: tuple[str, ...] = tuple(
    s.value for s in IncidentStatus if s is not IncidentStatus.POSTMORTEM
)


@dataclass(frozen=True)
class Entry:
    """One timeline entry as the page needs it; built from a row, not an ORM object."""

    id: int
    kind: str
    text: str
    actor: str
    occurred_at: datetime
    # Formatted once here: cheaper than filters in the template, a thousand times over.
    iso: str = ""
    shown: str = ""
    kind_label: str = ""

    @classmethod
    def of(cls, id: int, kind: str, text: str, actor: str, occurred_at: datetime) -> Entry:
        iso = occurred_at.isoformat()
        return cls(
            id,
            kind,
            text,
            actor,
            occurred_at,
            iso,
            iso[:16].replace("T", " "),
            kind.replace("_", " "),
        )


@dataclass(frozen=True)
class PublicState:
    """The linked public incident as the panel shows it."""

    id: str
    name: str
    status: str
    impact: str
    published: bool
    updated_at: datetime
    last_update: str | None


@dataclass
class Summary:
    """The part of the page that live updates swap: header, roles, links, allowed actions."""

    incident: Incident
    service_name: str
    people: dict[str, str]
    channel: IncidentChannel | None
    public: PublicState | None
    statuspage_enabled: bool

    @property
    def commander(self) -> str | None:
        holders = self.incident.holders(Role.COMMANDER)
        return self.name_of(holders[0]) if holders else None

    def name_of(self, actor: str) -> str:
        return self.people.get(actor, actor)

    def can(self, target: str) -> bool:
        """Which lifecycle buttons to show; the service still decides when one is pressed."""
        return can_transition(Status(self.incident.status), Status(target))

    @property
    def roles(self) -> list[tuple[str, str, str]]:
        """(role, role label, person id) for every holder, in the policy's role order."""
        order = {role.value: index for index, role in enumerate(Role)}
        held = sorted(self.incident.roles, key=lambda a: (order.get(a.role, 99), a.id))
        return [(a.role, a.role.replace("_", " "), a.person_id) for a in held]


EntryRow = tuple[int, str, str, str, datetime]


@dataclass
class IncidentView:
    summary: Summary
    entries: list[EntryRow]
    levels: list[PriorityLevel]
    people_list: list[Person] = field(default_factory=list)

    @property
    def last_entry_id(self) -> int:
        return max((row[0] for row in self.entries), default=0)


ROLE_CHOICES: tuple[tuple[str, str], ...] = tuple((role.value, role.label) for role in Role)


def load_summary(session: Session, number: int, sight: Sight) -> tuple[Summary, list[Person]]:
    incident = queries.get_incident(session, number, sight)
    service = session.get(Service, incident.service_id)
    people = list_people(session)
    channel = channels_of(session, [incident.id]).get(incident.id)
    public = linked_to(session, [incident.id]).get(incident.id)
    enabled = public is not None or bool(session.scalar(select(exists().select_from(Component))))
    summary = Summary(
        incident=incident,
        service_name=service.name if service is not None else incident.service_id,
        people={person.id: person.name for person in people},
        channel=channel,
        public=_public_state(session, public) if public is not None else None,
        statuspage_enabled=enabled,
    )
    return summary, people


def load_view(session: Session, number: int, sight: Sight) -> IncidentView:
    summary, people = load_summary(session, number, sight)
    return IncidentView(
        summary=summary,
        entries=entry_rows(session, summary.incident.id),
        levels=load_policy(session).ordered(),
        people_list=people,
    )


def entries_after(session: Session, incident_id: int, after: int) -> list[Entry]:
    """Oldest first, as the page lists them; `after` an entry id, for the live stream."""
    return [Entry.of(*row) for row in entry_rows(session, incident_id, after)]


def entry_rows(session: Session, incident_id: int, after: int = 0) -> list[EntryRow]:
    rows = session.execute(
        select(
            TimelineEntry.id,
            TimelineEntry.kind,
            TimelineEntry.text,
            TimelineEntry.actor,
            TimelineEntry.occurred_at,
        )
        .where(TimelineEntry.incident_id == incident_id, TimelineEntry.id > after)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


def _public_state(session: Session, public: PublicIncident) -> PublicState:
    last: Any = session.scalar(
        select(PublicUpdate.body)
        .where(PublicUpdate.public_incident_id == public.id)
        .order_by(PublicUpdate.created_at.desc())
        .limit(1)
    )
    return PublicState(
        id=public.id,
        name=public.name,
        status=public.status,
        impact=public.impact,
        published=public.published_at is not None,
        updated_at=public.updated_at,
        last_update=str(last) if last is not None else None,
    )
