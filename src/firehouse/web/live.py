"""Live updates of an incident page: server-sent events at /incidents/{number}/live."""

from __future__ import annotations

from fastapi import APIRouter

from firehouse.web.pages import WebRoute

router = APIRouter(include_in_schema=False, route_class=WebRoute)
