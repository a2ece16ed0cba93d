"""Web accounts: list, create with a password, and disable (which signs the account out)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from firehouse.auth import users
from firehouse.auth.web_sessions import SignedIn
from firehouse.catalog.service import list_people
from firehouse.errors import DomainError
from firehouse.web.admin_access import ROLES, AdminChange
from firehouse.web.deps import AdminUser, FormData, runtime_of
from firehouse.web.pages import Redirect, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

_FIELDS = ("username", "name", "role", "person")


def _page(request: Request, user: SignedIn, *, status_code: int = 200, **extra: Any) -> Response:
    with runtime_of(request).db.read() as session:
        accounts = users.list_users(session)
        choices = [(person.id, person.name) for person in list_people(session)]
        context: dict[str, Any] = {"form": {}, "errors": {}, **extra}
        return render(
            "admin_users.html",
            status_code=status_code,
            user=user,
            section="admin",
            admin_page="users",
            accounts=accounts,
            people=choices,
            roles=ROLES,
            min_password=users.MIN_PASSWORD,
            **context,
        )


@router.get("/admin/users")
def admin_users(request: Request, user: AdminUser) -> Response:
    return _page(request, user)


@router.post("/admin/users")
def create_user(request: Request, user: AdminChange, data: FormData) -> Response:
    runtime = runtime_of(request)
    form = {key: data.get(key, "").strip() for key in _FIELDS}
    try:
        with runtime.db.write() as session:
            users.create_user(
                session,
                username=form["username"],
                name=form["name"],
                role=form["role"],
                person=form["person"] or None,
                password=data.get("password", ""),
                now=runtime.clock.now(),
            )
    except DomainError as error:
        if error.field is None:
            raise
        return _page(request, user, status_code=422, form=form, errors={error.field: error.message})
    raise Redirect("/admin/users")


@router.post("/admin/users/{username}/disable")
def disable_user(request: Request, user: AdminChange, username: str) -> Response:
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        users.disable_user(session, username, now=runtime.clock.now(), by=user.username)
    raise Redirect("/admin/users")
