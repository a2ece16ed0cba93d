"""The forms of the incident page. Each handler parses the form, checks the CSRF token and the
responder role, refuses as missing a private incident the user may not see (before anything
else, so no other answer hints that it exists), calls one use case, and answers with a 303
back to the page (Post/Redirect/Get). A refusal re-renders the page with the error beside
the field at fault and the user's input kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.errors import DomainError, InvalidInput, NotFound
from firehouse.incidents import roles, service
from firehouse.incidents.visibility import ensure_visible, sight_of
from firehouse.statuspage import service_incidents
from firehouse.statuspage.linking import linked_to_number
from firehouse.web.deps import CsrfUser, Form, FormData, ensure_role, runtime_of
from firehouse.web.incident_page_render import (
    Feedback,
    parse_number,
    render_page,
    render_transition,
)
from firehouse.web.pages import Redirect, WebRoute, refusal, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

# One use case, given the session, the time, the incident number and who acts.
Action = Callable[[Session, datetime, int, SignedIn], object]

# The controls of each form, by the service's field names; an error on any other field is
# shown at the top of the page.
FIELDS: dict[str, tuple[str, ...]] = {
    "role": ("role", "person"),
    "entry": ("text",),
    "priority": ("priority",),
    "link": ("kind", "url", "title"),
    "resolve": ("note",),
    "close": ("reason", "bug_links"),
    "reopen": ("reason",),
    "public": ("status", "message"),
}
STALE = "This incident changed meanwhile: reload the page and try again."
_INDEX = re.compile(r"\[\d+\]$")


def version_of(data: Form) -> int | None:
    """The version the form was rendered at, when it carries one."""
    raw = data.get("version", "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise InvalidInput("must be the version the page showed", field="version")
    return int(raw)


def _perform(request: Request, user: SignedIn, number: str, action: Action) -> int:
    """Authorise, then run the use case in one transaction; returns the incident number."""
    parsed = parse_number(number)
    ensure_role(user, AccessRole.RESPONDER, "Changing an incident")
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        ensure_visible(session, parsed, sight_of(user))
        action(session, runtime.clock.now(), parsed, user)
    return parsed


def _feedback(form: str, error: DomainError, data: Form) -> Feedback:
    kept = {f"{form}-{name}": value for name, value in data.items() if name != "csrf_token"}
    field = _INDEX.sub("", error.field or "")
    if error.status == 409:
        message = STALE if field in {"If-Match", "version"} else error.message
        return Feedback(values=kept, problem=message)
    if field in FIELDS.get(form, ()):
        return Feedback(errors={f"{form}-{field}": error.message}, values=kept)
    return Feedback(values=kept, problem=f"{field}: {error.message}" if field else error.message)


def _handle(
    request: Request,
    user: SignedIn,
    number: str,
    data: Form,
    *,
    form: str,
    done: str,
    action: Action,
) -> Response:
    try:
        parsed = _perform(request, user, number, action)
    except DomainError as error:
        if error.status in {404, 503} and error.field in {"number", None}:
            raise refusal(error) from None
        target = parse_number(number)
        feedback = _feedback(form, error, data)
        if form in {"resolve", "close"}:
            return render_transition(
                request, user, target, form, status_code=error.status, feedback=feedback
            )
        return render_page(request, user, target, status_code=error.status, feedback=feedback)
    raise Redirect(f"/incidents/{parsed}?done={done}")


@router.post("/incidents/{number}/roles")
def assign_role(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return roles.assign_role(
            session, n, data.get("role", ""), data.get("person", ""), actor=who.actor, now=now
        )

    return _handle(request, user, number, data, form="role", done="role", action=act)


@router.post("/incidents/{number}/roles/remove")
def remove_role(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return roles.remove_role(
            session, n, data.get("role", ""), data.get("person", ""), actor=who.actor, now=now
        )

    return _handle(
        request, user, number, data, form="role-removal", done="role-removed", action=act
    )


@router.post("/incidents/{number}/timeline")
def add_entry(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.add_timeline_entry(
            session, n, data.get("text", ""), actor=who.actor, now=now
        )

    if request.headers.get("HX-Request") != "true":
        return _handle(request, user, number, data, form="entry", done="entry", action=act)
    # htmx swaps the form itself: a fresh one after success (the live stream shows the
    # entry), or the same one with its error.
    feedback, status = Feedback(), 200
    try:
        _perform(request, user, number, act)
    except DomainError as error:
        if error.status in {404, 503} and error.field in {"number", None}:
            raise refusal(error) from None
        feedback, status = _feedback("entry", error, data), error.status
    return render(
        "_incident_entry_form.html",
        status_code=status,
        user=user,
        number=parse_number(number),
        errors=feedback.errors,
        values=feedback.values,
    )


@router.post("/incidents/{number}/priority")
def change_priority(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.change_priority(
            session,
            n,
            data.get("priority", ""),
            actor=who.actor,
            now=now,
            expected_version=version_of(data),
        )

    return _handle(request, user, number, data, form="priority", done="priority", action=act)


@router.post("/incidents/{number}/links")
def add_link(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.add_link(
            session,
            n,
            data.get("url", ""),
            kind=data.get("kind", ""),
            title=data.get("title") or None,
            actor=who.actor,
            now=now,
        )

    return _handle(request, user, number, data, form="link", done="link", action=act)


@router.post("/incidents/{number}/resolve")
def resolve(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.resolve(
            session,
            n,
            data.get("note", ""),
            actor=who.actor,
            now=now,
            expected_version=version_of(data),
        )

    return _handle(request, user, number, data, form="resolve", done="resolved", action=act)


@router.post("/incidents/{number}/close")
def close(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    lines = data.get("bug_links", "").splitlines()
    bug_links = tuple(line.strip() for line in lines if line.strip())

    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.close(
            session,
            n,
            data.get("reason", ""),
            actor=who.actor,
            now=now,
            bug_links=bug_links,
            expected_version=version_of(data),
        )

    return _handle(request, user, number, data, form="close", done="closed", action=act)


@router.post("/incidents/{number}/reopen")
def reopen(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service.reopen(
            session,
            n,
            actor=who.actor,
            now=now,
            reason=data.get("reason") or None,
            expected_version=version_of(data),
        )

    return _handle(request, user, number, data, form="reopen", done="reopened", action=act)


def _public_id(session: Session, number: int) -> str:
    public = linked_to_number(session, number)
    if public is None:
        raise NotFound(f"incident {number} has no public incident", field="public_incident")
    return public.id


@router.post("/incidents/{number}/public/updates")
def post_public_update(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service_incidents.post_update(
            session,
            _public_id(session, n),
            status=data.get("status", ""),
            message=data.get("message", ""),
            actor=who.actor,
            now=now,
        )

    return _handle(request, user, number, data, form="public", done="public-update", action=act)


@router.post("/incidents/{number}/public/publish")
def publish_public(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    def act(session: Session, now: datetime, n: int, who: SignedIn) -> object:
        return service_incidents.publish_incident(
            session, _public_id(session, n), actor=who.actor, now=now
        )

    return _handle(request, user, number, data, form="publish", done="published", action=act)
