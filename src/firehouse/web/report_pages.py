"""Reports at /reports: figures, charts (server-rendered SVG) and CSV.

The charts are drawn here as plain geometry (a bar's width, a label's position) so the
template only places what it is given: no JavaScript, nothing to build, and every bar carries
its number as text, so the figure is readable without seeing the bar at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from firehouse.errors import InvalidInput
from firehouse.guidance.policy import LABELS
from firehouse.guidance.report_queries import parse_day, summary
from firehouse.guidance.reports import Summary, csv_text, readable_duration, readable_rate
from firehouse.incidents.visibility import sight_of
from firehouse.web.deps import WebUser, runtime_of
from firehouse.web.pages import PAGE_HEADERS, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

# A narrow drawing, so its 15-unit text stays legible when a 360 px screen scales it down.
CHART_WIDTH = 400
LABEL_WIDTH = 182
VALUE_ROOM = 70
ROW = 32
BAR = 22
LABEL_CHARACTERS = 18  # longer labels are shortened in the drawing, whole in its tooltip


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: int
    width: float
    height: int = BAR

    @property
    def text_y(self) -> int:
        return self.y + BAR // 2 + 6

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARACTERS:
            return self.label
        return self.label[: LABEL_CHARACTERS - 1] + "…"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW + 10


def bar_chart(key: str, title: str, rows: list[tuple[str, float, str]]) -> Chart:
    """Horizontal bars, longest = the largest value; `rows` are (label, value, shown text)."""
    largest = max((value for _label, value, _text in rows), default=0.0)
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = tuple(
        Bar(
            label=label,
            value=text,
            y=5 + index * ROW,
            width=round(room * value / largest, 1) if largest else 0.0,
        )
        for index, (label, value, text) in enumerate(rows)
    )
    described = "; ".join(f"{label}: {text}" for label, _value, text in rows) or "no data"
    return Chart(key=key, title=title, description=described, bars=bars)


def charts(figures: Summary) -> list[Chart]:
    def counted(counts: dict[str, int]) -> list[tuple[str, float, str]]:
        return [(name, float(count), str(count)) for name, count in counts.items()]

    times: list[tuple[str, float, str]] = []
    for name, duration in figures.durations.items():
        for which, seconds in (("median", duration.median), ("p90", duration.p90)):
            if seconds is not None:
                times.append((f"{name.capitalize()} {which}", seconds, readable_duration(seconds)))
    return [
        bar_chart("priority", "Incidents by priority", counted(figures.by_priority)),
        bar_chart("service", "Incidents by service", counted(figures.by_service)),
        bar_chart("durations", "Time to acknowledge, mitigate and resolve", times),
    ]


def _figures(request: Request, user: WebUser) -> Summary:
    runtime = runtime_of(request)
    start = parse_day(request.query_params.get("from"), "from")
    end = parse_day(request.query_params.get("to"), "to")
    with runtime.db.read() as session:
        return summary(session, sight_of(user), start=start, end=end, now=runtime.clock.now())


@router.get("/reports")
def reports(request: Request, user: WebUser) -> Response:
    asked = {name: request.query_params.get(name, "") for name in ("from", "to")}
    try:
        figures = _figures(request, user)
    except InvalidInput as error:
        problems = {str(error.field): error.message}
        return render(
            "report.html",
            status_code=422,
            user=user,
            section="reports",
            asked=asked,
            problems=problems,
            figures=None,
        )
    period = {"from": figures.start.isoformat(), "to": figures.end.isoformat()}
    return render(
        "report.html",
        user=user,
        section="reports",
        asked=period,
        problems={},
        figures=figures,
        charts=charts(figures),
        labels=LABELS,
        duration=readable_duration,
        rate=readable_rate,
        csv_url="/reports.csv?" + urlencode(period),
    )


@router.get("/reports.csv")
def reports_csv(request: Request, user: WebUser) -> Response:
    figures = _figures(request, user)
    name = f"firehouse-report-{figures.start.isoformat()}-{figures.end.isoformat()}.csv"
    return Response(
        csv_text(figures),
        media_type="text/csv; charset=utf-8",
        headers={**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )
