"""Rotations: handoffs at local wall-clock time across DST, elapsed-time rotations, and who is
on call at an instant."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from firehouse.oncall.rotation import Rotation, on_call_at, rotation_from

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
PEOPLE = ["maya", "sam", "ravi", "lena"]


def layer(**fields: Any) -> Rotation:
    return rotation_from({"name": "primary", "people": PEOPLE, **fields})


def hours(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(hours=1)


def shift_lengths(rotation: Rotation, start: datetime, end: datetime) -> list[float]:
    return [hours(s.start, s.end) for s in rotation.shifts(start, end)]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# weekly ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("zone", "monday_before", "length"),
    [
        (
            "Europe/London",
            datetime(2026, 3, 23, 12, tzinfo=UTC),
            167,
        ),  # clocks go forward on 29 March
        ("Europe/London", datetime(2026, 10, 19, 12, tzinfo=UTC), 169),  # and back on 25 October
        ("America/New_York", datetime(2026, 3, 2, 12, tzinfo=UTC), 167),  # forward on 8 March
        ("America/New_York", datetime(2026, 10, 26, 12, tzinfo=UTC), 169),  # back on 1 November
    ],
)
def test_a_weekly_shift_across_a_dst_change_is_an_hour_shorter_or_longer(
    zone: str, monday_before: datetime, length: int
) -> None:
    rotation = layer(rotation="weekly", handoff="09:00", handoff_day="mon", timezone=zone)
    at = monday_before.replace(tzinfo=ZoneInfo(zone))
    shift = rotation.shift_at(at)
    assert shift is not None
    assert hours(shift.start, shift.end) == length


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_weekly_handoffs_stay_at_the_local_wall_clock_time_all_year(zone: str) -> None:
    rotation = layer(rotation="weekly", handoff="09:30", handoff_day="wed", timezone=zone)
    shifts = rotation.shifts(utc(2026, 1, 7, 12), utc(2027, 1, 6, 12))
    starts = [s.start.astimezone(ZoneInfo(zone)) for s in shifts[1:]]
    assert {(s.weekday(), s.hour, s.minute) for s in starts} == {(2, 9, 30)}
    whole_weeks = shift_lengths(rotation, utc(2026, 1, 7, 12), utc(2027, 1, 6, 12))[1:-1]
    assert sorted(set(whole_weeks)) == [167, 168, 169]


def test_weekly_rotation_hands_over_on_the_handoff_day_in_turn() -> None:
    rotation = layer(
        rotation="weekly", handoff="09:00", handoff_day="mon", timezone="UTC", start="2026-01-05"
    )
    # start 2026-01-05 is a Monday: maya's week, then sam's, ravi's, lena's, maya's again
    mondays = [utc(2026, 1, 5, 10) + timedelta(weeks=w) for w in range(5)]
    assert [rotation.on_call_at(m) for m in mondays] == [*PEOPLE, "maya"]
    assert rotation.on_call_at(utc(2026, 1, 12, 8, 59)) == "maya"
    assert rotation.on_call_at(utc(2026, 1, 12, 9, 0)) == "sam"


def test_weekly_rotation_starts_on_the_first_handoff_day_on_or_after_start() -> None:
    rotation = layer(rotation="weekly", handoff_day="fri", start="2026-01-05", timezone="UTC")
    assert rotation.on_call_at(utc(2026, 1, 8, 12)) is None
    assert rotation.on_call_at(utc(2026, 1, 9, 9)) == "maya"


def test_no_one_is_on_call_before_the_first_handoff() -> None:
    rotation = layer(rotation="daily", start="2026-06-01")
    assert on_call_at(rotation, utc(2026, 5, 31, 23)) is None
    assert rotation.shifts(utc(2026, 5, 30), utc(2026, 6, 1, 9))[:1] == []


def test_who_is_on_call_years_later_is_found_without_walking_the_shifts() -> None:
    rotation = layer(rotation="weekly", timezone="Europe/London")
    at = datetime(2036, 7, 1, 12, tzinfo=UTC)
    shift = rotation.shift_at(at)
    assert shift is not None
    assert shift.start <= at < shift.end
    assert shift.start.astimezone(LONDON).hour == 9


# daily and N days ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("zone", "day_before", "length"),
    [
        ("Europe/London", datetime(2026, 3, 28, 12, tzinfo=UTC), 23),
        ("Europe/London", datetime(2026, 10, 24, 12, tzinfo=UTC), 25),
        ("America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC), 23),
        ("America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC), 25),
    ],
)
def test_a_daily_shift_across_a_dst_change_is_23_or_25_hours(
    zone: str, day_before: datetime, length: int
) -> None:
    rotation = layer(rotation="daily", handoff="09:00", timezone=zone)
    shift = rotation.shift_at(day_before.replace(tzinfo=ZoneInfo(zone)))
    assert shift is not None
    assert hours(shift.start, shift.end) == length
    assert shift.end.astimezone(ZoneInfo(zone)).hour == 9


def test_a_handoff_in_the_hour_that_does_not_exist_still_hands_over_once() -> None:
    rotation = layer(rotation="daily", handoff="01:30", timezone="Europe/London")
    shifts = rotation.shifts(utc(2026, 3, 27), utc(2026, 4, 1))
    assert all(a.end == b.start for a, b in itertools.pairwise(shifts))
    assert all(s.end > s.start for s in shifts)


def test_an_n_day_rotation_hands_over_every_n_days_at_local_time() -> None:
    rotation = layer(rotation="3d", handoff="08:00", timezone="Europe/London")
    shifts = rotation.shifts(utc(2026, 3, 1), utc(2026, 4, 30))[1:-1]
    assert {s.start.astimezone(LONDON).hour for s in shifts} == {8}
    assert sorted({hours(s.start, s.end) for s in shifts}) == [71, 72]


# hours -----------------------------------------------------------------------------------------
def test_a_12_hour_rotation_counts_elapsed_time_across_dst() -> None:
    rotation = layer(rotation="12h", handoff="08:00", timezone="Europe/London")
    shifts = rotation.shifts(utc(2026, 3, 27), utc(2026, 4, 2))[1:-1]
    assert {hours(s.start, s.end) for s in shifts} == {12}
    # 08:00 GMT before the change is 09:00 BST after it: wall time moves, elapsed time does not
    assert {s.start.astimezone(LONDON).hour for s in shifts if s.start > utc(2026, 3, 30)} == {
        9,
        21,
    }


def test_a_12_hour_rotation_alternates_people_twice_a_day() -> None:
    rotation = layer(rotation="12h", handoff="08:00", timezone="UTC", start="2026-01-05")
    assert rotation.on_call_at(utc(2026, 1, 5, 8)) == "maya"
    assert rotation.on_call_at(utc(2026, 1, 5, 20)) == "sam"
    assert rotation.on_call_at(utc(2026, 1, 6, 7, 59)) == "sam"
    assert rotation.on_call_at(utc(2026, 1, 6, 8)) == "ravi"


def test_shifts_are_clipped_to_the_window() -> None:
    rotation = layer(rotation="daily", timezone="UTC")
    shifts = rotation.shifts(utc(2026, 2, 1, 12), utc(2026, 2, 2, 12))
    assert [(s.start, s.end) for s in shifts] == [
        (utc(2026, 2, 1, 12), utc(2026, 2, 2, 9)),
        (utc(2026, 2, 2, 9), utc(2026, 2, 2, 12)),
    ]
