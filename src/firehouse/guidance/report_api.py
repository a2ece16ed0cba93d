"""GET /api/v1/reports/summary and its CSV: the figures of a period, as JSON or as rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from firehouse.auth.service import Principal
from firehouse.guidance.report_queries import parse_day, summary
from firehouse.guidance.reports import Summary, csv_text
from firehouse.httpapi.deps import RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.incidents.visibility import sight_of

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=documented(401, 403, 422))

From = Annotated[
    str | None,
    Query(alias="from", description="First day (YYYY-MM-DD, UTC); default: 30 days before `to`."),
]
To = Annotated[
    str | None,
    Query(
        alias="to", description="Day after the last one (YYYY-MM-DD, exclusive); default: tomorrow."
    ),
]


class DurationOut(BaseModel):
    count: int
    median_seconds: float | None
    p90_seconds: float | None


class CompletionOut(BaseModel):
    items: int
    completed: int
    rate: float | None


class SummaryOut(BaseModel):
    start: str
    end: str
    incidents: int
    by_priority: dict[str, int]
    by_service: dict[str, int]
    by_status: dict[str, int]
    time_to_acknowledge: DurationOut
    time_to_mitigate: DurationOut
    time_to_resolve: DurationOut
    checklist_completion: CompletionOut
    checklist_completion_by_item: dict[str, CompletionOut]
    postmortems_due: int
    postmortems_overdue: int


def summary_out(figures: Summary) -> SummaryOut:
    def duration(name: str) -> DurationOut:
        found = figures.durations[name]
        return DurationOut(count=found.count, median_seconds=found.median, p90_seconds=found.p90)

    def completion(items: int, completed: int, rate: float | None) -> CompletionOut:
        return CompletionOut(items=items, completed=completed, rate=rate)

    return SummaryOut(
        start=figures.start.isoformat(),
        end=figures.end.isoformat(),
        incidents=figures.incidents,
        by_priority=figures.by_priority,
        by_service=figures.by_service,
        by_status=figures.by_status,
        time_to_acknowledge=duration("acknowledge"),
        time_to_mitigate=duration("mitigate"),
        time_to_resolve=duration("resolve"),
        checklist_completion=completion(
            figures.checklist.items, figures.checklist.completed, figures.checklist.rate
        ),
        checklist_completion_by_item={
            key: completion(done.items, done.completed, done.rate)
            for key, done in figures.checklist_by_item.items()
        },
        postmortems_due=figures.postmortems_due,
        postmortems_overdue=figures.postmortems_overdue,
    )


def _figures(runtime: Runtime, caller: Principal, start: str | None, end: str | None) -> Summary:
    first, last = parse_day(start, "from"), parse_day(end, "to")
    with runtime.db.read() as session:
        return summary(session, sight_of(caller), start=first, end=last, now=runtime.clock.now())


@router.get("/summary")
def report_summary(
    runtime: RuntimeDep, caller: Viewer, start: From = None, end: To = None
) -> SummaryOut:
    """Incident figures of a period; training incidents and private ones you may not see are
    left out. Durations are in seconds, null when nothing was measured."""
    return summary_out(_figures(runtime, caller, start, end))


@router.get("/summary.csv", response_class=Response)
def report_summary_csv(
    runtime: RuntimeDep, caller: Viewer, start: From = None, end: To = None
) -> Response:
    """The same figures as rows of metric, dimension, value."""
    figures = _figures(runtime, caller, start, end)
    name = f"firehouse-report-{figures.start.isoformat()}-{figures.end.isoformat()}.csv"
    return Response(
        csv_text(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
