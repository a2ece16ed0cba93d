"""A PagerDuty REST API v2 emulator on 127.0.0.1 (the read endpoints `firehouse import
pagerduty` uses), with PagerDuty's shapes: classic pagination (`limit`, `offset`, `more`,
`total`), `{"schedule": ...}` for one schedule with its `schedule_layers`, overrides that
require `since` and `until`, contact methods embedded only with `include[]=contact_methods`,
and its errors (`{"error": {"message", "code"}}`: 401 without `Token token=<key>`, 404, 429):

    with PagerdutyEmulator(sample_account(now), max_page_size=2) as pagerduty:
        pagerduty.fail_next("users", status=429, retry_after=0.01)

The sample account (tests/fakes/pagerduty_sample.py) follows captured responses' shapes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from firehouse.importers.pagerduty import PagerdutyAccount
from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

Json = dict[str, Any]
API_KEY = "y_NbAkKc66ryYTWUXYEu"
_ROUTES = (
    (r"/users", "users"),
    (r"/teams", "teams"),
    (r"/schedules", "schedules"),
    (r"/schedules/(?P<id>[A-Z0-9]+)", "schedule"),
    (r"/schedules/(?P<id>[A-Z0-9]+)/overrides", "overrides"),
    (r"/escalation_policies", "escalation_policies"),
    (r"/services", "services"),
)
_ERRORS = {
    401: {"message": "Authentication failed", "code": 2006},
    404: {"message": "Not Found", "code": 2100},
    429: {"message": "Rate Limit Exceeded", "code": 2020},
}


@dataclass(frozen=True)
class Call:
    route: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int


class PagerdutyEmulator(LoopbackServer):
    def __init__(
        self, account: PagerdutyAccount, api_key: str = API_KEY, max_page_size: int = 100
    ) -> None:
        self.account = account
        self.api_key = api_key
        self.max_page_size = max_page_size
        self.calls: list[Call] = []
        self.faults = Faults()
        self._lock = threading.Lock()
        self._serve(_Server(self))

    def fail_next(
        self, route: str, *, status: int = 500, retry_after: float | None = None, times: int = 1
    ) -> None:
        self.faults.add(route, Fault(status, retry_after), times)

    def calls_to(self, route: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.route == route]

    def answer(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, Json, float | None]:
        route, params = _route(path)
        fault = self.faults.take(route)
        with self._lock:
            wait = None
            if headers.get("authorization") != f"Token token={self.api_key}":
                status, body = 401, {"error": _ERRORS[401]}
            elif fault is not None:
                status, wait = fault.status, fault.retry_after
                body = {"error": _ERRORS.get(status, {"message": "Internal Error", "code": 2000})}
            else:
                status, body = self._read(route, params.get("id", ""), query)
            self.calls.append(Call(route, path, query, headers, status))
        return status, body, wait

    def _read(self, route: str, schedule_id: str, query: dict[str, list[str]]) -> tuple[int, Json]:
        account = self.account
        schedule = next((s for s in account.schedules if s["id"] == schedule_id), None)
        if route in ("schedule", "overrides") and schedule is None:
            return 404, {"error": _ERRORS[404]}
        if route == "schedule":
            return 200, {"schedule": schedule}
        if route == "overrides":
            return self._overrides(schedule_id, query)
        lists: dict[str, list[Json]] = {
            "users": [self._user(u, query) for u in account.users],
            "teams": account.teams,
            "schedules": [_listed(s) for s in account.schedules],
            "escalation_policies": account.escalation_policies,
            "services": account.services,
        }
        if route not in lists:
            return 404, {"error": _ERRORS[404]}
        return 200, self._page(route, lists[route], query)

    def _overrides(self, schedule_id: str, query: dict[str, list[str]]) -> tuple[int, Json]:
        if "since" not in query or "until" not in query:
            error = {"message": "Invalid Input Provided", "code": 2001}
            return 400, {"error": {**error, "errors": ["Since and until are required."]}}
        since = datetime.fromisoformat(query["since"][0].replace("Z", "+00:00"))
        until = datetime.fromisoformat(query["until"][0].replace("Z", "+00:00"))
        overrides = [
            o
            for o in self.account.overrides.get(schedule_id, [])
            if datetime.fromisoformat(o["start"]) < until
            and datetime.fromisoformat(o["end"]) > since
        ]
        return 200, {"overrides": overrides}

    def _page(self, key: str, records: list[Json], query: dict[str, list[str]]) -> Json:
        limit = min(int(query.get("limit", ["25"])[0]), self.max_page_size)
        offset = int(query.get("offset", ["0"])[0])
        more = offset + limit < len(records)
        body = {key: records[offset : offset + limit], "limit": limit, "offset": offset}
        return {**body, "more": more, "total": None}

    @staticmethod
    def _user(user: Json, query: dict[str, list[str]]) -> Json:
        """Contact methods are references unless the caller asked to include them."""
        if "contact_methods" in query.get("include[]", []):
            return user
        refs = [
            {"id": m["id"], "type": f"{m['type']}_reference", "summary": m.get("label", "")}
            for m in user.get("contact_methods", [])
        ]
        return {**user, "contact_methods": refs}


def _listed(schedule: Json) -> Json:
    """The list shows schedules without their layers; one schedule's GET has them."""
    return {k: v for k, v in schedule.items() if k not in ("schedule_layers", "final_schedule")}


def _route(path: str) -> tuple[str, dict[str, str]]:
    for pattern, name in _ROUTES:
        found = re.fullmatch(pattern, path)
        if found is not None:
            return name, found.groupdict()
    return "unknown", {}


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: PagerdutyEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        emulator = cast(_Server, self.server).emulator
        url = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body, wait = emulator.answer(url.path, parse_qs(url.query), headers)
        self.send_json(status, body, retry_after=wait)
