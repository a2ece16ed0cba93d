"""Follow-up forms on the incident page."""

from __future__ import annotations

from fastapi import APIRouter

from firehouse.web.pages import WebRoute

router = APIRouter(include_in_schema=False, route_class=WebRoute)
