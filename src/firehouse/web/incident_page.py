"""One incident's page at /incidents/{number} and the forms that act on it."""

from __future__ import annotations

from fastapi import APIRouter

from firehouse.web.pages import WebRoute

router = APIRouter(include_in_schema=False, route_class=WebRoute)
