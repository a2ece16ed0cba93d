"""Overrides laid over rotations: whole windows, covering one person, later ones winning; and
the property that a layer's rendered shifts tile any window exactly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from firehouse.oncall.rotation import (
    Override,
    Rotation,
    Shift,
    apply_overrides,
    on_call_at,
    rotation_from,
)

PEOPLE = ["maya", "sam", "ravi", "lena"]
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)  # maya's first week starts here


def weekly() -> Rotation:
    return rotation_from(
        {"name": "primary", "people": PEOPLE, "timezone": "UTC", "start": "2026-01-05"}
    )


def override(
    ident: int, person: str, start: datetime, end: datetime, covers_for: str | None = None
) -> Override:
    return Override(ident, "primary", person, start, end, covers_for)


def render(start: datetime, end: datetime, *overrides: Override) -> list[Shift]:
    return apply_overrides(weekly().shifts(start, end), list(overrides))


def people(shifts: list[Shift]) -> list[tuple[str, datetime, datetime]]:
    return [(s.person, s.start, s.end) for s in shifts]


def test_an_override_puts_its_person_on_call_for_the_whole_window() -> None:
    start, end = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
    shifts = render(MONDAY, MONDAY + timedelta(weeks=1), override(1, "lena", start, end))
    assert people(shifts) == [
        ("maya", MONDAY, start),
        ("lena", start, end),
        ("maya", end, MONDAY + timedelta(weeks=1)),
    ]
    assert [s.override_id for s in shifts] == [None, 1, None]


def test_an_override_across_a_handoff_is_one_shift() -> None:
    start, end = MONDAY + timedelta(days=6), MONDAY + timedelta(days=8)
    shifts = render(MONDAY, MONDAY + timedelta(weeks=2), override(1, "lena", start, end))
    assert people(shifts) == [
        ("maya", MONDAY, start),
        ("lena", start, end),  # one piece, though maya handed over to sam inside it
        ("sam", end, MONDAY + timedelta(weeks=2)),
    ]


def test_covers_for_applies_only_where_that_person_is_on_call() -> None:
    two_weeks = MONDAY + timedelta(weeks=2)
    shifts = render(MONDAY, two_weeks, override(1, "lena", MONDAY, two_weeks, covers_for="sam"))
    assert people(shifts) == [
        ("maya", MONDAY, MONDAY + timedelta(weeks=1)),
        ("lena", MONDAY + timedelta(weeks=1), two_weeks),
    ]


def test_of_overlapping_overrides_the_later_one_wins() -> None:
    first = override(1, "ravi", MONDAY, MONDAY + timedelta(days=4))
    later = override(2, "lena", MONDAY + timedelta(days=2), MONDAY + timedelta(days=6))
    shifts = render(MONDAY, MONDAY + timedelta(weeks=1), first, later)
    assert people(shifts) == [
        ("ravi", MONDAY, MONDAY + timedelta(days=2)),
        ("lena", MONDAY + timedelta(days=2), MONDAY + timedelta(days=6)),
        ("maya", MONDAY + timedelta(days=6), MONDAY + timedelta(weeks=1)),
    ]
    assert on_call_at(weekly(), MONDAY + timedelta(days=3), [first, later]) == "lena"


def test_covers_for_a_person_who_is_covering_follows_the_cover() -> None:
    first = override(1, "ravi", MONDAY, MONDAY + timedelta(days=4))
    relief = override(2, "lena", MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), "ravi")
    at = MONDAY + timedelta(days=1, hours=1)
    assert on_call_at(weekly(), at, [first, relief]) == "lena"
    shifts = render(MONDAY, MONDAY + timedelta(days=3), first, relief)
    assert [s.person for s in shifts] == ["ravi", "lena", "ravi"]


def test_an_override_of_another_layer_changes_nothing() -> None:
    other = Override(1, "secondary", "lena", MONDAY, MONDAY + timedelta(days=2))
    assert render(MONDAY, MONDAY + timedelta(days=3), other) == weekly().shifts(
        MONDAY, MONDAY + timedelta(days=3)
    )


def test_a_covers_for_that_never_applies_leaves_the_shift_whole() -> None:
    stray = override(1, "lena", MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), "sam")
    assert people(render(MONDAY, MONDAY + timedelta(days=7), stray)) == [
        ("maya", MONDAY, MONDAY + timedelta(days=7))
    ]


# properties ------------------------------------------------------------------------------------
LENGTHS = ["daily", "weekly", "12h", "8h", "3d"]
ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
EARLIEST = datetime(2026, 1, 13, tzinfo=UTC)  # after every generated rotation's first handoff


@st.composite
def rotations(draw: st.DrawFn) -> Rotation:
    return rotation_from(
        {
            "name": "primary",
            "people": draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4)),
            "rotation": draw(st.sampled_from(LENGTHS)),
            "handoff": f"{draw(st.integers(0, 23)):02d}:{draw(st.sampled_from([0, 30])):02d}",
            "handoff_day": draw(st.sampled_from(["mon", "wed", "sun"])),
            "timezone": draw(st.sampled_from(ZONES)),
            "start": "2026-01-01",
        }
    )


moments = st.integers(0, 400 * 24 * 60).map(lambda m: EARLIEST + timedelta(minutes=m))


@st.composite
def overrides(draw: st.DrawFn) -> list[Override]:
    found = []
    for ident in range(1, draw(st.integers(0, 5)) + 1):
        start = draw(moments)
        end = start + timedelta(minutes=draw(st.integers(1, 20 * 24 * 60)))
        covers = draw(st.none() | st.sampled_from(PEOPLE))
        found.append(Override(ident, "primary", draw(st.sampled_from(PEOPLE)), start, end, covers))
    return found


def assert_tiles(shifts: list[Shift], start: datetime, end: datetime) -> None:
    assert shifts, "a window after the first handoff always has someone on call"
    assert shifts[0].start == start
    assert shifts[-1].end == end
    for before, after in itertools.pairwise(shifts):
        assert before.end == after.start
    assert all(s.start < s.end for s in shifts)


@settings(max_examples=150, deadline=None)
@given(rotations(), moments, st.integers(1, 60 * 24 * 60), overrides())
def test_rendered_shifts_tile_the_window_exactly(
    rotation: Rotation, start: datetime, minutes: int, laid_over: list[Override]
) -> None:
    end = start + timedelta(minutes=minutes)
    assert_tiles(rotation.shifts(start, end), start, end)
    assert_tiles(apply_overrides(rotation.shifts(start, end), laid_over), start, end)


@settings(max_examples=150, deadline=None)
@given(rotations(), moments, st.integers(1, 30 * 24 * 60), overrides(), st.floats(0, 1))
def test_the_shift_rendered_at_an_instant_names_who_is_on_call_then(
    rotation: Rotation, start: datetime, minutes: int, laid_over: list[Override], where: float
) -> None:
    end = start + timedelta(minutes=minutes)
    at = start + (end - start) * where
    at = min(at, end - timedelta(microseconds=1))
    [holding] = [
        s for s in apply_overrides(rotation.shifts(start, end), laid_over) if s.start <= at < s.end
    ]
    assert holding.person == on_call_at(rotation, at, laid_over)


@settings(max_examples=300, deadline=None)
@given(rotations(), moments, st.integers(-3 * 3600, 3 * 3600))
def test_the_shift_found_at_an_instant_runs_at_that_instant(
    rotation: Rotation, near: datetime, seconds: int
) -> None:
    """Also near handoffs (the generated instants are minutes from many of them)."""
    at = rotation.handoff_at(rotation.index_at(near)) + timedelta(seconds=seconds)
    index = rotation.index_at(at)
    assert rotation.handoff_at(index) <= at < rotation.handoff_at(index + 1)
