"""Live updates of an incident page: server-sent events at /incidents/{number}/live.

The stream looks at the database (`poll`, one cheap query pair) when the change feed
(`app.state.change_feed`, see firehouse.changes) says its incident changed. How much it
trusts the feed depends on the database:

- PostgreSQL: the feed hears every process's commits (LISTEN/NOTIFY), so a stream polls only
  when woken, plus once every `SAFETY_SECONDS` in case a hint was lost. Hundreds of open
  pages cost no queries while nothing happens.
- SQLite (or a PostgreSQL feed that is reconnecting, or no feed): the feed hears only this
  process, so the stream also polls every `POLL_SECONDS`, as before; a change made in this
  process still arrives at once. Several `serve` workers on one SQLite file see each other's
  changes within `POLL_SECONDS`; the query is local and cheap.

Between looks the stream waits in slices of `POLL_SECONDS`, checking whether the client left
or the server is stopping. Every stream ends by itself: when the client goes, after
`LIFETIME_SECONDS` (the browser's EventSource reconnects with Last-Event-ID and misses
nothing), and promptly when the app sets `web_live_stopping`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from firehouse.changes import INCIDENT, ChangeFeed, Subscription
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
SAFETY_SECONDS = 10.0
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


def _feed_of(request: Request) -> ChangeFeed | None:
    feed = getattr(request.app.state, "change_feed", None)
    return feed if isinstance(feed, ChangeFeed) else None


@contextmanager
def _subscribed(feed: ChangeFeed | None, incident_id: int) -> Iterator[Subscription | None]:
    subscription = None if feed is None else feed.subscribe(INCIDENT, str(incident_id))
    try:
        yield subscription
    finally:
        if subscription is not None:
            subscription.close()


async def _woken(subscription: Subscription | None) -> bool:
    """Wait one slice; True when the incident may have changed (always, without a feed)."""
    if subscription is None:
        await asyncio.sleep(POLL_SECONDS)
        return True
    return await subscription.changed(POLL_SECONDS)


def _news_events(news: News, after: int, version: int) -> tuple[list[str], int, int]:
    """The events for `news`, and the resume point and version they leave the stream at."""
    chunks = []
    for entry in news.entries:
        after = max(after, entry.id)
        chunks.append(entry_event(entry))
    if news.version is not None and news.version != version:
        version = news.version
        chunks.append(incident_event(version))
    return chunks, after, version


async def stream(
    request: Request, db: Database, watched: Watched, after: int, sight: Sight
) -> AsyncIterator[str]:
    """Events until the client leaves, the lifetime ends or the server stops."""
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    feed = _feed_of(request)
    started = last_sent = last_looked = time.monotonic()
    version = watched.version
    due = True
    with _subscribed(feed, watched.incident_id) as subscription:
        while True:
            if due:
                news = await run_in_threadpool(poll, db, watched.incident_id, after, sight)
                last_looked = time.monotonic()
                chunks, after, version = _news_events(news, after, version)
                for chunk in chunks:
                    yield chunk
                    last_sent = time.monotonic()
                if news.version is None:
                    return
            now = time.monotonic()
            if now - last_sent >= KEEPALIVE_SECONDS:
                yield ": keep-alive\n\n"
                last_sent = now
            if now - started >= LIFETIME_SECONDS:
                return
            woken = await _woken(subscription)
            if _stopping(request) or await request.is_disconnected():
                return
            trusted = feed is not None and feed.cross_process
            due = woken or not trusted or time.monotonic() - last_looked >= SAFETY_SECONDS


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
