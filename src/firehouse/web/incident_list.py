"""The incident list at /incidents: filters, search, pagination, CSV export.

Filters travel in the query string, so a filtered list is a link one can share or bookmark,
and the CSV export of the same list is that link with `.csv` added.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from firehouse.incidents import export, search
from firehouse.incidents.policy import PRIORITIES
from firehouse.incidents.visibility import sight_of
from firehouse.web.deps import WebUser, runtime_of
from firehouse.web.pages import PAGE_HEADERS, PageError, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _filters(request: Request) -> dict[str, str]:
    """The filter fields as sent (the last value when one repeats), cursors left out."""
    return {name: request.query_params.get(name, "") for name in search.FIELDS}


def _query(filters: dict[str, str], **cursor: int | None) -> str:
    kept = {name: value for name, value in filters.items() if value and value != "any"}
    kept.update({name: str(value) for name, value in cursor.items() if value is not None})
    return urlencode(kept)


def age(now: datetime, then: datetime) -> str:
    """How long ago, in the largest unit that fits: "5 min", "3 h", "12 d"."""
    elapsed = max(now - then, timedelta(0))
    if elapsed < timedelta(hours=1):
        return f"{int(elapsed.total_seconds() // 60)} min"
    if elapsed < timedelta(days=2):
        return f"{int(elapsed.total_seconds() // 3600)} h"
    return f"{elapsed.days} d"


@router.get("/incidents")
def incident_list(request: Request, user: WebUser) -> Response:
    runtime = runtime_of(request)
    filters = _filters(request)
    with runtime.db.read() as session:
        page = search.list_page(session, request.query_params, sight_of(user))
    return render(
        "incidents.html",
        status_code=422 if page.problems else 200,
        user=user,
        section="incidents",
        page=page,
        filters=filters,
        problems=page.problems,
        statuses=search.STATUSES,
        priorities=PRIORITIES,
        commander_of=search.commander_of,
        now=runtime.clock.now(),
        age=age,
        older_url=f"/incidents?{_query(filters, before=page.older)}",
        newer_url=f"/incidents?{_query(filters, after=page.newer)}",
        csv_url=f"/incidents.csv?{_query(filters)}".rstrip("?"),
    )


@router.get("/incidents.csv")
def incident_csv(request: Request, user: WebUser) -> Response:
    runtime = runtime_of(request)
    try:
        with runtime.db.read() as session:
            criteria = search.criteria_for(session, request.query_params)
    except search.InvalidCriteria as refused:
        named = "; ".join(f"{name}: {problem}" for name, problem in refused.problems.items())
        raise PageError(422, "Not accepted", named) from None
    headers = {
        **PAGE_HEADERS,
        "Content-Disposition": 'attachment; filename="incidents.csv"',
    }
    return StreamingResponse(
        export.csv_chunks(runtime.db, criteria, sight_of(user)),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )
