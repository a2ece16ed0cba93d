"""The postmortem editor at /incidents/{number}/postmortem: the Markdown in a textarea, the
state buttons, a preview and the downloads. Each form posts, then redirects back (303); a
refusal re-renders the editor with the message beside the document and the text kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from firehouse.auth.roles import AccessRole
from firehouse.auth.web_sessions import SignedIn
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import postmortem, postmortem_service
from firehouse.incidents.visibility import sight_of
from firehouse.web.deps import CsrfUser, Form, FormData, WebUser, ensure_role, runtime_of
from firehouse.web.incident_page_render import parse_number
from firehouse.web.pages import Redirect, WebRoute, refusal, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)

STATE_BUTTONS: dict[str, tuple[tuple[str, str], ...]] = {
    "draft": (("in_review", "Send for review"),),
    "in_review": (("draft", "Back to draft"), ("published", "Publish")),
    "published": (),
}
Change = Callable[[Session, datetime, SignedIn], object]


def _page(
    request: Request,
    user: SignedIn,
    number: int,
    *,
    status_code: int = 200,
    problem: str | None = None,
    draft: str | None = None,
    flash: str | None = None,
) -> Response:
    runtime = runtime_of(request)
    now = runtime.clock.now()
    with runtime.db.read() as session:
        incident, row = postmortem_service.find(session, number, sight_of(user))
        return render(
            "postmortem.html",
            status_code=status_code,
            user=user,
            section="incidents",
            incident=incident,
            row=row,
            overdue=row is not None and postmortem_service.is_overdue(row, now),
            document=draft if draft is not None else (row.document if row else ""),
            preview=Markup(postmortem.to_html(row.document, heading_shift=2)) if row else None,  # noqa: S704 - markdown-it escapes raw HTML
            buttons=STATE_BUTTONS.get(row.state, ()) if row else (),
            can_act=user.role.allows(AccessRole.RESPONDER),
            problem=problem,
            flash=flash,
            when=postmortem.utc_text,
        )


@router.get("/incidents/{number}/postmortem")
def editor(request: Request, number: str, user: WebUser) -> Response:
    flash = {"saved": "Postmortem saved.", "moved": "Postmortem state changed."}.get(
        request.query_params.get("done", "")
    )
    return _page(request, user, parse_number(number), flash=flash)


@router.post("/incidents/{number}/postmortem/start")
def start(request: Request, number: str, user: CsrfUser) -> Response:
    parsed = parse_number(number)
    _change(
        request,
        user,
        lambda s, now, u: postmortem_service.start(
            s, parsed, sight=sight_of(u), actor=u.actor, now=now
        ),
    )
    raise Redirect(f"/incidents/{parsed}/postmortem")


@router.post("/incidents/{number}/postmortem")
def save(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    parsed = parse_number(number)
    document = data.get("document", "")
    try:
        version = _version(data)
        _change(
            request,
            user,
            lambda s, now, u: postmortem_service.edit(
                s,
                parsed,
                document,
                expected_version=version,
                sight=sight_of(u),
                actor=u.actor,
                now=now,
            ),
        )
    except (InvalidInput, Conflict) as error:
        problem = f"{error.field}: {error.message}" if error.field else error.message
        return _page(
            request, user, parsed, status_code=error.status, problem=problem, draft=document
        )
    raise Redirect(f"/incidents/{parsed}/postmortem?done=saved")


@router.post("/incidents/{number}/postmortem/state")
def move(request: Request, number: str, user: CsrfUser, data: FormData) -> Response:
    parsed = parse_number(number)
    state = data.get("state", "")
    try:
        _change(
            request,
            user,
            lambda s, now, u: postmortem_service.change_state(
                s, parsed, state, sight=sight_of(u), actor=u.actor, now=now
            ),
        )
    except (InvalidInput, Conflict) as error:
        problem = f"{error.field}: {error.message}" if error.field else error.message
        return _page(request, user, parsed, status_code=error.status, problem=problem)
    raise Redirect(f"/incidents/{parsed}/postmortem?done=moved")


@router.get("/incidents/{number}/postmortem.md")
def download_markdown(request: Request, number: str, user: WebUser) -> Response:
    return _download(request, user, parse_number(number), "md", "text/markdown")


@router.get("/incidents/{number}/postmortem.html")
def download_html(request: Request, number: str, user: WebUser) -> Response:
    return _download(request, user, parse_number(number), "html", "text/html")


def _download(request: Request, user: SignedIn, number: int, fmt: str, media: str) -> Response:
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        try:
            text = postmortem_service.export(session, number, sight_of(user), fmt=fmt)
        except NotFound as error:
            raise refusal(error) from None
    return Response(
        content=text,
        media_type=f"{media}; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="postmortem-{number}.{fmt}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _change(request: Request, user: SignedIn, change: Change) -> None:
    """Responders only; a private incident the user may not see is missing (404 page)."""
    ensure_role(user, AccessRole.RESPONDER, "Changing a postmortem")
    runtime = runtime_of(request)
    with runtime.db.write() as session:
        try:
            change(session, runtime.clock.now(), user)
        except NotFound as error:
            raise refusal(error) from None


def _version(data: Form) -> int:
    raw = data.get("version", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise InvalidInput("must be the version the page showed", field="version")
    return int(raw)
