"""Finding incidents: filters, full-text search and keyset pagination, for the incident list
and its CSV export.

Criteria arrive as the strings of a shareable URL, so reading them is part of the use case:
every bad value is named by its field, all at once, and nothing is queried until they are
all good, before any incident is read. The search is case-insensitive LIKE conditions with
the words' wildcards escaped: no full-text index, and the same behaviour on both databases.
Visibility is one more condition in the same WHERE, before the LIMIT: a private incident
the caller may not see matches nothing, not even by its timeline's words, and pages stay full.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from firehouse.catalog.model import Person, Service
from firehouse.errors import InvalidInput
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.policy import PRIORITIES, Role, Status
from firehouse.incidents.visibility import ORDINARY_ONLY, Sight, visible

PAGE_SIZE = 50
MAX_WORDS = 10
MAX_TEXT = 200
STATUSES = tuple(status.value for status in Status)
FIELDS = ("status", "priority", "service", "declared_from", "declared_to", "q")


@dataclass(frozen=True)
class Criteria:
    """What to find. None (or empty words) means "any"; dates are whole UTC days, inclusive."""

    status: str | None = None
    priority: str | None = None
    service: str | None = None
    declared_from: date | None = None
    declared_to: date | None = None
    words: tuple[str, ...] = ()
    before: int | None = None
    after: int | None = None


class InvalidCriteria(InvalidInput):
    """Every bad criterion at once, by field, so a form can say each beside its control."""

    def __init__(self, problems: dict[str, str]) -> None:
        first = next(iter(problems))
        super().__init__(problems[first], field=first)
        self.problems = problems


def read_criteria(params: Mapping[str, str], services: Collection[str] | None = None) -> Criteria:
    """Criteria from a query string's values; blank means "any". Raises InvalidCriteria.
    With `services` (the catalogue's ids), a service filter must name one of them."""
    problems: dict[str, str] = {}
    status = _choice(params, "status", STATUSES, problems)
    priority = _choice(params, "priority", PRIORITIES, problems)
    service = params.get("service", "").strip() or None
    if service == "any":
        service = None
    if service is not None and (
        len(service) > 64 or (services is not None and service not in services)
    ):
        problems["service"] = f"no service “{service[:40]}” in the catalogue"
    start = _day(params, "declared_from", problems)
    end = _day(params, "declared_to", problems)
    if start and end and start > end:
        problems["declared_to"] = "must be on or after the “Declared from” date"
    text = params.get("q", "")
    if len(text) > MAX_TEXT:
        problems["q"] = f"must be at most {MAX_TEXT} characters"
    words = tuple(dict.fromkeys(word.lower() for word in text.split()))
    if len(words) > MAX_WORDS:
        problems["q"] = f"use at most {MAX_WORDS} words"
    before = _cursor(params, "before", problems)
    after = _cursor(params, "after", problems)
    if problems:
        raise InvalidCriteria(problems)
    return Criteria(status, priority, service, start, end, words, before, after)


def _choice(
    params: Mapping[str, str], name: str, allowed: tuple[str, ...], problems: dict[str, str]
) -> str | None:
    value = params.get(name, "").strip()
    if not value or value == "any":
        return None
    if value not in allowed:
        problems[name] = f"unknown {name} “{value[:40]}”; use {', '.join(allowed)}"
    return value


def _day(params: Mapping[str, str], name: str, problems: dict[str, str]) -> date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        problems[name] = "must be a date like 2026-01-31 (YYYY-MM-DD)"
        return None


def _cursor(params: Mapping[str, str], name: str, problems: dict[str, str]) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        problems[name] = "must be an incident number"
        return None
    return int(value)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _mentions(word: str) -> Any:
    """The word anywhere in the message, the description or one of the timeline's entries.

    `icontains(autoescape=True)` escapes % and _ (and its escape character), so they match
    themselves. The timeline is a correlated EXISTS on the (incident_id, occurred_at) index:
    for a common word the newest incidents match at once and the scan stops at the page's
    LIMIT; an IN over the whole timeline measured slower there and no faster for rare words.
    """
    in_timeline = exists().where(
        TimelineEntry.incident_id == Incident.id,
        TimelineEntry.text.icontains(word, autoescape=True),
    )
    return or_(
        Incident.message.icontains(word, autoescape=True),
        Incident.description.icontains(word, autoescape=True),
        in_timeline,
    )


def conditions(criteria: Criteria, sight: Sight) -> list[Any]:
    """The WHERE of every search, cursors aside; visibility first, so nothing bypasses it."""
    where: list[Any] = [visible(sight)]
    if criteria.status:
        where.append(Incident.status == criteria.status)
    if criteria.priority:
        where.append(Incident.priority == criteria.priority)
    if criteria.service:
        where.append(Incident.service_id == criteria.service)
    if criteria.declared_from:
        where.append(Incident.created_at >= _start_of(criteria.declared_from))
    if criteria.declared_to and criteria.declared_to < date.max:
        where.append(Incident.created_at < _start_of(criteria.declared_to + timedelta(days=1)))
    where.extend(_mentions(word) for word in criteria.words)
    return where


def find(
    session: Session,
    criteria: Criteria,
    sight: Sight = ORDINARY_ONLY,
    *,
    limit: int = PAGE_SIZE,
    before: int | None = None,
    after: int | None = None,
) -> list[Incident]:
    """Up to `limit` matching incidents with their roles, newest first: those numbered below
    `before`, or (for the way back) the oldest of those numbered above `after`."""
    where = conditions(criteria, sight)
    order = Incident.number.desc()
    if before is not None:
        where.append(Incident.number < before)
    if after is not None:
        where.append(Incident.number > after)
        order = Incident.number.asc()
    query = (
        select(Incident).options(joinedload(Incident.roles)).where(*where).order_by(order)
    ).limit(limit)
    rows = list(session.scalars(query).unique())
    return rows[::-1] if after is not None else rows


def _exists(session: Session, criteria: Criteria, sight: Sight, *extra: Any) -> bool:
    query = select(Incident.id).where(and_(*conditions(criteria, sight), *extra)).limit(1)
    return session.scalar(query) is not None


@dataclass
class ListPage:
    """One page of the list, the cursors around it, and the names the page shows."""

    incidents: list[Incident] = field(default_factory=list)
    older: int | None = None  # `before` for the next, older page
    newer: int | None = None  # `after` for the previous, newer page
    services: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # refused criteria, by field
    searched: bool = False


def criteria_for(session: Session, params: Mapping[str, str]) -> Criteria:
    """`read_criteria` checked against the catalogue's services. Raises InvalidCriteria."""
    return read_criteria(params, _service_names(session))


def list_page(
    session: Session, params: Mapping[str, str], sight: Sight = ORDINARY_ONLY
) -> ListPage:
    """The incident list's page for a query string. Refused criteria come back as `problems`
    beside the names the filter form needs, and no incidents. One query for the page
    (PAGE_SIZE + 1 rows tell whether more follow), one for the commanders' names, and with a
    cursor one more to ask whether anything lies on its other side."""
    page = ListPage(services=_service_names(session))
    try:
        criteria = read_criteria(params, page.services)
    except InvalidCriteria as refused:
        page.problems = refused.problems
        return page
    page.searched = bool(criteria.words)
    _fill(session, page, criteria, sight)
    page.people = _people_names(session, page.incidents)
    return page


def _fill(session: Session, page: ListPage, criteria: Criteria, sight: Sight) -> None:
    if criteria.after is not None:
        rows = find(session, criteria, sight, limit=PAGE_SIZE + 1, after=criteria.after)
        if not rows:  # nothing newer any more: show the newest page instead
            _fill(session, page, replace(criteria, after=None), sight)
            return
        _fill_newer(session, page, rows, criteria, sight)
    else:
        rows = find(session, criteria, sight, limit=PAGE_SIZE + 1, before=criteria.before)
        _fill_older(session, page, rows, criteria, sight)


def _fill_older(
    session: Session, page: ListPage, rows: list[Incident], criteria: Criteria, sight: Sight
) -> None:
    """A page reached going back in time (or the first one): PAGE_SIZE + 1 rows say whether
    older ones follow; whether newer ones exist is a question only with a cursor."""
    page.incidents = rows[:PAGE_SIZE]
    if len(rows) > PAGE_SIZE:
        page.older = page.incidents[-1].number
    if criteria.before is not None and page.incidents:
        newest = page.incidents[0].number
        if _exists(session, criteria, sight, Incident.number > newest):
            page.newer = newest


def _fill_newer(
    session: Session, page: ListPage, rows: list[Incident], criteria: Criteria, sight: Sight
) -> None:
    """A page reached going forward: the extra row, the newest, says newer ones follow."""
    if len(rows) > PAGE_SIZE:
        rows = rows[1:]
        page.newer = rows[0].number
    page.incidents = rows
    oldest = rows[-1].number
    if _exists(session, criteria, sight, Incident.number < oldest):
        page.older = oldest


def commander_of(incident: Incident) -> str | None:
    holders = incident.holders(Role.COMMANDER.value)
    return holders[0] if holders else None


def _service_names(session: Session) -> dict[str, str]:
    """Every service, inactive ones too: old incidents name them, and filters may too."""
    rows = session.execute(select(Service.id, Service.name).order_by(Service.name, Service.id))
    return {service_id: name for service_id, name in rows}


def _people_names(session: Session, incidents: list[Incident]) -> dict[str, str]:
    wanted = {person for incident in incidents if (person := commander_of(incident))}
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))
    return {person_id: name for person_id, name in rows}
