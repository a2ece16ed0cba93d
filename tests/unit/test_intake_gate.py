"""The intake gate: at most N intake requests are handled at once in a process; the others
wait their turn and are all answered; other paths are never held by it."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest
from fastapi import Request, Response

from firehouse.alerts import intake_fast
from firehouse.alerts.intake_fast import IntakeFastPath
from firehouse.app import intake_concurrency
from firehouse.db import Database
from firehouse.settings import Settings
from tests.loops import in_own_loop


class _App:
    """Just enough of the application for the middleware: its state and a fallback."""

    def __init__(self) -> None:
        self.state = type("State", (), {"runtime": None})()
        self.reached: list[str] = []

    async def __call__(self, scope: Any, _receive: Any, send: Any) -> None:
        self.reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def _scope(app: _App, path: str, method: str = "POST") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "headers": [], "app": app}


async def _call(middleware: IntakeFastPath, scope: dict[str, Any]) -> int:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    return int(sent[0]["status"])


def test_no_more_than_the_limit_run_at_once_and_every_request_is_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running, most = 0, 0

    async def slow_handler(_request: Request, _runtime: Any) -> Response:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return Response(status_code=202)

    monkeypatch.setitem(intake_fast.HANDLERS, "/api/v1/alerts", slow_handler)
    app = _App()
    middleware = IntakeFastPath(app, concurrency=3)

    async def burst() -> list[int]:
        calls = [_call(middleware, _scope(app, "/api/v1/alerts")) for _ in range(12)]
        return await asyncio.gather(*calls)

    assert in_own_loop(burst()) == [202] * 12
    assert most == 3


def test_other_paths_and_methods_go_to_the_application(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _App()
    middleware = IntakeFastPath(app, concurrency=1)

    async def both() -> list[int]:
        return [
            await _call(middleware, _scope(app, "/api/v1/incidents")),
            await _call(middleware, _scope(app, "/api/v1/alerts", method="GET")),
        ]

    assert in_own_loop(both()) == [200, 200]
    assert app.reached == ["/api/v1/incidents", "/api/v1/alerts"]


def test_the_default_gate_is_4_on_sqlite_and_16_on_postgresql() -> None:
    sqlite = Database("sqlite:///:memory:")
    postgres = Database("postgresql+psycopg://postgres@127.0.0.1:5432/never-connected")
    try:
        assert intake_concurrency(Settings(), sqlite) == 4
        assert intake_concurrency(Settings(), postgres) == 16
        assert intake_concurrency(Settings(intake_concurrency=9), postgres) == 9
    finally:
        sqlite.dispose()
        postgres.dispose()
