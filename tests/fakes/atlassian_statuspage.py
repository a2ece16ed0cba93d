"""An Atlassian Statuspage manage API (v1) emulator on 127.0.0.1, which misbehaves on cue.

It serves the endpoints the mirror uses, with Statuspage's shapes (an incident with its
`incident_updates` newest first, `components`, `metadata`, `shortlink`, ...) and errors
(`{"error": ...}`: 401 for a missing or wrong `Authorization: OAuth <key>`, 404 for an
unknown page, incident or component, 422 for invalid fields, 429 with Retry-After):

    with StatuspageEmulator() as atlassian:
        atlassian.add_component("k1", "Website")
        atlassian.fail_next("create_incident", status=429, retry_after=2)
        atlassian.lose_reply("create_incident")  # applied, then the connection is reset
        atlassian.set_latency(0.05)
        atlassian.limit_rate(0.05)               # a second call within 50 ms gets 429
        [incident] = atlassian.incidents.values()

Routes: create_incident, update_incident, get_incident, list_incidents,
unresolved_incidents, update_component (PUT is accepted wherever PATCH is).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import cast
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.fakes.atlassian_statuspage_state import Json, Page, Reply
from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

PAGE_ID = "emupage00001"
API_KEY = "emulator-api-key-0123456789"

_ROUTES = (
    ("POST", r"/incidents", "create_incident"),
    ("GET", r"/incidents", "list_incidents"),
    ("GET", r"/incidents/unresolved", "unresolved_incidents"),
    ("GET", r"/incidents/(?P<id>[a-z0-9]+)", "get_incident"),
    ("PATCH", r"/incidents/(?P<id>[a-z0-9]+)", "update_incident"),
    ("PATCH", r"/components/(?P<id>[A-Za-z0-9]+)", "update_component"),
)


@dataclass(frozen=True)
class Call:
    route: str
    method: str
    path: str
    body: Json
    at: float
    status: int | None  # None: the reply was lost


class StatuspageEmulator(LoopbackServer):
    def __init__(self, page_id: str = PAGE_ID, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.page = Page(page_id)
        self.latency = 0.0
        self.min_interval = 0.0
        self.calls: list[Call] = []
        self.faults = Faults()
        self._last_call = float("-inf")
        self._lock = threading.RLock()
        self._serve(_Server(self))

    @property
    def api_url(self) -> str:
        """What firehouse's `statuspage.atlassian.api_url` takes."""
        return f"{self.origin}/v1/"

    # seeding and reading -------------------------------------------------------------------
    def add_component(self, component_id: str, name: str) -> Json:
        with self._lock:
            return self.page.add_component(component_id, name)

    @property
    def incidents(self) -> dict[str, Json]:
        return self.page.incidents

    @property
    def components(self) -> dict[str, Json]:
        return self.page.components

    def calls_to(self, route: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.route == route]

    # misbehaviour --------------------------------------------------------------------------
    def set_latency(self, seconds: float) -> None:
        self.latency = seconds

    def limit_rate(self, min_interval: float) -> None:
        """Answer 429 (Retry-After: 1) to a call sooner than `min_interval` after the last."""
        self.min_interval = min_interval

    def fail_next(
        self, route: str, *, status: int = 500, retry_after: float | None = None, times: int = 1
    ) -> None:
        """The next `times` calls fail without effect."""
        self.faults.add(route, Fault(status=status, retry_after=retry_after), times)

    def lose_reply(self, route: str, *, times: int = 1) -> None:
        """The next `times` calls take effect, then the connection is reset."""
        self.faults.add(route, Fault(lose=True), times)

    # serving -------------------------------------------------------------------------------
    def answer(
        self, method: str, path: str, query: Json, body: Json, key: str | None
    ) -> tuple[Fault | None, Reply]:
        time.sleep(self.latency)
        route, params = _route(method, path, self.page.id)
        with self._lock:
            now = time.monotonic()
            throttled = now - self._last_call < self.min_interval
            self._last_call = now
            fault = self.faults.take(route)
            if route == "unknown_page":
                reply = Reply(404, {"error": "The requested resource could not be found."})
            elif key != self.api_key:
                reply = Reply(401, {"error": "Could not authenticate"})
            elif throttled:
                fault = Fault(status=429, retry_after=1)
                reply = Reply(429, {"error": "Rate limit exceeded"})
            elif fault is not None and not fault.lose:
                reply = Reply(cast(int, fault.status), {"error": "Internal server error"})
            else:
                reply = self.page.call(route, params, query, body)
            status = None if fault is not None and fault.lose else reply.status
            self.calls.append(Call(route, method, path, body, time.time(), status))
        return fault, reply


def _route(method: str, path: str, page_id: str) -> tuple[str, dict[str, str]]:
    match = re.fullmatch(r"/v1/pages/([a-z0-9]+)(/.*)", path)
    if match is None or match.group(1) != page_id:
        return "unknown_page", {}
    verb = "PATCH" if method == "PUT" else method
    for route_method, pattern, name in _ROUTES:
        found = re.fullmatch(pattern, match.group(2))
        if route_method == verb and found is not None:
            return name, found.groupdict()
    return "unknown_page", {}


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: StatuspageEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle("POST")

    def do_PATCH(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle("PATCH")

    def do_PUT(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        emulator = cast(_Server, self.server).emulator
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            self.send_json(400, {"error": "Malformed JSON"})
            return
        header = self.headers.get("Authorization", "")
        key = header.removeprefix("OAuth ").strip() if header.startswith("OAuth ") else None
        query: Json = dict(parse_qsl(url.query))
        fault, reply = emulator.answer(method, url.path, query, body, key)
        if fault is not None and fault.lose:
            self.reset_connection()
        else:
            self.send_json(
                reply.status, reply.body, retry_after=fault.retry_after if fault else None
            )


@pytest.fixture
def atlassian() -> Iterator[StatuspageEmulator]:
    with StatuspageEmulator() as emulator:
        yield emulator
