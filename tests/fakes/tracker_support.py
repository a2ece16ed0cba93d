"""What the Jira and GitHub emulators share: a threaded loopback server that hands each
request (method, path, query, JSON body, headers) to the emulator's `answer`, and then
answers, or resets the connection when the fault says the answer is lost."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

Json = Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Json
    headers: dict[str, str]


@dataclass(frozen=True)
class Call:
    """One request as the emulator saw it, and what it answered (None when lost)."""

    route: str
    request: Request
    status: int | None


class Answering(Protocol):
    def answer(self, request: Request) -> tuple[Fault | None, int, Json]: ...


class TrackerEmulator(LoopbackServer):
    """Subclasses implement `route` (a name for Fault injection) and `result`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults = Faults()
        self.lock = threading.RLock()
        self._serve(_Server(self))

    def fail_next(
        self, route: str, *, status: int = 500, retry_after: float | None = None, times: int = 1
    ) -> None:
        """The next `times` calls of `route` fail with `status` and do nothing."""
        self.faults.add(route, Fault(status=status, retry_after=retry_after), times)

    def lose_reply(self, route: str, *, times: int = 1) -> None:
        """The next `times` calls of `route` take effect, then the connection is reset."""
        self.faults.add(route, Fault(lose=True), times)

    def calls_to(self, route: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.route == route]

    def route(self, request: Request) -> str:
        raise NotImplementedError

    def result(self, route: str, request: Request) -> tuple[int, Json]:
        raise NotImplementedError

    def fault_body(self, status: int) -> Json:
        raise NotImplementedError

    def answer(self, request: Request) -> tuple[Fault | None, int, Json]:
        with self.lock:
            route = self.route(request)
            fault = self.faults.take(route)
            if fault is not None and fault.status is not None:
                status, body = fault.status, self.fault_body(fault.status)
            else:
                status, body = self.result(route, request)
            lost = fault is not None and fault.lose
            self.calls.append(Call(route, request, None if lost else status))
        return fault, status, body


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: TrackerEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        emulator = cast(_Server, self.server).emulator
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        parts = urlsplit(self.path)
        request = Request(
            method=method,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        fault, status, answer = emulator.answer(request)
        if fault is not None and fault.lose:
            self.reset_connection()
        else:
            self.send_json(status, answer, retry_after=fault.retry_after if fault else None)
