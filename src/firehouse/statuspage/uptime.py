"""Ninety days of uptime per component, from the windows in which incidents affected it.

Pure: it takes plain windows and returns plain days, so the page, its JSON and its tests
all agree on one computation. The weights follow Statuspage's convention: a major outage
counts fully as downtime, a partial outage as 30% of its duration, degraded performance
as none (the service worked, slowly). Maintenance is planned and announced, so it is shown
on the day but never counted as downtime.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from firehouse.statuspage.policy import ComponentStatus

DAYS = 90

DOWNTIME_WEIGHT = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
}

# Worst first: a day shows the worst thing that happened on it.
_DAY_SEVERITY = [
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.OPERATIONAL,
]


@dataclass(frozen=True)
class Window:
    """A stretch of time in which a public incident held a component in one status."""

    component_id: str
    start: datetime
    end: datetime
    status: ComponentStatus
    incident: str  # the public incident's name, shown on the day


@dataclass(frozen=True)
class MaintenanceWindow:
    component_ids: frozenset[str]
    start: datetime
    end: datetime
    name: str


@dataclass(frozen=True)
class Day:
    day: date
    has_data: bool  # False before the component existed
    status: ComponentStatus  # the worst status of the day
    downtime_seconds: float  # weighted
    measured_seconds: float
    incidents: tuple[str, ...]
    maintenances: tuple[str, ...]

    @property
    def uptime_percent(self) -> float | None:
        if not self.has_data or self.measured_seconds <= 0:
            return None
        return 100.0 * (1.0 - self.downtime_seconds / self.measured_seconds)


@dataclass(frozen=True)
class Uptime:
    component_id: str
    days: tuple[Day, ...]  # oldest first, today last

    @property
    def percent(self) -> float | None:
        measured = sum(day.measured_seconds for day in self.days if day.has_data)
        if measured <= 0:
            return None
        down = sum(day.downtime_seconds for day in self.days if day.has_data)
        return 100.0 * (1.0 - down / measured)


def component_uptime(
    component_id: str,
    since: datetime,
    windows: Iterable[Window],
    maintenances: Iterable[MaintenanceWindow],
    *,
    now: datetime,
    days: int = DAYS,
) -> Uptime:
    """Days in UTC, the last one being today (measured up to `now`).

    `since` is when the component started to exist: days before it have no data, so a
    component added last week does not claim 83 perfect days it never had.
    """
    mine = [window for window in windows if window.component_id == component_id]
    planned = [window for window in maintenances if component_id in window.component_ids]
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    return Uptime(
        component_id=component_id,
        days=tuple(
            _day(first + timedelta(days=offset), since, mine, planned, now)
            for offset in range(days)
        ),
    )


def _day(
    day: date,
    since: datetime,
    windows: Sequence[Window],
    maintenances: Sequence[MaintenanceWindow],
    now: datetime,
) -> Day:
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = min(start + timedelta(days=1), now)
    measured_from = max(start, since)
    has_data = measured_from < end
    measured = (end - measured_from).total_seconds() if has_data else 0.0
    worst = ComponentStatus.OPERATIONAL
    downtime = 0.0
    incidents: list[str] = []
    for window in windows:
        if not _touches(window.start, window.end, start, end):
            continue
        overlap = max(_overlap(window.start, window.end, measured_from, end), 0.0)
        downtime += DOWNTIME_WEIGHT.get(window.status, 0.0) * overlap
        worst = _worst(worst, window.status)
        if window.incident not in incidents:
            incidents.append(window.incident)
    names: list[str] = []
    for maintenance in maintenances:
        if _touches(maintenance.start, maintenance.end, start, end):
            worst = _worst(worst, ComponentStatus.UNDER_MAINTENANCE)
            if maintenance.name not in names:
                names.append(maintenance.name)
    return Day(
        day=day,
        has_data=has_data,
        status=worst,
        downtime_seconds=min(downtime, measured),
        measured_seconds=measured,
        incidents=tuple(incidents),
        maintenances=tuple(names),
    )


def _overlap(first_start: datetime, first_end: datetime, start: datetime, end: datetime) -> float:
    return (min(first_end, end) - max(first_start, start)).total_seconds()


def _touches(first_start: datetime, first_end: datetime, start: datetime, end: datetime) -> bool:
    return first_start < end and first_end > start


def _worst(first: ComponentStatus, second: ComponentStatus) -> ComponentStatus:
    return first if _DAY_SEVERITY.index(first) <= _DAY_SEVERITY.index(second) else second


def incident_windows(
    component_id: str,
    status: ComponentStatus,
    changes: Sequence[tuple[datetime, ComponentStatus]],
    *,
    start: datetime,
    end: datetime,
    incident: str,
) -> list[Window]:
    """The windows one incident held one component in, from the status changes its updates
    recorded (oldest first). Before the first recorded change the component is taken to be in
    that change's new status since the incident started; with no recorded change, in the
    status the incident gives it throughout."""
    if not changes:
        return [Window(component_id, start, end, status, incident)] if start < end else []
    windows: list[Window] = []
    current_start, current = start, changes[0][1]
    for moment, new_status in changes[1:]:
        if moment > current_start:
            windows.append(Window(component_id, current_start, moment, current, incident))
        current_start, current = max(moment, current_start), new_status
    if current_start < end:
        windows.append(Window(component_id, current_start, end, current, incident))
    return windows
