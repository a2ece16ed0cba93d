"""The declare form at /declare: the impacted service, the priority with each level's
guidance and examples beside the choice, and what a responder knows so far.

A declaration is posted once per form: the page carries a one-time `form_id`, and the ids
recently used (per sign-in session, for ten minutes) remember the incident they declared, so a
double click or a resubmitted page leads to that incident instead of declaring a second one.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.catalog.service import list_services, load_policy
from firehouse.errors import InvalidInput
from firehouse.httpapi.runtime import Runtime
from firehouse.incidents import service
from firehouse.web.deps import CsrfUser, Form, FormData, ResponderUser, ensure_role, runtime_of
from firehouse.web.pages import PageError, Redirect, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

FIELDS = ("service", "priority", "message", "description", "source_url", "private", "commander")
REMEMBER = timedelta(minutes=10)
MAX_REMEMBERED = 1000
# How long a second submission of the same form waits for the first to finish declaring.
WAIT_FOR_FIRST = 15.0
# Refusals whose API wording speaks of tokens; said here as a person at the form acts on them.
PLAIN_WORDS = {
    "private": (
        "Your account acts for no person, so a private incident would have no participant "
        "but admins. Ask an admin to link your account to a person, or leave it unticked."
    ),
}


def responder_posting(user: CsrfUser) -> SignedIn:
    """The CSRF check, then the role: a viewer's own valid form is still refused."""
    ensure_role(user, AccessRole.RESPONDER, "Declaring")
    return user


ResponderPosting = Annotated[SignedIn, Depends(responder_posting)]


@dataclass
class _Use:
    at: datetime
    done: threading.Event = field(default_factory=threading.Event)
    number: int | None = None


class RecentForms:
    """Form ids used lately, in memory (per process, bounded): a resubmission reaches the
    same process in the common case of one server, and the worst case elsewhere is the
    duplicate this narrows, never a lost declaration."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uses: OrderedDict[tuple[int, str], _Use] = OrderedDict()

    def claim(self, key: tuple[int, str], now: datetime) -> _Use | None:
        """None: the caller now owns this form id and must `finish` it. Otherwise the earlier
        use of the same form, to wait for."""
        with self._lock:
            self._forget_before(now - REMEMBER)
            earlier = self._uses.get(key)
            if earlier is not None and not (earlier.done.is_set() and earlier.number is None):
                return earlier
            self._uses[key] = _Use(at=now)
            while len(self._uses) > MAX_REMEMBERED:
                self._uses.popitem(last=False)
            return None

    def finish(self, key: tuple[int, str], number: int | None) -> None:
        with self._lock:
            use = self._uses.get(key)
            if use is None:
                return
            use.number = number
            use.done.set()

    def _forget_before(self, cutoff: datetime) -> None:
        while self._uses:
            oldest = next(iter(self._uses.values()))
            if oldest.at >= cutoff:
                return
            self._uses.popitem(last=False)


def recent_forms(request: Request) -> RecentForms:
    state = request.app.state
    if not hasattr(state, "declare_recent_forms"):
        state.declare_recent_forms = RecentForms()
    forms: RecentForms = state.declare_recent_forms
    return forms


@router.get("/declare")
def declare_page(
    request: Request,
    user: ResponderUser,
    priority: str = "",
    service_id: Annotated[str, Query(alias="service")] = "",
) -> Response:
    return _form(runtime_of(request), user, {"priority": priority, "service": service_id})


@router.post("/declare")
def declare(request: Request, user: ResponderPosting, data: FormData) -> Response:
    runtime = runtime_of(request)
    form_id = data.get("form_id", "")[:64]
    key = (user.session_id, form_id)
    forms = recent_forms(request)
    earlier = forms.claim(key, runtime.clock.now()) if form_id else None
    if earlier is not None:
        earlier.done.wait(WAIT_FOR_FIRST)
        if earlier.number is not None:
            raise Redirect(f"/incidents/{earlier.number}")
        raise PageError(409, "Already sent", "This form is being sent already; reload the page.")
    number: int | None = None
    try:
        errors = _missing(data)
        if errors:
            return _form(runtime, user, data, errors, status_code=422)
        try:
            number = _declare(runtime, user, data)
        except InvalidInput as error:
            field_name = error.field if error.field in FIELDS else "form"
            message = PLAIN_WORDS.get(field_name, error.message)
            return _form(runtime, user, data, {field_name: message}, status_code=422)
    finally:
        if form_id:
            forms.finish(key, number)
    raise Redirect(f"/incidents/{number}")


def _declare(runtime: Runtime, user: SignedIn, data: Form) -> int:
    commands = data.get("commander") == "me" and user.person_id is not None
    declaration = service.Declaration(
        service=data.get("service", ""),
        priority=data.get("priority", ""),
        message=data.get("message", ""),
        description=data.get("description", ""),
        source_url=data.get("source_url") or None,
        private=data.get("private") == "yes",
        reporter=user.person_id,
        commander=user.person_id if commands else None,
    )
    with runtime.db.write() as session:
        incident = service.declare(session, declaration, actor=user.actor, now=runtime.clock.now())
        return incident.number


def _missing(data: Form) -> dict[str, str]:
    """What the form needs before anything else can be judged, said in the form's words."""
    errors: dict[str, str] = {}
    if not data.get("service"):
        errors["service"] = "Choose the impacted service."
    if not data.get("priority"):
        errors["priority"] = "Choose a priority."
    if not data.get("message", "").strip():
        errors["message"] = "Say in a sentence what is wrong."
    return errors


def _form(
    runtime: Runtime,
    user: SignedIn,
    values: Form,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    with runtime.db.read() as session:
        levels = load_policy(session).ordered()
        services = list_services(session)
    # Only a known service or level is pre-selected, so no unchecked text reaches the form.
    chosen_service = values.get("service", "")
    chosen_priority = values.get("priority", "")
    return render(
        "declare.html",
        status_code=status_code,
        user=user,
        section="declare",
        levels=levels,
        services=services,
        values=values,
        chosen_service=chosen_service if chosen_service in {s.id for s in services} else "",
        chosen_priority=chosen_priority
        if chosen_priority in {lv.priority for lv in levels}
        else "",
        errors=errors or {},
        form_id=secrets.token_urlsafe(16),
    )
