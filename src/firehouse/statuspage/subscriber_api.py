"""HTTP routes of status page subscriptions: the public sign-up, its confirmation and
unsubscribe links, and the admin's list. Each route parses, authorises, calls one use case.

The public routes take no token. The unsubscribe link answers GET with a page holding one
button, and unsubscribes on POST, which is what mail clients send for RFC 8058 one-click
unsubscribe: link scanners that fetch every URL in a mail must not unsubscribe anybody.
"""

from __future__ import annotations

import html
import math
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.convertors import Convertor, register_url_convertor

from firehouse.errors import DomainError, InvalidInput
from firehouse.httpapi.deps import Admin, RuntimeDep
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.httpapi.types import Id, Url
from firehouse.statuspage import subscribers
from firehouse.statuspage.ids import ALPHABET, LENGTH
from firehouse.statuspage.model import Subscriber
from firehouse.statuspage.signup_limit import SignupLimit

router = APIRouter(
    prefix="/api/v1/statuspage/subscribers",
    tags=["statuspage subscribers"],
    responses=documented(400, 404, 409, 422, 429, 503),
)


class _StatuspageIdConvertor(Convertor[str]):
    """Only an id of the page's own form matches `{x:statuspage_id}`, so `/subscribers/confirm`
    is never also read as "subscriber `confirm`" (which advertised DELETE on it)."""

    regex = f"[{ALPHABET}]{{{LENGTH}}}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("statuspage_id", _StatuspageIdConvertor())

Token = Annotated[str, Query(min_length=1, max_length=100, description="From the link.")]
EmailText = Annotated[str, StringConstraints(max_length=320)]


class SubscribeIn(BaseModel):
    """Either `email` (double opt-in) or `url` (a webhook, signed per Standard Webhooks)."""

    model_config = ConfigDict(extra="forbid")

    email: EmailText | None = None
    url: Url | None = None
    components: list[Id] = Field(
        default_factory=list, max_length=200, description="Only these components; none: all."
    )


class SignupOut(BaseModel):
    kind: Literal["email", "webhook"]
    state: str
    detail: str
    id: str | None = None
    url: str | None = None
    components: list[str] = Field(default_factory=list)
    secret: str | None = Field(default=None, description="Webhooks only, shown this once.")


class SubscriberOut(BaseModel):
    id: str
    kind: str
    address: str
    components: list[str]
    state: str
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


class StateOut(BaseModel):
    id: str
    state: str


def _limit(request: Request, runtime: Runtime) -> None:
    limit: SignupLimit | None = getattr(request.app.state, "subscriber_signups", None)
    if limit is None:
        limit = SignupLimit(runtime.settings.subscriber_signups_per_minute)
        request.app.state.subscriber_signups = limit
    client = request.client.host if request.client else "unknown"
    wait = limit.take(client, runtime.clock.now())
    if wait is not None:
        seconds = math.ceil(wait)
        raise HTTPException(
            status_code=429,
            detail=f"too many sign-ups from your address; try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


@router.post("", status_code=202, responses={201: {"model": SignupOut}})
def subscribe(
    body: SubscribeIn, request: Request, runtime: RuntimeDep, response: Response
) -> SignupOut:
    _limit(request, runtime)
    if (body.email is None) == (body.url is None):
        raise InvalidInput("give either email or url (a webhook), not both", field="email")
    now = runtime.clock.now()
    if body.email is not None:
        with runtime.db.write() as session:
            subscribers.subscribe_email(session, body.email, body.components, now=now)
        return SignupOut(
            kind="email",
            state="pending",
            detail="a confirmation link is on its way unless this address is already subscribed;"
            " nothing else is sent until it is opened",
            components=body.components,
        )
    with runtime.db.write() as session:
        created = subscribers.subscribe_webhook(
            session,
            body.url or "",
            body.components,
            now=now,
            allow_loopback=runtime.settings.subscriber_webhooks_allow_loopback,
        )
        row = created.subscriber
        out = SignupOut(
            kind="webhook",
            state="confirmed",
            detail="keep the secret: it verifies webhook-signature and is not shown again",
            id=row.id,
            url=row.address,
            components=list(row.component_ids),
            secret=created.secret,
        )
    response.status_code = 201
    return out


@router.get("/confirm", response_model=None)
def confirm(token: Token, request: Request, runtime: RuntimeDep) -> StateOut | HTMLResponse:
    try:
        with runtime.db.write() as session:
            row = subscribers.confirm(session, token, now=runtime.clock.now())
            out = StateOut(id=row.id, state=subscribers.state_of(row))
    except DomainError as refused:
        if _wants_html(request):
            return _page(
                refused.status,
                "Link not valid",
                "This confirmation link is not valid"
                " any more. It works once; you may already be subscribed.",
            )
        raise
    if _wants_html(request):
        return _page(
            200,
            "Subscribed",
            "Your subscription is confirmed. Every mail we send you carries a link to unsubscribe.",
        )
    return out


@router.get("/unsubscribe", response_model=None)
def unsubscribe_page(
    token: Token, request: Request, runtime: RuntimeDep
) -> StateOut | HTMLResponse:
    """Shows the state and a button; changes nothing (see the module's docstring)."""
    try:
        with runtime.db.read() as session:
            row = subscribers.by_unsubscribe_token(session, token)
            out = StateOut(id=row.id, state=subscribers.state_of(row))
    except DomainError as refused:
        if _wants_html(request):
            return _page(refused.status, "Link not valid", "This unsubscribe link is not known.")
        raise
    if not _wants_html(request):
        return out
    if out.state == "unsubscribed":
        return _page(200, "Unsubscribed", "You are unsubscribed; we send you nothing more.")
    action = html.escape(f"{router.prefix}/unsubscribe?token={token}", quote=True)
    form = (
        f'<form method="post" action="{action}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return _page(200, "Unsubscribe", "Stop all status updates to this subscription?", form)


@router.post("/unsubscribe", response_model=None)
def unsubscribe(token: Token, request: Request, runtime: RuntimeDep) -> StateOut | HTMLResponse:
    """RFC 8058 one-click: the body (List-Unsubscribe=One-Click) is accepted and not needed."""
    try:
        with runtime.db.write() as session:
            row = subscribers.unsubscribe(session, token, now=runtime.clock.now())
            out = StateOut(id=row.id, state=subscribers.state_of(row))
    except DomainError as refused:
        if _wants_html(request):
            return _page(refused.status, "Link not valid", "This unsubscribe link is not known.")
        raise
    if _wants_html(request):
        return _page(200, "Unsubscribed", "You are unsubscribed; we send you nothing more.")
    return out


@router.get("", responses=documented(401, 403))
def list_subscribers(runtime: RuntimeDep, _caller: Admin) -> list[SubscriberOut]:
    with runtime.db.read() as session:
        return [_out(row) for row in subscribers.list_subscribers(session)]


@router.delete("/{subscriber_id:statuspage_id}", status_code=204, responses=documented(401, 403))
def remove_subscriber(subscriber_id: Id, runtime: RuntimeDep, _caller: Admin) -> Response:
    with runtime.db.write() as session:
        subscribers.remove(session, subscriber_id)
    return Response(status_code=204)


def _out(row: Subscriber) -> SubscriberOut:
    return SubscriberOut(
        id=row.id,
        kind=row.kind,
        address=row.address,
        components=list(row.component_ids),
        state=subscribers.state_of(row),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        unsubscribed_at=row.unsubscribed_at,
    )


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _page(status: int, title: str, text: str, extra: str = "") -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{extra}</main></body></html>"
    )
    return HTMLResponse(body, status_code=status)
