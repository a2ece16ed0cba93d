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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Closer than this (in local wall-clock time) to a handoff, a DST change may move it.
_NEAR = timedelta(hours=3)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# Per time zone, the last instant converted to local wall-clock time: asking who is on call in
# hundreds of layers at one instant converts it once per zone, not once per layer. Entries are
# replaced whole, so threads at worst convert twice.
_LAST_WALL: dict[ZoneInfo, tuple[datetime, datetime]] = {}


def _wall_clock(at: datetime, tz: ZoneInfo) -> datetime:
    last = _LAST_WALL.get(tz)
    if last is not None and last[0] == at and last[0].tzinfo is at.tzinfo:
        return last[1]
    wall = at.astimezone(tz).replace(tzinfo=None)
    _LAST_WALL[tz] = (at, wall)
    return wall


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
    # Derived once: the first handoff as local wall time and as an instant, and the period.
    _wall: datetime = field(init=False, repr=False, compare=False)
    _first: datetime = field(init=False, repr=False, compare=False)
    _period: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        wall = datetime.combine(self.anchor, self.handoff)
        period = timedelta(days=self.every_days) if self.every_days else timedelta(0)
        object.__setattr__(self, "_wall", wall)
        object.__setattr__(self, "_first", wall.replace(tzinfo=self.tz).astimezone(UTC))
        object.__setattr__(self, "_period", period or timedelta(hours=self.every_hours))

    def handoff_at(self, index: int) -> datetime:
        """The instant (UTC) the index-th shift starts; index 0 is the first handoff."""
        if self.every_days:
            return (self._wall + self._period * index).replace(tzinfo=self.tz).astimezone(UTC)
        return self._first + self._period * index

    def index_at(self, at: datetime) -> int:
        """The shift running at `at`; negative before the rotation starts.

        Calendar rotations count by local wall-clock time, which is exact except within an
        hour or two of a handoff on a day the clocks change; there, the handoffs either side
        decide."""
        if not self.every_days:
            return (at - self._first) // self._period
        wall = _wall_clock(at, self.tz)
        index, rest = divmod(wall - self._wall, self._period)
        if rest < _NEAR or self._period - rest <= _NEAR:
            if at < self.handoff_at(index):
                index -= 1
            elif at >= self.handoff_at(index + 1):
                index += 1
        return int(index)

    def person_at(self, index: int) -> str | None:
        return self.people[index % len(self.people)] if index >= 0 else None

    def on_call_at(self, at: datetime) -> str | None:
        return self.person_at(self.index_at(at))

    def shift_at(self, at: datetime) -> Shift | None:
        """The whole rotation shift running at `at`; None before the first handoff."""
        index = self.index_at(at)
        if index < 0:
            return None
        person = self.people[index % len(self.people)]
        return Shift(self.name, person, self.handoff_at(index), self.handoff_at(index + 1))

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
    start = layer.get("start", "2024-01-01")
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
    """The shifts with the overrides laid over them in the given order, each one applied to
    what the earlier ones left (so later ones win, and `covers_for` means whoever holds the
    layer at that moment, as `on_call_at` reads it). Pieces of one person under one override
    are merged back together, across handoffs too; a rotation shift that no override changes
    stays one piece."""
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
            result.append(shift)
            continue
        cuts = {shift.start, shift.end}
        for o in relevant:
            cuts |= {max(o.start, shift.start), min(o.end, shift.end)}
        for begins, ends in itertools.pairwise(sorted(cuts)):
            person, override_id = shift.person, shift.override_id
            for o in relevant:
                if o.start <= begins and ends <= o.end and o.covers_for in {None, person}:
                    person, override_id = o.person, o.id
            _append_merged(result, Shift(shift.layer, person, begins, ends, override_id), shift)
    return result


def _append_merged(result: list[Shift], piece: Shift, within: Shift) -> None:
    """Joins `piece` to the last one when they are the same person under the same override,
    or two untouched pieces of the same rotation shift `within`."""
    last = result[-1] if result else None
    if (
        last is not None
        and last.end == piece.start
        and last.person == piece.person
        and last.override_id == piece.override_id
        and (piece.override_id is not None or last.start >= within.start)
    ):
        result[-1] = Shift(last.layer, last.person, last.start, piece.end, last.override_id)
    else:
        result.append(piece)
