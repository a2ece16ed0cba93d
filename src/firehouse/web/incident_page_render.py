"""Rendering the incident page and its forms' pages, shared by the page's GET routes and by the
form handlers that re-render it with an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request, Response

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.clock import as_utc
from firehouse.guidance import checklist_service
from firehouse.incidents.visibility import missing, sight_of
from firehouse.web import follow_up_panel, incident_view
from firehouse.web.deps import runtime_of
from firehouse.web.pages import refusal, render
from firehouse.web.timeline_html import entries_html

MAX_NUMBER = 2_147_483_647

# What a finished action says on the page it returns to; `?done=` names one of these, so
# nothing a link carries is ever echoed into the page.
DONE = {
    "role": "Role assigned.",
    "role-removed": "Role removed.",
    "entry": "Timeline entry added.",
    "priority": "Priority changed.",
    "link": "Link added.",
    "resolved": "Incident resolved.",
    "closed": "Incident closed.",
    "reopened": "Incident reopened.",
    "public-update": "Public update posted.",
    "published": "Public incident published.",
}


@dataclass
class Feedback:
    """What a refused form brings back to the page: errors by control id, the input kept."""

    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


def parse_number(value: str) -> int:
    """An incident number from the path; anything else is simply not an incident."""
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_NUMBER:
        raise refusal(missing(0)) from None
    return int(value)


def age(created_at: datetime, now: datetime) -> str:
    minutes = max(0, int((as_utc(now) - as_utc(created_at)) / timedelta(minutes=1)))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"


def page_context(user: SignedIn, summary: incident_view.Summary, now: datetime) -> dict[str, Any]:
    return {
        "user": user,
        "s": summary,
        "can_act": user.role.allows(AccessRole.RESPONDER),
        "age": age(summary.incident.created_at, now),
    }


def render_page(
    request: Request,
    user: SignedIn,
    number: int,
    *,
    status_code: int = 200,
    feedback: Feedback | None = None,
    flash: str | None = None,
) -> Response:
    """The whole page; in a plain `def` caller's thread (it reads the database)."""
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        view = incident_view.load_view(session, number, sight_of(user))
        checklist = checklist_service.checklist_of(session, view.summary.incident)
        panel = follow_up_panel.panel_context(session, number, sight_of(user))
    shown = feedback or Feedback()
    return render(
        "incident.html",
        checklist=checklist,
        **panel,
        status_code=status_code,
        section="incidents",
        entries_html=entries_html(view.entries),
        last_entry_id=view.last_entry_id,
        levels=view.levels,
        people=view.people_list,
        role_choices=incident_view.ROLE_CHOICES,
        link_kinds=incident_view.LINK_KINDS,
        public_statuses=incident_view.PUBLIC_STATUSES,
        errors=shown.errors,
        values=shown.values,
        problem=shown.problem,
        flash=flash,
        **page_context(user, view.summary, runtime.clock.now()),
    )


def render_transition(
    request: Request,
    user: SignedIn,
    number: int,
    which: str,
    *,
    status_code: int = 200,
    feedback: Feedback | None = None,
) -> Response:
    """The resolve or close form on a page of its own (the dialog's twin without JS)."""
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        summary, _people = incident_view.load_summary(session, number, sight_of(user))
    shown = feedback or Feedback()
    return render(
        "incident_transition.html",
        status_code=status_code,
        section="incidents",
        user=user,
        incident=summary.incident,
        number=number,
        heading="Resolve" if which == "resolve" else "Close",
        form_template=f"_incident_{which}_form.html",
        in_dialog=False,
        errors=shown.errors,
        values=shown.values,
        problem=shown.problem,
    )
