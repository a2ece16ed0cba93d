"""The public status page over HTTP: no auth, read-only, served from memory.

Each path is a plain ASGI endpoint that looks its bytes up in the publisher's current
snapshot: no database query, no validation layer, no thread hop. Clients revalidate with
If-None-Match (preferred, exact) or If-Modified-Since and get 304 with no body.
Cache-Control is chosen in snapshot.py: public, max-age=10 (see the reasoning there).

`PublicPages` answers the same paths as a middleware, ahead of FastAPI's router and its inner
middleware: at 64 connections a process then serves two to nearly four times as many requests
(bench/statuspage.py, docs/performance.md). The routes stay as the fallback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter
from starlette.routing import Route
from starlette.types import ASGIApp

from firehouse.statuspage.publisher import Publisher
from firehouse.statuspage.snapshot import Rendered

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PATHS = (
    "/status",
    "/status/history",
    "/status/history.atom",
    "/status/history.rss",
    "/status/status.css",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)

_UNAVAILABLE = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"retry-after", b"5"),
    (b"cache-control", b"no-store"),
]


def not_modified(resource: Rendered, headers: list[tuple[bytes, bytes]]) -> bool:
    """RFC 9110: If-None-Match decides when present; If-Modified-Since only without it."""
    if_none_match = if_modified_since = None
    for name, value in headers:
        if name == b"if-none-match":
            if_none_match = value.decode("latin-1")
        elif name == b"if-modified-since":
            if_modified_since = value.decode("latin-1")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or resource.etag in tags
    if if_modified_since is not None:
        since = _http_date(if_modified_since)
        return since is not None and resource.last_modified <= since
    return False


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


class PublicResource:
    """One public path, as an ASGI app (Starlette routes GET and HEAD to it)."""

    def __init__(self, publisher: Publisher, path: str) -> None:
        self._publisher = publisher
        self._path = path

    async def __call__(self, scope: Scope, _receive: Receive, send: Send) -> None:
        current = self._publisher.current
        resource = current.get(self._path) if current is not None else None
        if resource is None:
            await _send(send, 503, _UNAVAILABLE, b"status page starting, try again shortly\n")
            return
        if not_modified(resource, scope["headers"]):
            await _send(send, 304, resource.revalidated_headers, b"")
            return
        body = b"" if scope["method"] == "HEAD" else resource.body
        await _send(send, 200, resource.raw_headers, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def public_router(publisher: Publisher) -> APIRouter:
    """The status page's public routes; kept out of the OpenAPI schema (they are
    Statuspage's documented shapes, not firehouse's API)."""
    router = APIRouter()
    for path in PATHS:
        # A Route whose endpoint is not a function is a raw ASGI app: no request wrapper.
        router.routes.append(
            Route(path, PublicResource(publisher, path), methods=["GET"], include_in_schema=False)
        )
    return router


class PublicPages:
    """ASGI middleware: a GET or HEAD of a public path is answered from the snapshot at once.

    FastAPI's router tries every route in turn and wraps each request in its exception and
    exit-stack middleware; for bytes already in memory that cost more than the answer itself.
    Anything else, including `/status/` and other methods, goes on to the app unchanged.
    """

    def __init__(self, app: ASGIApp, publisher: Publisher) -> None:
        self._app = app
        self._resources = {path: PublicResource(publisher, path) for path in PATHS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in {"GET", "HEAD"}:
            resource = self._resources.get(scope["path"])
            if resource is not None:
                await resource(scope, receive, send)
                return
        await self._app(scope, receive, send)
