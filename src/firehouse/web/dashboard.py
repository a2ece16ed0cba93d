"""The dashboard at `/`: open incidents by priority, who is on call, recent alerts."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from firehouse.auth.roles import AccessRole
from firehouse.incidents.visibility import sight_of
from firehouse.web.dashboard_view import dashboard as dashboard_of
from firehouse.web.deps import WebUser, runtime_of
from firehouse.web.pages import WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/")
def dashboard(request: Request, user: WebUser) -> Response:
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        board = dashboard_of(session, sight_of(user), runtime.clock.now())
    return render(
        "dashboard.html",
        user=user,
        section="dashboard",
        board=board,
        can_declare=user.role.allows(AccessRole.RESPONDER),
    )
