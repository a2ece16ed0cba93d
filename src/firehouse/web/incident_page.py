"""One incident's page at /incidents/{number}: the page itself, the summary fragment live
updates swap in, and the plain resolve and close pages the dialogs stand in for without
JavaScript. The forms' handlers are in incident_actions (joined to this router, so the app
needs only this one), the read model in incident_view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.incidents.visibility import sight_of
from firehouse.web import incident_actions, incident_view
from firehouse.web.deps import WebUser, ensure_role, runtime_of
from firehouse.web.incident_page_render import (
    DONE,
    page_context,
    parse_number,
    render_page,
    render_transition,
)
from firehouse.web.pages import WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/incidents/{number}")
def incident_page(
    request: Request,
    number: str,
    user: WebUser,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return render_page(request, user, parse_number(number), flash=DONE.get(done or ""))


@router.get("/incidents/{number}/summary")
def incident_summary(request: Request, number: str, user: WebUser) -> Response:
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        summary, _people = incident_view.load_summary(session, parse_number(number), sight_of(user))
    return render("_incident_summary.html", **page_context(user, summary, runtime.clock.now()))


@router.get("/incidents/{number}/resolve")
async def resolve_page(request: Request, number: str, user: WebUser) -> Response:
    return await _transition_page(request, number, user, "resolve")


@router.get("/incidents/{number}/close")
async def close_page(request: Request, number: str, user: WebUser) -> Response:
    return await _transition_page(request, number, user, "close")


async def _transition_page(request: Request, number: str, user: SignedIn, which: str) -> Response:
    parsed = parse_number(number)
    ensure_role(user, AccessRole.RESPONDER, "Changing an incident")
    return await run_in_threadpool(render_transition, request, user, parsed, which)


router.include_router(incident_actions.router)
