"""Business hours are wall-clock hours in the team's zone, whatever daylight saving does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from firehouse.alerts.business_hours import BusinessHours, within

BERLIN = BusinessHours.of(
    timezone="Europe/Berlin", days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="18:00"
)
NEW_YORK = BusinessHours.of(
    timezone="America/New_York",
    days=["mon", "tue", "wed", "thu", "fri"],
    start="08:00",
    end="17:00",
)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_nine_in_berlin_is_eight_utc_in_winter() -> None:
    assert BERLIN.contains(utc(2026, 3, 27, 8, 0))  # Friday, CET
    assert not BERLIN.contains(utc(2026, 3, 27, 7, 59))


def test_nine_in_berlin_is_seven_utc_after_the_clocks_go_forward() -> None:
    # Summer time began on Sunday 29 March 2026; Monday 07:30 UTC is 09:30 in Berlin.
    assert BERLIN.contains(utc(2026, 3, 30, 7, 30))
    assert not BERLIN.contains(utc(2026, 3, 30, 6, 59))


def test_berlin_hours_end_at_local_six_after_the_clocks_go_back() -> None:
    # Winter time began on Sunday 25 October 2026: 17:30 UTC on Monday is 18:30 in Berlin.
    assert BERLIN.contains(utc(2026, 10, 26, 16, 59))
    assert not BERLIN.contains(utc(2026, 10, 26, 17, 30))
    assert BERLIN.contains(utc(2026, 10, 23, 15, 30))  # Friday before, CEST: 17:30 local


def test_new_york_hours_follow_its_own_change_not_europes() -> None:
    # New York moved to summer time on 8 March 2026, Europe only on 29 March.
    assert NEW_YORK.contains(utc(2026, 3, 9, 12, 0))  # Monday 08:00 EDT
    assert not NEW_YORK.contains(utc(2026, 3, 6, 12, 30))  # Friday 07:30 EST
    assert NEW_YORK.contains(utc(2026, 3, 6, 13, 0))  # Friday 08:00 EST


def test_the_weekday_is_the_local_one() -> None:
    # Friday 23:30 in New York is already Saturday in UTC.
    late = BusinessHours.of(timezone="America/New_York", days=["fri"], start="20:00", end="24:00")
    assert late.contains(utc(2026, 3, 7, 4, 30))


def test_days_not_listed_are_outside_hours() -> None:
    assert not BERLIN.contains(utc(2026, 3, 28, 10, 0))  # Saturday


def test_overnight_hours_belong_to_the_day_they_start() -> None:
    night = BusinessHours.of(timezone="UTC", days=["fri"], start="22:00", end="06:00")
    assert night.contains(utc(2026, 3, 27, 23, 0))  # Friday night
    assert night.contains(utc(2026, 3, 28, 5, 59))  # early Saturday: Friday's shift
    assert not night.contains(utc(2026, 3, 29, 5, 0))  # early Sunday: Saturday is not listed


def test_equal_start_and_end_are_no_hours_at_all() -> None:
    never = BusinessHours.of(timezone="UTC", days=["mon"], start="09:00", end="09:00")
    assert not never.contains(utc(2026, 3, 30, 9, 0))


def test_no_hours_configured_counts_as_at_work() -> None:
    assert within(None, utc(2026, 3, 28, 3, 0))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BERLIN.contains(datetime(2026, 3, 30, 9, 0))  # noqa: DTZ001


def test_hours_read_back_from_the_stored_config() -> None:
    stored = {"timezone": "Europe/Berlin", "days": ["mon"], "start": "09:00", "end": "18:00"}
    assert BusinessHours.from_mapping(stored).contains(utc(2026, 3, 30, 8, 0))
