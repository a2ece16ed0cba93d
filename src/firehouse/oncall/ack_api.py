"""The acknowledgement link in a page's mail or text message: `GET /ack/{token}` shows what
the page is about and one button, `POST /ack/{token}` acknowledges.

No session is needed: the signed token is the proof (see oncall.ack_links). Only the POST
acknowledges, because mail scanners and link previews fetch every URL they see. Every text
shown comes from the database or the request, so all of it is escaped.
"""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from firehouse.auth.signing import signing_key
from firehouse.catalog.model import Person
from firehouse.errors import DomainError
from firehouse.httpapi.deps import RuntimeDep
from firehouse.httpapi.runtime import Runtime
from firehouse.incidents.model import Incident
from firehouse.oncall.ack_links import AckClaim, BadAckLink, read_ack_token
from firehouse.oncall.paging import acknowledge_page
from firehouse.oncall.paging_queries import get_page

MAX_TOKEN = 400
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}
router = APIRouter(
    tags=["paging"],
    responses={
        400: {"description": "The link is not valid (forged or damaged)", **_HTML},
        404: {"description": "The page is not known", **_HTML},
        409: {"description": "The page was cancelled", **_HTML},
        410: {"description": "The link has expired", **_HTML},
    },
)

Token = Annotated[str, Path(description="From the link.")]


@router.get("/ack/{token}", response_class=HTMLResponse, responses={200: _HTML})
def ack_page(token: Token, runtime: RuntimeDep) -> HTMLResponse:
    """What the page is about, and a button to acknowledge it. Changes nothing."""
    try:
        claim = _claim(runtime, token)
        with runtime.db.read() as session:
            page = get_page(session, claim.page_id)
            incident = session.get(Incident, page.incident_id) if page.incident_id else None
            person = session.get(Person, claim.person_id)
    except BadAckLink as bad:
        return _bad_link(bad)
    except DomainError as refused:
        return _page(refused.status, "Page not found", refused.message)
    facts = [("Page", page.message), ("For", person.name if person else claim.person_id)]
    if incident is not None:
        facts.append(("Incident", f"#{incident.number} ({incident.priority}): {incident.message}"))
    if page.status == "acknowledged":
        facts.append(("Acknowledged by", str(page.acknowledged_by)))
        return _page(200, "Already acknowledged", "Someone is on it.", _facts(facts))
    if page.status == "cancelled":
        return _page(409, "Page cancelled", "This page was cancelled.", _facts(facts))
    action = html.escape(f"/ack/{token}", quote=True)
    form = (
        f'<form method="post" action="{action}"><button type="submit">Acknowledge</button></form>'
    )
    return _page(
        200, "Acknowledge this page?", "You will be recorded as on it.", _facts(facts) + form
    )


@router.post("/ack/{token}", response_class=HTMLResponse, responses={200: _HTML})
def acknowledge(token: Token, runtime: RuntimeDep) -> HTMLResponse:
    try:
        claim = _claim(runtime, token)
        with runtime.db.write() as session:
            page = acknowledge_page(
                session,
                claim.page_id,
                person_id=claim.person_id,
                actor=claim.person_id,
                via="link",
                now=runtime.clock.now(),
            )
            by = str(page.acknowledged_by)
    except BadAckLink as bad:
        return _bad_link(bad)
    except DomainError as refused:
        return _page(refused.status, "Not acknowledged", refused.message)
    return _page(200, "Acknowledged", f"Thank you: the page is acknowledged by {by}.")


def _claim(runtime: Runtime, token: str) -> AckClaim:
    if len(token) > MAX_TOKEN:
        raise BadAckLink("this acknowledgement link is not valid")
    key = signing_key(runtime.db, runtime.settings.secret_key)
    return read_ack_token(key, token, runtime.clock.now())


def _bad_link(bad: BadAckLink) -> HTMLResponse:
    status = 410 if "expired" in str(bad) else 400
    return _page(status, "Link not valid", str(bad))


def _facts(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in pairs
    )
    return f"<dl>{rows}</dl>"


def _page(status: int, title: str, text: str, extra: str = "") -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{extra}</main></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
