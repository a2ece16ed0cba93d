"""The public HTML: the status page and its history, rendered once per snapshot.

Templates get plain view objects, already in words (status labels, dates, uptime texts), so
they hold no rules and the page reads the same without colour, CSS or JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from firehouse.statuspage import public_api
from firehouse.statuspage.model import Component, Maintenance, PublicIncident, PublicUpdate
from firehouse.statuspage.policy import ComponentStatus
from firehouse.statuspage.public_api import PageData
from firehouse.statuspage.uptime import DAYS, Day, Uptime

_ENV = Environment(
    loader=PackageLoader("firehouse.statuspage", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

_WORDS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "postmortem": "Postmortem",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}

_IMPACT_WORDS = {
    "none": "No impact",
    "minor": "Minor impact",
    "major": "Major impact",
    "critical": "Critical impact",
    "maintenance": "Maintenance",
}


@dataclass(frozen=True)
class Links:
    """Where the page's links point: under /status when served, relative when exported."""

    home: str
    history: str
    css: str
    atom: str
    rss: str
    api: str


@dataclass(frozen=True)
class UpdateView:
    status: str
    body: str
    at: str
    iso: str


@dataclass(frozen=True)
class EventView:
    """A public incident or a maintenance, as the page tells it."""

    id: str
    name: str
    kind: str  # "incident" or "maintenance"
    impact: str
    impact_label: str
    status: str
    status_label: str
    components: tuple[str, ...]
    updates: tuple[UpdateView, ...]
    window: str  # maintenance: when; incident: how long
    started: datetime  # incident: when it began; maintenance: when its window opens
    created: datetime
    updated: datetime


@dataclass(frozen=True)
class DayView:
    css: str
    label: str


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str
    status: str
    status_label: str
    uptime_label: str
    days: tuple[DayView, ...]


@dataclass(frozen=True)
class Section:
    name: str | None
    status: str
    status_label: str
    components: tuple[ComponentView, ...]


def when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%b} {moment.day}, {moment.astimezone(UTC):%Y %H:%M} UTC"


def uptime_label(percent: float | None) -> str:
    if percent is None:
        return "No data yet"
    if percent >= 100.0:
        return "100% uptime"
    return f"{min(percent, 99.99):.2f}% uptime"


def _day(day: Day) -> DayView:
    date_text = f"{day.day:%b} {day.day.day}, {day.day:%Y}"
    if not day.has_data:
        return DayView("nodata", f"{date_text}: no data")
    status = ComponentStatus(day.status)
    what = [*day.incidents, *(f"maintenance: {name}" for name in day.maintenances)]
    summary = status.label if status is not ComponentStatus.OPERATIONAL else "No incidents"
    detail = f" ({'; '.join(what)})" if what else ""
    return DayView(status.value, f"{date_text}: {summary}{detail}")


def _updates(updates: Iterable[PublicUpdate]) -> tuple[UpdateView, ...]:
    return tuple(
        UpdateView(
            status=_WORDS.get(update.status, update.status.title()),
            body=update.body,
            at=when(update.created_at),
            iso=public_api.stamp(update.created_at) or "",
        )
        for update in updates
    )


def incident_view(row: PublicIncident, names: dict[str, str]) -> EventView:
    ended = f"resolved {when(row.resolved_at)}" if row.resolved_at else "ongoing"
    return EventView(
        id=row.id,
        name=row.name,
        kind="incident",
        impact=row.impact,
        impact_label=_IMPACT_WORDS.get(row.impact, row.impact),
        status=row.status,
        status_label=_WORDS.get(row.status, row.status),
        components=tuple(names[c.component_id] for c in row.components if c.component_id in names),
        updates=_updates(row.updates),
        window=f"Started {when(row.created_at)}, {ended}",
        started=row.created_at,
        created=row.published_at or row.created_at,
        updated=row.updated_at,
    )


def maintenance_view(row: Maintenance, names: dict[str, str], now: datetime) -> EventView:
    status = public_api.maintenance_status(row, now).value
    return EventView(
        id=row.id,
        name=row.name,
        kind="maintenance",
        impact="maintenance",
        impact_label="Maintenance",
        status=status,
        status_label=_WORDS.get(status, status),
        components=tuple(names[cid] for cid in row.component_ids if cid in names),
        updates=_updates(row.updates),
        window=f"Scheduled {when(row.scheduled_for)} to {when(row.scheduled_until)}",
        started=row.scheduled_for,
        created=row.created_at,
        updated=row.updated_at,
    )


def sections(data: PageData, uptimes: dict[str, Uptime]) -> list[Section]:
    """Components by group, in page order; ungrouped components form unnamed sections."""
    statuses = public_api.component_statuses(data)
    found: list[tuple[str | None, list[Component]]] = []
    index: dict[str, int] = {}
    for component in data.components:
        name = component.group_name or None
        if name is None and found and found[-1][0] is None:
            found[-1][1].append(component)
        elif name is not None and name in index:
            found[index[name]][1].append(component)
        else:
            if name is not None:
                index[name] = len(found)
            found.append((name, [component]))
    result = []
    for name, rows in found:
        views = tuple(_component(row, statuses[row.id], uptimes.get(row.id)) for row in rows)
        worst = public_api.worst_status(statuses[row.id] for row in rows)
        result.append(Section(name, worst.value, worst.label, views))
    return result


def _component(row: Component, status: ComponentStatus, uptime: Uptime | None) -> ComponentView:
    days = tuple(_day(day) for day in uptime.days) if uptime else ()
    return ComponentView(
        id=row.id,
        name=row.name,
        description=row.description,
        status=status.value,
        status_label=status.label,
        uptime_label=uptime_label(uptime.percent if uptime else None),
        days=days,
    )


def render_status(data: PageData, uptimes: dict[str, Uptime], links: Links) -> str:
    names = {c.id: c.name for c in data.components}
    status = public_api.overall_status(data)
    return _ENV.get_template("status.html").render(
        page=data.page,
        links=links,
        indicator=status.indicator.value,
        description=status.description,
        sections=sections(data, uptimes),
        incidents=[incident_view(row, names) for row in data.unresolved],
        active=[
            maintenance_view(row, names, data.now) for row in public_api.active_maintenances(data)
        ],
        upcoming=[
            maintenance_view(row, names, data.now) for row in public_api.upcoming_maintenances(data)
        ],
        days=DAYS,
        updated=when(data.page.updated_at),
    )


def history_events(data: PageData) -> list[EventView]:
    """Every published incident and every maintenance, newest first: the page's record, and
    the place every shortlink and feed entry points to."""
    names = {c.id: c.name for c in data.components}
    events = [incident_view(row, names) for row in data.published]
    events += [maintenance_view(row, names, data.now) for row in data.maintenances]
    return sorted(events, key=lambda event: event.started, reverse=True)


def by_month(events: Sequence[EventView]) -> list[tuple[str, list[EventView]]]:
    months: list[tuple[str, list[EventView]]] = []
    for event in events:
        label = f"{event.started.astimezone(UTC):%B %Y}"
        if not months or months[-1][0] != label:
            months.append((label, []))
        months[-1][1].append(event)
    return months


def render_history(data: PageData, links: Links) -> str:
    return _ENV.get_template("history.html").render(
        page=data.page,
        links=links,
        months=by_month(history_events(data)),
        updated=when(data.page.updated_at),
    )
