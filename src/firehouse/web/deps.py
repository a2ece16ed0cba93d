"""What web pages depend on: the signed-in user (from the session cookie), the posted form,
its CSRF token, and the role a page needs (the API's roles, see firehouse.auth.roles)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request

from firehouse.auth import web_sessions
from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.httpapi.runtime import Runtime
from firehouse.web.pages import PageError, Redirect

COOKIE = "firehouse_session"
MAX_FORM_BYTES = 64 * 1024

Form = dict[str, str]


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def safe_next(value: str | None) -> str:
    """Only a path on this site: "/incidents/4" yes; "//evil.example", "https://…" no."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c == "\\" for c in value):
        return "/"
    return value


def sign_in_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/sign-in" if here == "/" else f"/sign-in?next={quote(safe_next(here), safe='/')}"


def current_user(request: Request) -> SignedIn | None:
    """A plain `def`: FastAPI runs it in the thread pool, where the database calls belong."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    runtime = runtime_of(request)
    now = runtime.clock.now()
    with runtime.db.read() as session:
        user = web_sessions.resume(session, token, now=now)
    if user is not None and user.touch_is_due:
        with runtime.db.write() as session:
            web_sessions.touch(session, user.session_id, now=now)
    return user


def web_user(request: Request, user: Annotated[SignedIn | None, Depends(current_user)]) -> SignedIn:
    if user is None:
        raise Redirect(sign_in_url(request))
    return user


WebUser = Annotated[SignedIn, Depends(web_user)]


async def form(request: Request) -> Form:
    """The posted urlencoded form; the last value wins when a field repeats. An empty body
    is an empty form (so a bare POST meets the CSRF check, not a format error)."""
    body = await request.body()
    if not body:
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        raise PageError(415, "Unsupported form", "Send the form from the page.")
    if len(body) > MAX_FORM_BYTES:
        raise PageError(413, "Form too large", "The form was larger than firehouse accepts.")
    try:
        parsed = parse_qs(body.decode(), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise PageError(400, "Unreadable form", "The form could not be read.") from None
    return {name: values[-1] for name, values in parsed.items()}


FormData = Annotated[Form, Depends(form)]


def require_csrf(user: WebUser, data: FormData) -> SignedIn:
    """Every form carries the session's token in `csrf_token`; another site cannot read it."""
    sent = data.get("csrf_token", "")
    if not secrets.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise PageError(
            403,
            "Form expired",
            "This form is out of date or did not come from firehouse. "
            "Reload the page and try again.",
        )
    return user


CsrfUser = Annotated[SignedIn, Depends(require_csrf)]


def ensure_role(user: SignedIn, role: AccessRole, doing: str = "This page") -> None:
    """The one refusal for an account without the role: it says what the account lacks."""
    if not user.role.allows(role):
        raise PageError(
            403,
            "Not allowed",
            f"{doing} needs the {role.value} role; your account has {user.role.value}.",
        )


def require_role(role: AccessRole) -> Callable[[SignedIn], SignedIn]:
    def check(user: WebUser) -> SignedIn:
        ensure_role(user, role)
        return user

    return check


ResponderUser = Annotated[SignedIn, Depends(require_role(AccessRole.RESPONDER))]
AdminUser = Annotated[SignedIn, Depends(require_role(AccessRole.ADMIN))]
