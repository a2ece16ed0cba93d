"""API tokens for scripts and integrations: list, create (the secret shown once), revoke.

A new token's secret is on the response to the POST itself, never behind a redirect: only
its hash is stored, so there is no later page that could show it again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from firehouse.auth import service as tokens
from firehouse.auth.web_sessions import SignedIn
from firehouse.catalog.service import list_people
from firehouse.errors import DomainError
from firehouse.web.admin_access import ROLES, AdminChange
from firehouse.web.deps import AdminUser, FormData, runtime_of
from firehouse.web.pages import Redirect, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _page(request: Request, user: SignedIn, *, status_code: int = 200, **extra: Any) -> Response:
    with runtime_of(request).db.read() as session:
        rows = tokens.list_tokens(session)
        people = list_people(session)
        listed = [
            {
                "name": row.name,
                "path": quote(row.name, safe=""),
                "role": row.role,
                "person": row.person_id,
                "prefix": row.prefix,
                "created_at": row.created_at,
                "last_used_at": row.last_used_at,
                "revoked_at": row.revoked_at,
            }
            for row in rows
        ]
        choices = [(person.id, person.name) for person in people]
    context: dict[str, Any] = {"form": {}, "errors": {}, "created": None, **extra}
    return render(
        "admin_tokens.html",
        status_code=status_code,
        user=user,
        section="admin",
        admin_page="tokens",
        tokens=listed,
        people=choices,
        roles=ROLES,
        **context,
    )


@router.get("/admin/tokens")
def admin_tokens(request: Request, user: AdminUser) -> Response:
    return _page(request, user)


@router.post("/admin/tokens")
def create_token(request: Request, user: AdminChange, data: FormData) -> Response:
    runtime = runtime_of(request)
    form = {key: data.get(key, "").strip() for key in ("name", "role", "person")}
    try:
        with runtime.db.write() as session:
            row, secret = tokens.create_token(
                session,
                name=form["name"],
                role=form["role"],
                person=form["person"] or None,
                now=runtime.clock.now(),
            )
            created = {"name": row.name, "secret": secret}
    except DomainError as error:
        if error.field is None:
            raise
        return _page(request, user, status_code=422, form=form, errors={error.field: error.message})
    return _page(request, user, created=created)


@router.post("/admin/tokens/{name:path}/revoke")
def revoke_token(request: Request, _user: AdminChange, name: str) -> Response:
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        tokens.revoke_token(session, name, now=runtime.clock.now())
    raise Redirect("/admin/tokens")
