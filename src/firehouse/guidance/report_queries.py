"""Reading the rows a report is made of, and the report use case itself.

An incident belongs to a period by the moment it was declared, from the first day (00:00 UTC)
up to but not including the last. Training incidents (drills) never count, and private
incidents count only for those who may see them: a count is as much a leak as a row.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import InvalidInput
from firehouse.guidance.model import ChecklistItem, Postmortem
from firehouse.guidance.reports import (
    ChecklistRow,
    IncidentRow,
    PostmortemRow,
    Rows,
    Summary,
    summarise,
)
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import Sight, visible

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DEFAULT_DAYS = 30
MAX_DAYS = 3660  # ten years: a bound so one request cannot ask for the whole calendar


def parse_day(text: str | None, field: str) -> date | None:
    """`YYYY-MM-DD`, or None when not given; anything else names the field at fault."""
    if text is None or not text.strip():
        return None
    try:
        if not _DAY.fullmatch(text.strip()):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"must be a date as YYYY-MM-DD, not {text.strip()[:40]!r}", field=field
        ) from None


def period(start: date | None, end: date | None, *, now: datetime) -> tuple[date, date]:
    """The period asked for; by default the last 30 days up to and including today."""
    last = end or (now.astimezone(UTC).date() + timedelta(days=1))
    first = start or (last - timedelta(days=DEFAULT_DAYS))
    if first > last:
        raise InvalidInput(f"must not be after 'to' ({last.isoformat()})", field="from")
    if (last - first).days > MAX_DAYS:
        raise InvalidInput(f"the period may span at most {MAX_DAYS} days", field="to")
    return first, last


def summary(
    session: Session, sight: Sight, *, start: date | None, end: date | None, now: datetime
) -> Summary:
    first, last = period(start, end, now=now)
    rows = read_rows(session, sight, start=first, end=last)
    return summarise(rows, start=first, end=last, now=now)


def read_rows(session: Session, sight: Sight, *, start: date, end: date) -> Rows:
    counted = (
        select(Incident.id)
        .where(
            Incident.created_at >= _midnight(start),
            Incident.created_at < _midnight(end),
            Incident.training.is_(False),
            visible(sight),
        )
        .scalar_subquery()
    )
    incidents = session.execute(
        select(
            Incident.number,
            Incident.priority,
            Incident.service_id,
            Incident.status,
            Incident.created_at,
            Incident.acknowledged_at,
            Incident.resolved_at,
        )
        .where(Incident.id.in_(counted))
        .order_by(Incident.number)
    )
    checklist = session.execute(
        select(Incident.number, ChecklistItem.key, ChecklistItem.state)
        .join(Incident, Incident.id == ChecklistItem.incident_id)
        .where(ChecklistItem.incident_id.in_(counted))
    )
    postmortems = session.execute(
        select(Incident.number, Postmortem.state, Postmortem.due_at)
        .join(Incident, Incident.id == Postmortem.incident_id)
        .where(Postmortem.incident_id.in_(counted))
    )
    return Rows(
        incidents=[IncidentRow(*row) for row in incidents],
        checklist=[ChecklistRow(*row) for row in checklist],
        postmortems=[PostmortemRow(*row) for row in postmortems],
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
