"""Reading public incidents and maintenances for responders (drafts included).

Pages are newest first; the cursor is the id of the last item of the previous page, so a
page never repeats or skips an item when new incidents arrive in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from firehouse.errors import InvalidInput, NotFound
from firehouse.incidents.visibility import EVERYTHING, Sight
from firehouse.statuspage.linking import internal_id
from firehouse.statuspage.model import Maintenance, PublicIncident
from firehouse.statuspage.service_components import FINAL_STATUSES

MAX_PAGE = 200


@dataclass(frozen=True)
class IncidentFilter:
    status: str | None = None
    published: bool | None = None
    pending_resolution: bool | None = None
    incident: int | None = None  # the internal incident's number
    sight: Sight = EVERYTHING  # whose request: a private incident they may not see is missing
    cursor: str | None = None
    limit: int = 50


def list_incidents(
    session: Session, criteria: IncidentFilter
) -> tuple[list[PublicIncident], str | None]:
    """A page and the cursor of the next one (None on the last page)."""
    query = select(PublicIncident).options(
        selectinload(PublicIncident.components), selectinload(PublicIncident.updates)
    )
    if criteria.status is not None:
        query = query.where(PublicIncident.status == criteria.status)
    if criteria.published is not None:
        published = PublicIncident.published_at.is_not(None)
        query = query.where(published if criteria.published else ~published)
    if criteria.pending_resolution is not None:
        pending = and_(
            PublicIncident.resolution_proposed_at.is_not(None),
            PublicIncident.status.not_in(FINAL_STATUSES),
        )
        query = query.where(pending if criteria.pending_resolution else ~pending)
    if criteria.incident is not None:
        query = query.where(
            PublicIncident.incident_id == internal_id(session, criteria.incident, criteria.sight)
        )
    if criteria.cursor is not None:
        query = _after(session, query, criteria.cursor)
    rows = list(
        session.scalars(
            query.order_by(PublicIncident.created_at.desc(), PublicIncident.id.desc()).limit(
                criteria.limit + 1
            )
        )
    )
    more = len(rows) > criteria.limit
    page = rows[: criteria.limit]
    return page, page[-1].id if more else None


def _after(session: Session, query: Select[PublicIncident], cursor: str) -> Select[PublicIncident]:
    last = session.get(PublicIncident, cursor)
    if last is None:
        raise InvalidInput("must be a next_cursor value from a previous page", field="cursor")
    return query.where(
        or_(
            PublicIncident.created_at < last.created_at,
            and_(PublicIncident.created_at == last.created_at, PublicIncident.id < last.id),
        )
    )


def get_incident(session: Session, public_id: str) -> PublicIncident:
    incident = session.scalar(
        select(PublicIncident)
        .where(PublicIncident.id == public_id)
        .options(selectinload(PublicIncident.components), selectinload(PublicIncident.updates))
    )
    if incident is None:
        raise NotFound(f"no public incident '{public_id}'", field="id")
    return incident


def list_maintenances(
    session: Session, *, status: str | None = None, limit: int = 50
) -> list[Maintenance]:
    """The latest windows first."""
    query = select(Maintenance).options(selectinload(Maintenance.updates))
    if status is not None:
        query = query.where(Maintenance.status == status)
    order = (Maintenance.scheduled_for.desc(), Maintenance.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def get_maintenance(session: Session, maintenance_id: str) -> Maintenance:
    maintenance = session.scalar(
        select(Maintenance)
        .where(Maintenance.id == maintenance_id)
        .options(selectinload(Maintenance.updates))
    )
    if maintenance is None:
        raise NotFound(f"no maintenance '{maintenance_id}'", field="id")
    return maintenance
