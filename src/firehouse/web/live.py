"""Live updates of an incident page: server-sent events at /incidents/{number}/live.

The stream polls the database (`poll`, one cheap query pair) so it works across processes;
a later change may swap that one function for LISTEN/NOTIFY. Every stream ends by itself:
when the client goes, after `LIFETIME_SECONDS` (the browser's EventSource reconnects with
Last-Event-ID and misses nothing), and promptly when the app sets `web_live_stopping`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from firehouse.db import Database
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import Sight, missing, sight_of, visible
from firehouse.web.deps import WebUser, runtime_of
from firehouse.web.incident_page_render import parse_number
from firehouse.web.incident_view import Entry, entries_after
from firehouse.web.pages import WebRoute
from firehouse.web.timeline_html import entry_html

router = APIRouter(include_in_schema=False, route_class=WebRoute)

# Module constants so tests can shorten them.
POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
LIFETIME_SECONDS = 600.0
RETRY_MILLISECONDS = 3000
HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class Watched:
    incident_id: int
    version: int


@dataclass(frozen=True)
class News:
    entries: list[Entry]
    version: int | None


def watch(db: Database, number: int, sight: Sight) -> Watched:
    """On connect: the incident as this user may see it, or the same 404 as a missing one."""
    with db.read() as session:
        row = session.execute(
            select(Incident.id, Incident.version).where(Incident.number == number, visible(sight))
        ).first()
    if row is None:
        raise missing(number)
    return Watched(incident_id=row[0], version=row[1])


def poll(db: Database, incident_id: int, after: int, sight: Sight) -> News:
    """What is new since entry `after`: the entries, and the incident's current version.

    Visibility is checked on every poll: someone taken off a private incident stops receiving
    its entries at once (no version: the stream ends), not at their next reconnect."""
    with db.read() as session:
        version = session.scalar(
            select(Incident.version).where(Incident.id == incident_id, visible(sight))
        )
        if version is None:
            return News(entries=[], version=None)
        return News(entries=entries_after(session, incident_id, after), version=version)


def entry_event(entry: Entry) -> str:
    """`event: entry`, the rendered <li> one `data:` line per line, and the id to resume at."""
    html = str(entry_html(entry))
    data = "".join(f"data: {line}\n" for line in html.splitlines())
    return f"id: {entry.id}\nevent: entry\n{data}\n"


def incident_event(version: int) -> str:
    return f"event: incident\ndata: {version}\n\n"


def _stopping(request: Request) -> bool:
    flag = getattr(request.app.state, "web_live_stopping", None)
    if isinstance(flag, asyncio.Event):
        return flag.is_set()
    return bool(flag)


async def stream(
    request: Request, db: Database, watched: Watched, after: int, sight: Sight
) -> AsyncIterator[str]:
    """Events until the client leaves, the lifetime ends or the server stops."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    started = last_sent = time.monotonic()
    version = watched.version
    while True:
        news = await run_in_threadpool(poll, db, watched.incident_id, after, sight)
        for entry in news.entries:
            after = max(after, entry.id)
            yield entry_event(entry)
            last_sent = time.monotonic()
        if news.version is not None and news.version != version:
            version = news.version
            yield incident_event(version)
            last_sent = time.monotonic()
        now = time.monotonic()
        if now - last_sent >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = now
        if now - started >= LIFETIME_SECONDS or news.version is None:
            return
        await asyncio.sleep(POLL_SECONDS)
        if _stopping(request) or await request.is_disconnected():
            return


def resume_point(after: str | None, last_event_id: str | None) -> int:
    """Last-Event-ID (a reconnect) wins over `?after=` (the page's last entry)."""
    for value in (last_event_id, after):
        if value and value.isascii() and value.isdigit() and len(value) < 19:
            return int(value)
    return 0


@router.get("/incidents/{number}/live")
async def live(
    request: Request,
    number: str,
    user: WebUser,
    after: Annotated[str | None, Query(max_length=20)] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> Response:
    parsed = parse_number(number)
    db = runtime_of(request).db
    sight = sight_of(user)
    watched = await run_in_threadpool(watch, db, parsed, sight)
    start = resume_point(after, last_event_id)
    return StreamingResponse(
        stream(request, db, watched, start, sight),
        media_type="text/event-stream",
        headers=HEADERS,
    )
