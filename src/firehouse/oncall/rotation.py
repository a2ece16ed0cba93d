"""Who is on call, computed: rotations, their handoffs across time zones and DST, overrides.

Pure: no database, no clock. A layer's handoffs are wall-clock times in its time zone, so a
weekly rotation that hands over on Monday at 09:00 in Europe/London does so at 09:00 local
time in winter and in summer (the shift across the DST change is an hour shorter or longer).
Rotations counted in hours (12h, 8h) are elapsed time instead: a 12-hour shift lasts twelve
hours whatever the clocks do. Arithmetic, not iteration, finds the shift at an instant, so
"who is on call now" costs the same a week or ten years after the rotation started.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Shift:
    layer: str
    person: str
    start: datetime
    end: datetime
    override_id: int | None = None


@dataclass(frozen=True)
class Override:
    """`person` takes the layer from `start` to `end`; with `covers_for`, only the parts of
    that window where that person was on call. Later overrides win over earlier ones."""

    id: int
    layer: str
    person: str
    start: datetime
    end: datetime
    covers_for: str | None = None


@dataclass(frozen=True)
class Rotation:
    """One layer. `every_days` for calendar rotations (daily 1, weekly 7, Nd), else
    `every_hours` of elapsed time."""

    name: str
    people: tuple[str, ...]
    tz: ZoneInfo
    handoff: time
    anchor: date  # local date of the first handoff
    every_days: int = 0
    every_hours: int = 0

    def handoff_at(self, index: int) -> datetime:
        """The instant (UTC) the index-th shift starts; index 0 is the first handoff."""
        if self.every_days:
            day = self.anchor + timedelta(days=index * self.every_days)
            return datetime.combine(day, self.handoff, self.tz).astimezone(UTC)
        first = datetime.combine(self.anchor, self.handoff, self.tz).astimezone(UTC)
        return first + timedelta(hours=index * self.every_hours)

    def index_at(self, at: datetime) -> int:
        """The shift running at `at`; negative before the rotation starts."""
        if self.every_days:
            local = at.astimezone(self.tz)
            index = (local.date() - self.anchor).days // self.every_days
            if at < self.handoff_at(index):
                index -= 1
            return index
        first = self.handoff_at(0)
        return int((at - first) // timedelta(hours=self.every_hours))

    def person_at(self, index: int) -> str | None:
        return self.people[index % len(self.people)] if index >= 0 else None

    def on_call_at(self, at: datetime) -> str | None:
        return self.person_at(self.index_at(at))

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """The shifts overlapping [start, end), clipped to it."""
        shifts: list[Shift] = []
        index = max(self.index_at(start), 0)
        begins = self.handoff_at(index)
        while begins < end:
            ends = self.handoff_at(index + 1)
            if ends > start:
                person = self.people[index % len(self.people)]
                shifts.append(Shift(self.name, person, max(begins, start), min(ends, end)))
            index += 1
            begins = ends
        return shifts


def rotation_from(layer: Mapping[str, Any], default_tz: str = "UTC") -> Rotation:
    """A layer as firehouse.yaml (and the `schedules.layers` column) describes it."""
    tz = zone(str(layer.get("timezone") or default_tz))
    hour, minute = (int(part) for part in str(layer.get("handoff", "09:00")).split(":"))
    handoff = time(0, 0) if hour == 24 else time(hour, minute)
    start = layer.get("start", "2026-01-05")
    start_date = start if isinstance(start, date) else date.fromisoformat(str(start))
    length = str(layer.get("rotation", "weekly"))
    days = {"daily": 1, "weekly": 7}.get(length)
    if days is None and length.endswith("d"):
        days = int(length[:-1])
    anchor = start_date
    if length == "weekly":
        weekday = WEEKDAYS.index(str(layer.get("handoff_day", "mon")))
        anchor = start_date + timedelta(days=(weekday - start_date.weekday()) % 7)
    return Rotation(
        name=str(layer["name"]),
        people=tuple(str(p) for p in layer["people"]),
        tz=tz,
        handoff=handoff,
        anchor=anchor,
        every_days=days or 0,
        every_hours=0 if days else int(length[:-1]),
    )


def on_call_at(rotation: Rotation, at: datetime, overrides: Iterable[Override] = ()) -> str | None:
    person = rotation.on_call_at(at)
    for override in overrides:
        if override.layer != rotation.name or not override.start <= at < override.end:
            continue
        if override.covers_for is None or override.covers_for == person:
            person = override.person
    return person


def apply_overrides(shifts: Sequence[Shift], overrides: Sequence[Override]) -> list[Shift]:
    """The shifts with the overrides laid over them (in the given order, later winning),
    adjacent pieces of one person under one override merged back together."""
    if not overrides:
        return list(shifts)
    result: list[Shift] = []
    for shift in shifts:
        relevant = [
            o
            for o in overrides
            if o.layer == shift.layer and o.start < shift.end and o.end > shift.start
        ]
        if not relevant:
            _append_merged(result, shift)
            continue
        cuts = {shift.start, shift.end}
        for o in relevant:
            cuts |= {max(o.start, shift.start), min(o.end, shift.end)}
        points = sorted(cuts)
        for begins, ends in itertools.pairwise(points):
            person, override_id = shift.person, None
            for o in relevant:
                covers = o.covers_for is None or o.covers_for == shift.person
                if covers and o.start <= begins and ends <= o.end:
                    person, override_id = o.person, o.id
            _append_merged(result, Shift(shift.layer, person, begins, ends, override_id))
    return result


def _append_merged(result: list[Shift], shift: Shift) -> None:
    last = result[-1] if result else None
    if (
        last is not None
        and last.end == shift.start
        and last.person == shift.person
        and last.override_id == shift.override_id
        and last.override_id is not None
    ):
        result[-1] = Shift(last.layer, last.person, last.start, shift.end, last.override_id)
    else:
        result.append(shift)
