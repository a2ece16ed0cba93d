"""An OpsGenie REST API emulator on 127.0.0.1 (the read endpoints `firehouse import
opsgenie` uses), with OpsGenie's shapes: `{"data": ..., "took", "requestId"}`, lists paged by
offset/limit with `paging.next` links (users, services), `expand=rotation` on schedules, and
its errors (401 `{"message": "Could not authenticate"}` without `GenieKey <key>`, 404, 429):

    with OpsgenieEmulator(sample_account(now), max_page_size=2) as opsgenie:
        opsgenie.fail_next("users", status=429, retry_after=0.01)
        ...
        opsgenie.calls_to("users")

The sample account (tests/fakes/opsgenie_sample.py) follows captured responses' shapes.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from firehouse.importers.opsgenie import OpsgenieAccount
from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

Json = dict[str, Any]
_TOO_MANY = "You are making too many requests! To avoid errors, we recommend you limit requests."
API_KEY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
_ROUTES = (
    (r"/v2/users", "users"),
    (r"/v2/users/(?P<id>[^/]+)/contacts", "contacts"),
    (r"/v2/teams", "teams"),
    (r"/v2/teams/(?P<id>[^/]+)", "team"),
    (r"/v2/schedules", "schedules"),
    (r"/v2/schedules/(?P<id>[^/]+)/overrides", "overrides"),
    (r"/v2/escalations", "escalations"),
    (r"/v1/services", "services"),
)


@dataclass(frozen=True)
class Call:
    route: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None
    status: int


class OpsgenieEmulator(LoopbackServer):
    def __init__(
        self, account: OpsgenieAccount, api_key: str = API_KEY, max_page_size: int = 100
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
        self, path: str, query: dict[str, list[str]], authorization: str | None
    ) -> tuple[int, Json, float | None]:
        route, params = _route(path)
        fault = self.faults.take(route)
        with self._lock:
            if authorization != f"GenieKey {self.api_key}":
                status, body, wait = 401, _meta({"message": "Could not authenticate"}), None
            elif fault is not None:
                status, body, wait = fault.status, _fault_body(fault.status), fault.retry_after
            else:
                status, body = self._read(route, params, query)
                wait = None
            self.calls.append(Call(route, path, query, authorization, status))
        return status, body, wait

    def _read(
        self, route: str, params: dict[str, str], query: dict[str, list[str]]
    ) -> tuple[int, Json]:
        account = self.account
        if route == "team":
            team = next((t for t in account.teams if t["id"] == params["id"]), None)
            if team is None:
                return 404, _meta({"message": f"No team exists with id [{params['id']}]"})
            return 200, _meta({"data": team})
        expand = "rotation" in ",".join(query.get("expand", []))
        answers: dict[str, Any] = {
            "users": lambda: self._page("/v2/users", account.users, query, total=True),
            "services": lambda: self._page("/v1/services", account.services, query, total=False),
            "contacts": lambda: {"data": account.contacts.get(params.get("id", ""), [])},
            "teams": lambda: {
                "data": [{k: t[k] for k in ("id", "name", "description")} for t in account.teams]
            },
            "schedules": lambda: {
                "data": [
                    s if expand else {k: v for k, v in s.items() if k != "rotations"}
                    for s in account.schedules
                ],
                "expandable": ["rotation"],
            },
            "overrides": lambda: {"data": account.overrides.get(params.get("id", ""), [])},
            "escalations": lambda: {"data": account.escalations},
        }
        if route not in answers:
            return 404, _meta({"message": "Requested resource does not exist"})
        return 200, _meta(answers[route]())

    def _page(
        self, path: str, records: list[Json], query: dict[str, list[str]], *, total: bool
    ) -> Json:
        limit = min(int(query.get("limit", ["20"])[0]), self.max_page_size)
        offset = int(query.get("offset", ["0"])[0])

        def link(at: int) -> str:
            return f"{self.origin}{path}?limit={limit}&offset={at}&sort=name&order=asc"

        paging = {"first": link(0), "last": link(max(len(records) - 1, 0) // limit * limit)}
        if offset + limit < len(records):
            paging["next"] = link(offset + limit)
        if offset > 0:
            paging["prev"] = link(max(offset - limit, 0))
        body: Json = {"data": records[offset : offset + limit], "paging": paging}
        if total:
            body["totalCount"] = len(records)
        return body


def _route(path: str) -> tuple[str, dict[str, str]]:
    for pattern, name in _ROUTES:
        found = re.fullmatch(pattern, path)
        if found is not None:
            return name, found.groupdict()
    return "unknown", {}


def _meta(body: Json) -> Json:
    return {**body, "took": 0.012, "requestId": str(uuid.uuid4())}


def _fault_body(status: int) -> Json:
    if status == 429:
        return _meta({"message": _TOO_MANY})
    return _meta({"message": "Internal Server Error"})


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: OpsgenieEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        emulator = cast(_Server, self.server).emulator
        url = urlsplit(self.path)
        status, body, wait = emulator.answer(
            url.path, parse_qs(url.query), self.headers.get("Authorization")
        )
        self.send_json(status, body, retry_after=wait)
