"""When a team is at work, in its own time zone: the one question `during` and
`business_hours_only` ask.

Wall-clock hours are compared in the team's zone (zoneinfo), never as a fixed UTC offset, so
09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer, and the days around a daylight
saving change need no special case. Hours may run past midnight (start 22:00, end 06:00): the
stretch then belongs to the day it starts on. `end` "24:00" means the end of the day; equal
start and end mean no hours at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_END_OF_DAY = time.max


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    days: frozenset[str] = frozenset(WEEKDAYS[:5])
    start: time = time(9, 0)
    end: time = time(18, 0)

    @classmethod
    def of(cls, *, timezone: str, days: Iterable[str], start: str, end: str) -> BusinessHours:
        ZoneInfo(timezone)  # fails early on an unknown zone
        return cls(
            timezone=timezone,
            days=frozenset(day.lower() for day in days),
            start=parse_clock(start),
            end=parse_clock(end),
        )

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any]) -> BusinessHours:
        """As `config apply` stores it (BusinessHoursConfig.model_dump())."""
        defaults = cls()
        return cls.of(
            timezone=str(value.get("timezone", defaults.timezone)),
            days=[str(day) for day in value.get("days", sorted(defaults.days))],
            start=str(value.get("start", "09:00")),
            end=str(value.get("end", "18:00")),
        )

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` (timezone-aware) falls within these hours."""
        if moment.tzinfo is None:
            raise ValueError("business hours need a timezone-aware moment")
        local = moment.astimezone(ZoneInfo(self.timezone))
        clock = local.time().replace(tzinfo=None)
        today = WEEKDAYS[local.weekday()]
        if self.start == self.end:
            return False
        if self.start < self.end:
            return today in self.days and self.start <= clock < self.end
        # Overnight: the evening part belongs to today, the early hours to yesterday.
        yesterday = WEEKDAYS[(local - timedelta(days=1)).weekday()]
        evening = today in self.days and clock >= self.start
        early = yesterday in self.days and clock < self.end
        return evening or early


def parse_clock(value: str) -> time:
    """ "09:30" → 09:30; "24:00" → the last instant of the day (an end, not a start)."""
    if value == "24:00":
        return _END_OF_DAY
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))


def within(hours: BusinessHours | None, moment: datetime) -> bool:
    """No hours configured counts as at work: a missing setting never silences anything."""
    return True if hours is None else hours.contains(moment)
