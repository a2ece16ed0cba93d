"""What the dashboard reads about incidents: the open ones a caller may see, each with its
roles and the state of its public incident, and the numbers behind a page of alerts.

Read-only, and filtered by `Sight` in SQL, so a private incident the caller may not see is
never loaded, listed or counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from firehouse.incidents.model import Incident
from firehouse.incidents.policy import PRIORITIES, Role, Status
from firehouse.incidents.visibility import Sight, visible
from firehouse.statuspage.model import PublicIncident

# The dashboard is a glance, not the list: past this many, the list page takes over.
MAX_SHOWN = 200


@dataclass(frozen=True)
class PublicState:
    """The linked public incident: a draft (not yet published) or its public status."""

    status: str
    published: bool


@dataclass(frozen=True)
class OpenIncident:
    number: int
    message: str
    priority: str
    service_id: str
    declared_at: datetime
    commander: str | None
    training: bool
    private: bool
    public: PublicState | None


@dataclass(frozen=True)
class OpenOverview:
    """`shown` is most urgent first (P1 first, then newest); `counts` covers every open
    incident the caller may see, shown or not."""

    shown: list[OpenIncident]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def open_incidents(session: Session, sight: Sight, *, limit: int = MAX_SHOWN) -> OpenOverview:
    return OpenOverview(shown=_shown(session, sight, limit), counts=_counts(session, sight))


def _shown(session: Session, sight: Sight, limit: int) -> list[OpenIncident]:
    # One round trip: the page of incidents (a LIMIT subquery) with their roles and the status
    # of the public incident each one may have (at most one, a unique foreign key).
    query = (
        select(Incident, PublicIncident.status, PublicIncident.published_at)
        .outerjoin(PublicIncident, PublicIncident.incident_id == Incident.id)
        .options(joinedload(Incident.roles))
        .where(Incident.status == Status.OPEN.value, visible(sight))
        .order_by(Incident.priority, Incident.number.desc())
        .limit(limit)
    )
    found: list[OpenIncident] = []
    for incident, public_status, published_at in session.execute(query).unique():
        commanders = incident.holders(Role.COMMANDER.value)
        public = (
            None
            if public_status is None
            else PublicState(status=public_status, published=published_at is not None)
        )
        found.append(
            OpenIncident(
                number=incident.number,
                message=incident.message,
                priority=incident.priority,
                service_id=incident.service_id,
                declared_at=incident.created_at,
                commander=commanders[0] if commanders else None,
                training=incident.training,
                private=incident.private,
                public=public,
            )
        )
    return found


def _counts(session: Session, sight: Sight) -> dict[str, int]:
    rows = session.execute(
        select(Incident.priority, func.count())
        .where(Incident.status == Status.OPEN.value, visible(sight))
        .group_by(Incident.priority)
    )
    counts = {priority: int(count) for priority, count in rows}
    return {p: counts[p] for p in PRIORITIES if counts.get(p)}


def visible_numbers(
    session: Session, incident_ids: Iterable[int | None], sight: Sight
) -> dict[int, int]:
    """Incident id → number for those the caller may see (one query): an alert attached to a
    private incident someone may not see shows no incident at all."""
    ids = {incident_id for incident_id in incident_ids if incident_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Incident.id, Incident.number).where(Incident.id.in_(ids), visible(sight))
    )
    return {incident_id: number for incident_id, number in rows}
