"""Follow-up forms on the incident page: add one (built-in, Jira or GitHub), mark a built-in
one done or open again. Parse, authorise, call one use case, then Post/Redirect/Get back to
the page's follow-up panel; a refusal re-renders the page with the error beside the field.

The panel (`_incident_follow_ups.html`) reads what follow_up_panel.panel_context gives the
page renderer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.errors import DomainError, InvalidInput
from firehouse.guidance import follow_ups
from firehouse.incidents.visibility import sight_of
from firehouse.web.deps import CsrfUser, FormData, ensure_role, runtime_of
from firehouse.web.incident_page_render import Feedback, parse_number, render_page
from firehouse.web.pages import Redirect, WebRoute, refusal

router = APIRouter(include_in_schema=False, route_class=WebRoute)

FORM = "follow-up"
FIELDS = ("title", "description", "tracker")
Change = Callable[[Session, datetime, SignedIn], object]


@router.post("/incidents/{number}/follow-ups")
def add(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def change(session: Session, now: datetime, who: SignedIn) -> object:
        return follow_ups.create(
            session,
            parse_number(number),
            data.get("title", ""),
            description=data.get("description", ""),
            tracker=data.get("tracker") or None,
            actor=who.actor,
            now=now,
            sight=sight_of(who),
        )

    return _handle(request, user, number, data, change)


@router.post("/incidents/{number}/follow-ups/{follow_up_id}/done")
def done(
    request: Request, number: str, follow_up_id: str, user: CsrfUser, data: FormData
) -> Response:
    ident = _id(follow_up_id)

    def change(session: Session, now: datetime, who: SignedIn) -> object:
        return follow_ups.mark_done(session, ident, actor=who.actor, now=now, sight=sight_of(who))

    return _handle(request, user, number, data, change)


@router.post("/incidents/{number}/follow-ups/{follow_up_id}/reopen")
def reopen(
    request: Request, number: str, follow_up_id: str, user: CsrfUser, data: FormData
) -> Response:
    ident = _id(follow_up_id)

    def change(session: Session, now: datetime, who: SignedIn) -> object:
        return follow_ups.reopen(session, ident, actor=who.actor, now=now, sight=sight_of(who))

    return _handle(request, user, number, data, change)


def _handle(
    request: Request, user: SignedIn, number: str, data: dict[str, str], change: Change
) -> Response:
    parsed = parse_number(number)
    ensure_role(user, AccessRole.RESPONDER, "Changing follow-ups")
    runtime = runtime_of(request)
    try:
        with runtime.db.write() as session:
            change(session, runtime.clock.now(), user)
    except DomainError as error:
        if error.status in {404, 503} and error.field in {"number", None}:
            raise refusal(error) from None
        kept = {f"{FORM}-{k}": v for k, v in data.items() if k in FIELDS}
        if error.field in FIELDS:
            feedback = Feedback(errors={f"{FORM}-{error.field}": error.message}, values=kept)
        else:
            problem = f"{error.field}: {error.message}" if error.field else error.message
            feedback = Feedback(values=kept, problem=problem)
        return render_page(request, user, parsed, status_code=error.status, feedback=feedback)
    raise Redirect(f"/incidents/{parsed}#follow-ups")


def _id(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise refusal(InvalidInput("not a follow-up id", field="id"))
    return int(value)
