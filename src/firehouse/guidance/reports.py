"""Report figures for a period, from plain rows: counts, durations, checklist completion and
postmortems due.

Pure: the rows are read elsewhere (report_queries), already stripped of training incidents and
of private incidents the reader may not see, so the figures here cannot leak what the rows do
not hold. Keeping the arithmetic away from the database is also what lets a test check it
against figures computed independently on a generated history.

Definitions (the same as the postmortem's key times):
- time to acknowledge: acknowledged_at - declared;
- time to mitigate: resolved_at - declared (resolving an incident is mitigating it: its
  resolution note says how; there is no separate "mitigated" step in the lifecycle);
- time to resolve: resolved_at - declared.
Medians and 90th percentiles interpolate linearly between the closest ranks; a figure with no
data is None, never zero, so "nothing measured" is not mistaken for "instant".
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

DONE_STATES = frozenset({"done", "not_applicable"})
PUBLISHED = "published"
DURATIONS = ("acknowledge", "mitigate", "resolve")


@dataclass(frozen=True)
class IncidentRow:
    number: int
    priority: str
    service: str
    status: str
    declared_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class ChecklistRow:
    incident: int
    key: str
    state: str


@dataclass(frozen=True)
class PostmortemRow:
    incident: int
    state: str
    due_at: datetime | None


@dataclass(frozen=True)
class Rows:
    incidents: Sequence[IncidentRow] = ()
    checklist: Sequence[ChecklistRow] = ()
    postmortems: Sequence[PostmortemRow] = ()


@dataclass(frozen=True)
class Duration:
    """Seconds; None when no incident of the period has the figure."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Completion:
    items: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.items if self.items else None


@dataclass(frozen=True)
class Summary:
    start: date
    end: date  # exclusive
    incidents: int
    by_priority: dict[str, int]
    by_service: dict[str, int]
    by_status: dict[str, int]
    durations: dict[str, Duration]
    checklist: Completion
    checklist_by_item: dict[str, Completion] = field(default_factory=dict)
    postmortems_due: int = 0
    postmortems_overdue: int = 0


def summarise(rows: Rows, *, start: date, end: date, now: datetime) -> Summary:
    incidents = rows.incidents
    return Summary(
        start=start,
        end=end,
        incidents=len(incidents),
        by_priority=_counts(i.priority for i in incidents),
        by_service=_counts(i.service for i in incidents),
        by_status=_counts(i.status for i in incidents),
        durations=durations(incidents),
        checklist=_completion(rows.checklist),
        checklist_by_item={
            key: _completion([c for c in rows.checklist if c.key == key])
            for key in sorted({c.key for c in rows.checklist})
        },
        postmortems_due=sum(1 for p in rows.postmortems if p.state != PUBLISHED),
        postmortems_overdue=sum(
            1
            for p in rows.postmortems
            if p.state != PUBLISHED and p.due_at is not None and p.due_at < now
        ),
    )


def durations(incidents: Sequence[IncidentRow]) -> dict[str, Duration]:
    acknowledged = [
        _seconds(i.acknowledged_at, i.declared_at) for i in incidents if i.acknowledged_at
    ]
    resolved = [_seconds(i.resolved_at, i.declared_at) for i in incidents if i.resolved_at]
    return {
        "acknowledge": _duration(acknowledged),
        "mitigate": _duration(resolved),
        "resolve": _duration(resolved),
    }


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (position fraction*(n-1) in sorted order)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def csv_rows(summary: Summary) -> list[tuple[str, str, str]]:
    """(metric, dimension, value) rows: one table anyone can pivot; empty value = no data."""
    rows: list[tuple[str, str, str]] = [
        ("period_start", "", summary.start.isoformat()),
        ("period_end", "", summary.end.isoformat()),
        ("incidents", "", str(summary.incidents)),
    ]
    for metric, counts in (
        ("incidents_by_priority", summary.by_priority),
        ("incidents_by_service", summary.by_service),
        ("incidents_by_status", summary.by_status),
    ):
        rows += [(metric, name, str(count)) for name, count in counts.items()]
    for name, duration in summary.durations.items():
        rows.append((f"time_to_{name}_seconds", "median", _number(duration.median)))
        rows.append((f"time_to_{name}_seconds", "p90", _number(duration.p90)))
        rows.append((f"time_to_{name}_seconds", "count", str(duration.count)))
    rows.append(("checklist_completion_rate", "", _number(summary.checklist.rate)))
    rows += [
        ("checklist_completion_rate", key, _number(done.rate))
        for key, done in summary.checklist_by_item.items()
    ]
    rows.append(("postmortems_due", "", str(summary.postmortems_due)))
    rows.append(("postmortems_overdue", "", str(summary.postmortems_overdue)))
    return rows


def readable_duration(seconds: float | None) -> str:
    """`1h 05m`, `4m 10s`, `-` for no data: what a person reads at a glance."""
    if seconds is None:
        return "-"
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def readable_rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def csv_text(summary: Summary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("metric", "dimension", "value"))
    writer.writerows(csv_rows(summary))
    return buffer.getvalue()


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _completion(items: Sequence[ChecklistRow]) -> Completion:
    return Completion(items=len(items), completed=sum(1 for c in items if c.state in DONE_STATES))


def _duration(values: Sequence[float]) -> Duration:
    if not values:
        return Duration(count=0, median=None, p90=None)
    return Duration(count=len(values), median=percentile(values, 0.5), p90=percentile(values, 0.9))


def _seconds(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds())


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.4f}".rstrip("0").rstrip(".")
