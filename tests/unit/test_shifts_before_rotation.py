"""Before a layer's first handoff nobody is on call; an override for anyone still shows there
in the rendered shifts, as it does in "who is on call"."""

from __future__ import annotations

from datetime import UTC, datetime

from firehouse.oncall.directory import rotations
from firehouse.oncall.model import Schedule
from firehouse.oncall.rotation import Override, Shift, on_call_at
from firehouse.oncall.schedules import _rendered

SCHEDULE = Schedule(
    id="web",
    name="Web",
    timezone="UTC",
    layers=[
        {"name": "primary", "people": ["ana", "ben"], "rotation": "daily", "start": "2026-03-10"}
    ],
)
START, END = datetime(2026, 3, 8, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_an_override_before_the_first_handoff_is_rendered() -> None:
    cover = Override(1, "primary", "cleo", at(9, 12), at(10, 12))
    shifts = _rendered(SCHEDULE, START, END, [cover])
    assert shifts[0] == Shift("primary", "cleo", at(9, 12), at(10, 9), 1)
    assert shifts[1] == Shift("primary", "cleo", at(10, 9), at(10, 12), 1)
    assert shifts[2].person == "ana"


def test_the_rendered_shifts_agree_with_who_is_on_call() -> None:
    early = Override(1, "primary", "cleo", at(8), at(9, 6))
    later = Override(2, "primary", "dev", at(9), at(9, 3))
    shifts = _rendered(SCHEDULE, START, END, [early, later])
    [rotation] = rotations(SCHEDULE)
    for shift in shifts:
        assert on_call_at(rotation, shift.start, [early, later]) == shift.person


def test_an_override_covering_someone_is_not_shown_where_nobody_is_on_call() -> None:
    covering = Override(1, "primary", "cleo", at(8), at(9), covers_for="ana")
    assert [s.person for s in _rendered(SCHEDULE, START, END, [covering])] == ["ana"]
