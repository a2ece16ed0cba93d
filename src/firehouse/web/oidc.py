"""Optional OpenID Connect sign-in at /sign-in/oidc and its callback.

The protocol is firehouse.auth.oidc, the HTTP firehouse.integrations.oidc, the account
firehouse.auth.sso; these routes only carry the browser between them. A refusal is the
sign-in page with one line saying why, never a traceback, and counts against the address
like a wrong password does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import IntegrityError

from firehouse.auth import oidc, sso
from firehouse.auth.signing import signing_key
from firehouse.catalog.config_web import OidcConfig
from firehouse.httpapi.runtime import Runtime
from firehouse.integrations.oidc import HttpOidcClient
from firehouse.web.deps import runtime_of, safe_next
from firehouse.web.pages import PageError, WebRoute, render
from firehouse.web.routes import limiter_of, signed_in

router = APIRouter(include_in_schema=False, route_class=WebRoute)

PENDING_COOKIE = "firehouse_oidc"
_COOKIE_PATH = "/sign-in"
MAX_NEXT = 1000  # the pending cookie must stay well under a browser's 4 KB


def client_of(request: Request) -> HttpOidcClient:
    """One per app, so discovery is cached per process; tests may set a shorter timeout."""
    state = request.app.state
    if not hasattr(state, "oidc_client"):
        state.oidc_client = HttpOidcClient()
    client: HttpOidcClient = state.oidc_client
    return client


def _config(request: Request) -> OidcConfig:
    with runtime_of(request).db.read() as session:
        config = sso.oidc_config(session)
    if config is None:
        raise PageError(404, "Not found", "Single sign-on is not set up here.")
    return config


def _client_secret(request: Request) -> str:
    secret = runtime_of(request).settings.oidc_client_secret
    return secret.get_secret_value() if secret is not None else ""


def _redirect_uri(request: Request) -> str:
    return runtime_of(request).settings.base_url.rstrip("/") + "/sign-in/oidc/callback"


def _key(request: Request) -> bytes:
    runtime = runtime_of(request)
    return signing_key(runtime.db, runtime.settings.secret_key)


@router.get("/sign-in/oidc")
def start(request: Request, next: Annotated[str, Query()] = "/") -> Response:
    config = _config(request)
    now = runtime_of(request).clock.now()
    try:
        provider = client_of(request).discover(config.issuer)
    except oidc.OidcRefused as refused:
        return _refusal(request, refused, safe_next(next), config)
    pending = oidc.begin(safe_next(next) if len(next) <= MAX_NEXT else "/", now=now)
    location = oidc.authorization_url(provider, config, pending, _redirect_uri(request))
    response = RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        PENDING_COOKIE,
        oidc.seal(_key(request), pending),
        max_age=int(oidc.PENDING_FOR.total_seconds()),
        path=_COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/sign-in/oidc/callback")
def callback(
    request: Request,
    code: Annotated[str, Query(max_length=4000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    config = _config(request)
    runtime = runtime_of(request)
    now = runtime.clock.now()
    address = request.client.host if request.client else "unknown"
    limiter = limiter_of(request)
    if limiter.blocked(address, now=now):
        raise PageError(
            429,
            "Too many sign-in attempts",
            "Too many failed sign-ins from your address. Wait a minute and retry.",
            headers={"Retry-After": "60"},
        )
    target = "/"
    try:
        pending = oidc.unseal(_key(request), request.cookies.get(PENDING_COOKIE), state, now=now)
        target = safe_next(pending.next)
        if error or not code:
            raise oidc.OidcRefused("The sign-in provider did not sign you in.")
        identity = oidc.verified_identity(
            client_of(request),
            config,
            pending,
            code=code,
            redirect_uri=_redirect_uri(request),
            client_secret=_client_secret(request),
            now=now,
        )
        token = _start_session(runtime, identity, now=now)
    except oidc.OidcRefused as refused:
        limiter.record_failure(address, now=now)
        return _refusal(request, refused, target, config)
    response = signed_in(request, token, target)
    response.delete_cookie(
        PENDING_COOKIE, path=_COOKIE_PATH, secure=_secure(request), httponly=True, samesite="lax"
    )
    return response


def _start_session(runtime: Runtime, identity: oidc.Identity, *, now: datetime) -> str:
    """Two first sign-ins of one person at once both try to create the account: the loser
    retries once and finds it."""
    try:
        with runtime.db.write() as session:
            return sso.start_session(session, identity, now=now)
    except IntegrityError:
        with runtime.db.write() as session:
            return sso.start_session(session, identity, now=now)


def _refusal(
    request: Request, refused: oidc.OidcRefused, target: str, config: OidcConfig
) -> Response:
    message = refused.message
    if refused.status == 502:
        message = f"Single sign-on failed: {message}."
    page = render(
        "sign_in.html",
        status_code=refused.status,
        next=target,
        username="",
        error=None,
        sso=config.label,
        sso_error=message,
    )
    # A pending sign-in is used once: a replayed callback finds no cookie.
    page.delete_cookie(
        PENDING_COOKIE, path=_COOKIE_PATH, secure=_secure(request), httponly=True, samesite="lax"
    )
    return page


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or runtime_of(request).settings.base_url.startswith(
        "https"
    )
