"""The intake endpoints answered ahead of FastAPI's router.

Alert intake is the hottest path firehouse has: monitoring sends bursts of thousands of
alerts a second, nearly all repeats. For those requests FastAPI's routing (trying each route
in turn), its dependency resolution and its exception and exit-stack middleware cost about a
third of the server's time per request (bench/alerts.py, docs/performance.md). The handlers
already answer every error themselves in each sender's shape, so this middleware calls them
directly. The routes in intake_api stay registered: they document the endpoints in OpenAPI and
serve any request this middleware lets through (the OpsGenie close/acknowledge paths, which
carry a path parameter).

It also gates them: at most `concurrency` intake requests are handled at once in a process
(the rest wait their turn, in order, and are never refused). An alert burst otherwise fills
the event loop with parsing work, and everything else the process serves (the incident API,
the status page) queues behind it: with 32 senders and no gate, listing open incidents went
from a p99 of 12 ms to 150 ms during a burst; with a gate of 4 it stayed under 30 ms, at the
price of about a third of the generic endpoint's peak rate (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request, Response
from starlette.types import ASGIApp

from firehouse.alerts import intake_api
from firehouse.httpapi.runtime import Runtime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[[Request, Runtime], Awaitable[Response]]

HANDLERS: dict[str, Handler] = {
    "/api/v1/integrations/alertmanager": intake_api.alertmanager_webhook,
    "/api/v1/alerts": intake_api.generic_alerts,
    "/v2/enqueue": intake_api.pagerduty_enqueue,
    "/v2/alerts": intake_api.opsgenie_create,
}


class IntakeFastPath:
    def __init__(self, app: ASGIApp, concurrency: int = 4) -> None:
        self._app = app
        self._gate = asyncio.Semaphore(concurrency)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handler = HANDLERS.get(scope["path"])
            if handler is not None:
                request = Request(scope, receive)
                async with self._gate:
                    response = await handler(request, request.app.state.runtime)
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)
