"""Report figures on a generated history equal figures computed here, independently, with the
standard library's `statistics` and plain counting."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from firehouse.guidance.reports import (
    ChecklistRow,
    IncidentRow,
    PostmortemRow,
    Rows,
    csv_rows,
    summarise,
)

START = date(2026, 1, 1)
END = date(2026, 2, 1)
NOW = datetime(2026, 2, 10, tzinfo=UTC)
KEYS = ("channel_created", "commander_assigned", "final_timeline_entry")
STATES = ("open", "done", "not_applicable")


def generated_history(seed: int, size: int = 200) -> Rows:
    rng = random.Random(seed)
    incidents, checklist, postmortems = [], [], []
    for number in range(1, size + 1):
        declared = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(31 * 86400))
        acknowledged = (
            declared + timedelta(seconds=rng.randrange(1, 3600)) if rng.random() < 0.8 else None
        )
        status = rng.choice(("open", "resolved", "closed"))
        resolved = (
            declared + timedelta(seconds=rng.randrange(60, 86400)) if status == "resolved" else None
        )
        incidents.append(
            IncidentRow(
                number=number,
                priority=rng.choice(("P1", "P2", "P3", "P4")),
                service=rng.choice(("website", "cms", "search")),
                status=status,
                declared_at=declared,
                acknowledged_at=acknowledged,
                resolved_at=resolved,
            )
        )
        checklist += [ChecklistRow(number, key, rng.choice(STATES)) for key in KEYS]
        if rng.random() < 0.3:
            due = NOW + timedelta(days=rng.randrange(-10, 10))
            postmortems.append(
                PostmortemRow(number, rng.choice(("draft", "in_review", "published")), due)
            )
    return Rows(incidents=incidents, checklist=checklist, postmortems=postmortems)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8]


@pytest.fixture(params=[1, 2, 3])
def history(request: pytest.FixtureRequest) -> Rows:
    return generated_history(request.param)


def test_counts_by_priority_service_and_status_match_a_plain_count(history: Rows) -> None:
    summary = summarise(history, start=START, end=END, now=NOW)
    assert summary.incidents == 200
    assert summary.by_priority == dict(Counter(i.priority for i in history.incidents))
    assert summary.by_service == dict(Counter(i.service for i in history.incidents))
    assert summary.by_status == dict(Counter(i.status for i in history.incidents))


def test_time_to_acknowledge_median_and_p90_match_statistics(history: Rows) -> None:
    seconds = [
        (i.acknowledged_at - i.declared_at).total_seconds()
        for i in history.incidents
        if i.acknowledged_at is not None
    ]
    found = summarise(history, start=START, end=END, now=NOW).durations["acknowledge"]
    assert found.count == len(seconds)
    assert found.median == pytest.approx(statistics.median(seconds))
    assert found.p90 == pytest.approx(p90(seconds))


def test_time_to_mitigate_and_to_resolve_are_measured_to_the_resolution(history: Rows) -> None:
    seconds = [
        (i.resolved_at - i.declared_at).total_seconds()
        for i in history.incidents
        if i.resolved_at is not None
    ]
    durations = summarise(history, start=START, end=END, now=NOW).durations
    for name in ("mitigate", "resolve"):
        assert durations[name].median == pytest.approx(statistics.median(seconds))
        assert durations[name].p90 == pytest.approx(p90(seconds))


def test_checklist_completion_counts_done_and_not_applicable(history: Rows) -> None:
    summary = summarise(history, start=START, end=END, now=NOW)
    finished = [c for c in history.checklist if c.state != "open"]
    assert summary.checklist.rate == pytest.approx(len(finished) / len(history.checklist))
    for key in KEYS:
        of_key = [c for c in history.checklist if c.key == key]
        done = [c for c in of_key if c.state != "open"]
        assert summary.checklist_by_item[key].rate == pytest.approx(len(done) / len(of_key))


def test_postmortems_due_are_unpublished_and_overdue_are_past_their_date(history: Rows) -> None:
    summary = summarise(history, start=START, end=END, now=NOW)
    unpublished = [p for p in history.postmortems if p.state != "published"]
    assert summary.postmortems_due == len(unpublished)
    assert summary.postmortems_overdue == len(
        [p for p in unpublished if p.due_at is not None and p.due_at < NOW]
    )


def test_a_period_without_incidents_has_no_durations_and_no_rate() -> None:
    summary = summarise(Rows(), start=START, end=END, now=NOW)
    assert summary.incidents == 0
    assert summary.durations["resolve"].median is None
    assert summary.durations["acknowledge"].p90 is None
    assert summary.checklist.rate is None


def test_one_measurement_is_its_own_median_and_p90() -> None:
    declared = datetime(2026, 1, 5, tzinfo=UTC)
    row = IncidentRow(1, "P1", "website", "resolved", declared, None, declared + timedelta(hours=1))
    found = summarise(Rows(incidents=[row]), start=START, end=END, now=NOW).durations["resolve"]
    assert (found.count, found.median, found.p90) == (1, 3600.0, 3600.0)


def test_csv_rows_carry_every_figure_with_empty_values_for_no_data() -> None:
    declared = datetime(2026, 1, 5, tzinfo=UTC)
    row = IncidentRow(7, "P2", "cms", "open", declared)
    rows = csv_rows(summarise(Rows(incidents=[row]), start=START, end=END, now=NOW))
    assert ("incidents_by_priority", "P2", "1") in rows
    assert ("incidents_by_service", "cms", "1") in rows
    assert ("time_to_resolve_seconds", "median", "") in rows
    assert ("period_start", "", "2026-01-01") in rows
