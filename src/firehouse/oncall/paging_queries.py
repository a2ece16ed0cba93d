"""Reading pages for the API and CLI: lists, one page with its notifications."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from firehouse.errors import InvalidInput, NotFound
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import (
    EVERYTHING,
    ORDINARY_ONLY,
    Sight,
    visible,
    visible_ids,
)
from firehouse.oncall.model import Page, PageNotification

STATUSES = ("triggered", "acknowledged", "exhausted", "cancelled")
MAX_LIST = 200


def list_pages(
    session: Session,
    *,
    status: str | None = None,
    incident: int | None = None,
    limit: int = 50,
    sight: Sight = ORDINARY_ONLY,
) -> list[Page]:
    """Newest first. A page of a private incident the caller may not see is left out: its
    message quotes the incident."""
    query = select(Page).order_by(Page.id.desc()).limit(min(limit, MAX_LIST))
    if not sight.everything:
        seen = select(Incident.id).where(visible(sight))
        query = query.where(or_(Page.incident_id.is_(None), Page.incident_id.in_(seen)))
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(f"use one of {', '.join(STATUSES)}", field="status")
        query = query.where(Page.status == status)
    if incident is not None:
        query = query.join(Incident, Incident.id == Page.incident_id).where(
            Incident.number == incident
        )
    return list(session.scalars(query))


def get_page(session: Session, page_id: int, sight: Sight = EVERYTHING) -> Page:
    """The page, or NotFound, also for a page of a private incident the caller may not see."""
    page = session.get(Page, page_id)
    if page is None or (page.incident_id and not visible_ids(session, [page.incident_id], sight)):
        raise NotFound(f"no page {page_id}", field="page")
    return page


def notifications_of(session: Session, page_id: int) -> list[PageNotification]:
    return list(
        session.scalars(
            select(PageNotification)
            .where(PageNotification.page_id == page_id)
            .order_by(PageNotification.round, PageNotification.step, PageNotification.id)
        )
    )


def incident_numbers(session: Session, pages: Iterable[Page]) -> dict[int, int]:
    """Incident id -> number for these pages' incidents, in one query."""
    ids = {page.incident_id for page in pages if page.incident_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Incident.id, Incident.number).where(Incident.id.in_(ids)))
    return {row.id: row.number for row in rows}


def latest_page_id(session: Session) -> int:
    """0 when there is none; a page with a higher id was raised after this was read."""
    return int(session.scalar(select(func.max(Page.id))) or 0)
