"""The link between an internal incident and its public incident (at most one each way).

Responders name public incidents by the internal number they know (`firehouse statuspage
publish 12`), and an internal incident shows its public one; both read through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import NotFound
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import EVERYTHING, Sight, visible
from firehouse.statuspage.model import PublicIncident


def linked_to(session: Session, incident_ids: Iterable[int]) -> dict[int, PublicIncident]:
    """One query for a whole page of incidents; incidents without one are absent."""
    ids = list(incident_ids)
    if not ids:
        return {}
    rows = session.scalars(select(PublicIncident).where(PublicIncident.incident_id.in_(ids)))
    return {row.incident_id: row for row in rows if row.incident_id is not None}


def linked_to_number(session: Session, number: int) -> PublicIncident | None:
    return session.scalar(
        select(PublicIncident)
        .join(Incident, Incident.id == PublicIncident.incident_id)
        .where(Incident.number == number)
    )


def internal_id(session: Session, number: int, sight: Sight = EVERYTHING) -> int:
    """A private incident the caller may not see is missing, as everywhere else."""
    incident_id = session.scalar(
        select(Incident.id).where(Incident.number == number, visible(sight))
    )
    if incident_id is None:
        raise NotFound(f"no incident {number}", field="incident")
    return incident_id


def propose_resolution(
    session: Session, incident_id: int, *, now: datetime
) -> PublicIncident | None:
    """The internal incident is resolved: ask responders to resolve the public one too.

    Returns the public incident when this marked it; it stays listed under
    `pending_resolution` until a responder resolves it.
    """
    public = _linked_for_change(session, incident_id)
    if public is None or public.resolution_proposed_at is not None or _final(public):
        return None
    public.resolution_proposed_at = now
    return public


def withdraw_proposal(session: Session, incident_id: int) -> bool:
    """The internal incident was reopened: its public one is no longer due for resolution."""
    public = _linked_for_change(session, incident_id)
    if public is None or public.resolution_proposed_at is None or _final(public):
        return False
    public.resolution_proposed_at = None
    return True


def _linked_for_change(session: Session, incident_id: int) -> PublicIncident | None:
    return session.scalar(
        select(PublicIncident)
        .where(PublicIncident.incident_id == incident_id)
        .with_for_update(of=PublicIncident)
    )


def _final(public: PublicIncident) -> bool:
    return public.status in {"resolved", "postmortem"}


def numbers_of(
    session: Session, incident_ids: Iterable[int | None], sight: Sight = EVERYTHING
) -> dict[int, int]:
    """Internal incident id → number, in one query for a page of public incidents; a private
    incident the caller may not see has none (its public incident shows no internal link)."""
    ids = [incident_id for incident_id in incident_ids if incident_id is not None]
    if not ids:
        return {}
    rows = session.execute(
        select(Incident.id, Incident.number).where(Incident.id.in_(ids), visible(sight))
    )
    return {incident_id: number for incident_id, number in rows}
