"""Ninety days of uptime per component, from incident and maintenance windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from firehouse.statuspage.policy import ComponentStatus
from firehouse.statuspage.uptime import (
    DAYS,
    MaintenanceWindow,
    Window,
    component_uptime,
    incident_windows,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=365)
MIDNIGHT = datetime(2026, 3, 9, 0, 0, tzinfo=UTC)  # yesterday


def outage(status: ComponentStatus, hours: float, start: datetime = MIDNIGHT) -> Window:
    return Window("api", start, start + timedelta(hours=hours), status, "API down")


def test_a_quiet_component_has_ninety_perfect_days_ending_today() -> None:
    uptime = component_uptime("api", LONG_AGO, [], [], now=NOW)
    assert len(uptime.days) == DAYS
    assert uptime.days[-1].day == NOW.date()
    assert uptime.percent == 100.0
    assert {day.status for day in uptime.days} == {ComponentStatus.OPERATIONAL}


def test_a_major_outage_counts_fully_as_downtime() -> None:
    uptime = component_uptime(
        "api", LONG_AGO, [outage(ComponentStatus.MAJOR_OUTAGE, 6)], [], now=NOW
    )
    yesterday = uptime.days[-2]
    assert yesterday.status is ComponentStatus.MAJOR_OUTAGE
    assert yesterday.uptime_percent == pytest.approx(75.0)


def test_a_partial_outage_counts_as_thirty_percent_downtime() -> None:
    uptime = component_uptime(
        "api", LONG_AGO, [outage(ComponentStatus.PARTIAL_OUTAGE, 10)], [], now=NOW
    )
    assert uptime.days[-2].downtime_seconds == pytest.approx(3 * 3600)


def test_degraded_performance_is_shown_but_is_not_downtime() -> None:
    uptime = component_uptime(
        "api", LONG_AGO, [outage(ComponentStatus.DEGRADED_PERFORMANCE, 10)], [], now=NOW
    )
    assert uptime.days[-2].status is ComponentStatus.DEGRADED_PERFORMANCE
    assert uptime.percent == 100.0


def test_maintenance_is_shown_on_its_day_but_never_counts_as_downtime() -> None:
    planned = MaintenanceWindow(frozenset({"api"}), MIDNIGHT, MIDNIGHT + timedelta(hours=4), "DB")
    uptime = component_uptime("api", LONG_AGO, [], [planned], now=NOW)
    assert uptime.days[-2].status is ComponentStatus.UNDER_MAINTENANCE
    assert uptime.days[-2].maintenances == ("DB",)
    assert uptime.percent == 100.0


def test_an_outage_across_midnight_is_split_between_the_two_days() -> None:
    start = MIDNIGHT - timedelta(hours=2)
    uptime = component_uptime(
        "api", LONG_AGO, [outage(ComponentStatus.MAJOR_OUTAGE, 4, start)], [], now=NOW
    )
    assert uptime.days[-3].downtime_seconds == pytest.approx(2 * 3600)
    assert uptime.days[-2].downtime_seconds == pytest.approx(2 * 3600)


def test_today_is_measured_only_up_to_now() -> None:
    today = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    uptime = component_uptime(
        "api", LONG_AGO, [outage(ComponentStatus.MAJOR_OUTAGE, 6, today)], [], now=NOW
    )
    assert uptime.days[-1].uptime_percent == pytest.approx(50.0)


def test_days_before_the_component_existed_have_no_data() -> None:
    uptime = component_uptime("api", NOW - timedelta(days=3), [], [], now=NOW)
    assert [day.has_data for day in uptime.days[-5:]] == [False, True, True, True, True]
    assert uptime.percent == 100.0


def test_windows_of_other_components_do_not_count() -> None:
    other = Window(
        "cms", MIDNIGHT, MIDNIGHT + timedelta(hours=5), ComponentStatus.MAJOR_OUTAGE, "x"
    )
    assert component_uptime("api", LONG_AGO, [other], [], now=NOW).percent == 100.0


def test_the_worst_status_of_a_day_is_the_one_shown() -> None:
    windows = [
        outage(ComponentStatus.DEGRADED_PERFORMANCE, 2),
        outage(ComponentStatus.MAJOR_OUTAGE, 1, MIDNIGHT + timedelta(hours=5)),
    ]
    uptime = component_uptime("api", LONG_AGO, windows, [], now=NOW)
    assert uptime.days[-2].status is ComponentStatus.MAJOR_OUTAGE


def test_an_incident_without_recorded_changes_holds_its_status_throughout() -> None:
    windows = incident_windows(
        "api", ComponentStatus.PARTIAL_OUTAGE, [], start=MIDNIGHT, end=NOW, incident="x"
    )
    assert [(w.start, w.end, w.status) for w in windows] == [
        (MIDNIGHT, NOW, ComponentStatus.PARTIAL_OUTAGE)
    ]


def test_recorded_status_changes_split_an_incident_into_windows() -> None:
    later = MIDNIGHT + timedelta(hours=3)
    windows = incident_windows(
        "api",
        ComponentStatus.OPERATIONAL,
        [(MIDNIGHT, ComponentStatus.MAJOR_OUTAGE), (later, ComponentStatus.DEGRADED_PERFORMANCE)],
        start=MIDNIGHT,
        end=NOW,
        incident="x",
    )
    assert [(w.start, w.end, w.status) for w in windows] == [
        (MIDNIGHT, later, ComponentStatus.MAJOR_OUTAGE),
        (later, NOW, ComponentStatus.DEGRADED_PERFORMANCE),
    ]
