"""The web UI's shell: sign-in, sign-out, the signed-in home page and the stylesheet.

Later pages join `router` (its route class turns PageError and Redirect into pages) and take
`WebUser`, `CsrfUser` or a role from firehouse.web.deps.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from firehouse.auth import sso, users, web_sessions
from firehouse.auth.users import Outcome
from firehouse.httpapi.runtime import Runtime
from firehouse.web.deps import (
    COOKIE,
    CsrfUser,
    FormData,
    current_user,
    runtime_of,
    safe_next,
)
from firehouse.web.limiter import FailureLimiter
from firehouse.web.pages import PageError, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

WRONG = "Wrong username or password."
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
_STATIC = {
    entry.name: (entry.read_bytes(), _TYPES[suffix])
    for entry in files("firehouse.web").joinpath("static").iterdir()
    if (suffix := "." + entry.name.rsplit(".", 1)[-1]) in _TYPES
}


def limiter_of(request: Request) -> FailureLimiter:
    """One per app (so per process), made on first use."""
    state = request.app.state
    if not hasattr(state, "web_sign_in_limiter"):
        state.web_sign_in_limiter = FailureLimiter()
    limiter: FailureLimiter = state.web_sign_in_limiter
    return limiter


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or runtime_of(request).settings.base_url.startswith(
        "https"
    )


def _same_origin(request: Request) -> bool:
    """A browser names the page a form came from; refuse sign-ins posted from other sites."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    ours = {f"{request.url.scheme}://{request.url.netloc}"}
    base = urlsplit(runtime_of(request).settings.base_url)
    ours.add(f"{base.scheme}://{base.netloc}")
    return origin in ours


@router.get("/sign-in")
def sign_in_page(request: Request, next: Annotated[str, Query()] = "/") -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        "sign_in.html", next=safe_next(next), username="", error=None, sso=sso_label(request)
    )


def sso_label(request: Request) -> str | None:
    """The single sign-on button's text, or None when no provider is configured."""
    with runtime_of(request).db.read() as session:
        return sso.sign_in_label(session)


@router.post("/sign-in")
def sign_in(request: Request, data: FormData) -> Response:
    runtime = runtime_of(request)
    now = runtime.clock.now()
    address = request.client.host if request.client else "unknown"
    username = data.get("username", "")[:200]
    password = data.get("password", "")
    target = safe_next(data.get("next"))
    if not _same_origin(request):
        raise PageError(403, "Sign-in refused", "Sign in from firehouse's own sign-in page.")
    limiter = limiter_of(request)
    if limiter.blocked(address, now=now):
        raise _too_many("Too many failed sign-ins from your address. Wait a minute and retry.")
    if not username.strip() or not password:
        return render(
            "sign_in.html",
            status_code=422,
            next=target,
            username=username,
            error="Enter your username and password.",
            sso=sso_label(request),
        )
    with runtime.db.read() as session:
        attempt = users.check_password(session, username, password)
    with runtime.db.write() as session:
        result = users.record_attempt(session, attempt, now=now)
        token = None
        if result.outcome is Outcome.SIGNED_IN and result.user is not None:
            _row, token = web_sessions.start(session, result.user, now=now)
    if result.outcome is Outcome.LOCKED:
        limiter.record_failure(address, now=now)
        raise _too_many(
            "This account is locked for 15 minutes after too many failed sign-ins. "
            "Wait, or ask an administrator."
        )
    if token is None:
        limiter.record_failure(address, now=now)
        return render(
            "sign_in.html",
            status_code=401,
            next=target,
            username=username,
            error=WRONG,
            sso=sso_label(request),
        )
    return signed_in(request, token, target)


def signed_in(request: Request, token: str, target: str) -> Response:
    """The redirect that hands a new session's cookie to the browser (password or SSO)."""
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(web_sessions.ABSOLUTE.total_seconds()),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    return response


def _too_many(message: str) -> PageError:
    return PageError(429, "Too many sign-in attempts", message, headers={"Retry-After": "60"})


@router.post("/sign-out")
async def sign_out(request: Request, _user: CsrfUser) -> Response:
    runtime = runtime_of(request)
    token = request.cookies.get(COOKIE, "")
    await run_in_threadpool(_end, runtime, token)
    response = RedirectResponse("/sign-in", status_code=303, headers={"Cache-Control": "no-store"})
    response.delete_cookie(COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax")
    return response


def _end(runtime: Runtime, token: str) -> None:
    with runtime.db.write() as session:
        web_sessions.end(session, token, now=runtime.clock.now())


@router.get("/static/{name}")
def static(name: str) -> Response:
    found = _STATIC.get(name)
    if found is None:
        raise PageError(404, "Not found", "There is no such file.")
    body, media_type = found
    return Response(
        body,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
