"""The outermost ASGI middleware: a request id for every request, and its latency measured.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, and outermost, so it sees the requests
the status page and alert intake answer before routing (PublicPages, IntakeFastPath) and
costs a few microseconds, not a task and a stream per request (the status page serves about
ten thousand requests a second per process; docs/performance.md has the measured overhead).

The route label is the route's template (`/api/v1/incidents/{number}`), never the raw path:
one series per incident number would grow without bound. Requests answered before routing are
labelled with their path, which is one of a fixed set; anything that matched no route is
`unmatched`.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.types import ASGIApp

from firehouse.alerts.intake_fast import HANDLERS as INTAKE_PATHS
from firehouse.observability.context import REQUEST_ID
from firehouse.observability.latency import LatencyHistogram
from firehouse.observability.logs import adopt_server_loggers
from firehouse.observability.metrics import Metrics
from firehouse.statuspage.public_routes import PATHS as PUBLIC_PATHS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

HEADER = b"x-request-id"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUS_CLASSES = {n: f"{n}xx" for n in range(1, 6)}
ANSWERED_BEFORE_ROUTING = frozenset(PUBLIC_PATHS) | frozenset(INTAKE_PATHS)
_random = random.Random()  # noqa: S311 -- ids must be unique, not secret; seeded from urandom
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID when it is a sane token, so ids follow a request through a
    proxy; otherwise a new one. An id that could inject text into logs is never taken."""
    for name, value in headers:
        if name == HEADER and _SANE_ID.fullmatch(value):
            return value.decode("ascii")
    return f"{_random.getrandbits(128):032x}"  # as long as uuid4().hex, a tenth of its cost


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str) and template:
        return template
    path = scope.get("path", "")
    return path if path in ANSWERED_BEFORE_ROUTING else UNMATCHED


class RequestMetrics:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._histogram: LatencyHistogram = metrics.request_duration

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":  # the server has set up its loggers by now
                adopt_server_loggers()
            await self._app(scope, receive, send)
            return
        request_id = request_id_from(scope["headers"])
        header = (HEADER, request_id.encode("ascii"))
        status = 500  # what the client gets if the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        started = time.perf_counter()
        context = REQUEST_ID.set(request_id)
        try:
            await self._app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(context)
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in METHODS else "other"
        status_class = STATUS_CLASSES.get(status // 100, "other")
        self._histogram.series((method, route_of(scope), status_class)).observe(seconds)
