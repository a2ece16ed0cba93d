"""The dashboard at `/`: open incidents by priority, who is on call, recent alerts."""

from __future__ import annotations

from fastapi import APIRouter, Response

from firehouse.web.deps import WebUser
from firehouse.web.pages import WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/")
def dashboard(user: WebUser) -> Response:
    return render("dashboard.html", user=user, section="dashboard")
