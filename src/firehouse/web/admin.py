"""Admin pages under /admin: services, people, teams, API tokens, users, configuration.

This module holds the index and gathers the admin routers, so the site lists one router for
the whole admin area; each area lives in its own module (admin_catalog, admin_tokens,
admin_users).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from firehouse.web import admin_catalog, admin_tokens, admin_users
from firehouse.web.deps import AdminUser
from firehouse.web.pages import WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/admin")
def admin_index(user: AdminUser) -> Response:
    return render("admin.html", user=user, section="admin", admin_page="index")


router.include_router(admin_catalog.router)
router.include_router(admin_tokens.router)
router.include_router(admin_users.router)
