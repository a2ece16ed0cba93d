"""A small httpx client for the few Statuspage manage API (v1) endpoints the mirror uses.

    POST  /pages/{page_id}/incidents                    {"incident": {...}}
    PATCH /pages/{page_id}/incidents/{incident_id}      {"incident": {...}}
    GET   /pages/{page_id}/incidents/{incident_id}
    GET   /pages/{page_id}/incidents?q=...              (search: name and updates' text)
    GET   /pages/{page_id}/incidents/unresolved
    PATCH /pages/{page_id}/components/{component_id}    {"component": {"status": ...}}

Authentication is `Authorization: OAuth <api key>`. Statuspage allows about one request per
second per key (HTTP 420 or 429 beyond it), so every call first waits its turn on a `Pacer`.
Failures come back as three exceptions the mirror turns into outbox retries; none of their
messages contains the key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from firehouse import __version__
from firehouse.clock import Clock
from firehouse.integrations.webhooks import retry_after_seconds

Json = dict[str, Any]

RATE_LIMIT_STATUSES = frozenset({420, 429})
# Statuspage counts requests over a rolling minute; without a Retry-After, wait it out.
DEFAULT_RETRY_AFTER = 60.0
ERROR_TEXT_LIMIT = 200


class StatuspageError(Exception):
    """The message is stored on the outbox delivery and shown to operators: no secrets."""

    retry_after: float | None = None


class Throttled(StatuspageError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(StatuspageError):
    """Statuspage down, slow or unreachable: worth trying again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(StatuspageError):
    """A 4xx other than throttling: retrying the same request will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RemoteIncident:
    id: str
    name: str
    status: str
    metadata: Json = field(default_factory=dict)
    updates: tuple[tuple[str, str], ...] = ()  # (status, body), newest first

    @classmethod
    def of(cls, document: Json) -> RemoteIncident:
        updates = document.get("incident_updates") or []
        return cls(
            id=str(document["id"]),
            name=str(document.get("name") or ""),
            status=str(document.get("status") or ""),
            metadata=document.get("metadata") or {},
            updates=tuple((str(u.get("status")), str(u.get("body") or "")) for u in updates),
        )


class Pacer:
    """At most one request per `interval` seconds per key, across this process's threads."""

    def __init__(
        self,
        interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        with self._lock:  # reserve a slot, then sleep outside the lock
            now = self._monotonic()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


class StatuspageClient:
    def __init__(
        self,
        http: httpx.Client,
        *,
        api_url: str,
        page_id: str,
        api_key: str,
        clock: Clock,
        pacer: Pacer,
    ) -> None:
        self.http = http
        self.base = api_url.rstrip("/") + f"/pages/{page_id}"
        self.page_id = page_id
        self._headers = {
            "Authorization": f"OAuth {api_key}",
            "Accept": "application/json",
            "User-Agent": f"firehouse/{__version__}",
        }
        self._pace_key = f"{api_url}|{api_key}"
        self.clock = clock
        self.pacer = pacer

    def create_incident(self, fields: Json) -> RemoteIncident:
        return RemoteIncident.of(self._call("POST", "/incidents", {"incident": fields}))

    def update_incident(self, incident_id: str, fields: Json) -> RemoteIncident:
        path = f"/incidents/{incident_id}"
        return RemoteIncident.of(self._call("PATCH", path, {"incident": fields}))

    def get_incident(self, incident_id: str) -> RemoteIncident:
        return RemoteIncident.of(self._call("GET", f"/incidents/{incident_id}"))

    def search_incidents(self, text: str) -> list[RemoteIncident]:
        found = self._call("GET", "/incidents", params={"q": text, "limit": 100})
        return [RemoteIncident.of(item) for item in _listed(found)]

    def unresolved_incidents(self) -> list[RemoteIncident]:
        found = self._call("GET", "/incidents/unresolved", params={"per_page": 100})
        return [RemoteIncident.of(item) for item in _listed(found)]

    def update_component(self, component_id: str, status: str) -> None:
        self._call("PATCH", f"/components/{component_id}", {"component": {"status": status}})

    def _call(
        self, method: str, path: str, body: Json | None = None, params: Json | None = None
    ) -> Any:
        self.pacer.wait(self._pace_key)
        what = f"{method} /pages/{self.page_id}{path}"
        try:
            response = self.http.request(
                method, self.base + path, json=body, params=params, headers=self._headers
            )
        except httpx.TimeoutException:
            raise Unavailable(f"Atlassian Statuspage timed out ({what})") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise Unavailable(
                f"could not reach Atlassian Statuspage ({what}): {type(exc).__name__}"
            ) from None
        if response.is_success:
            return response.json()
        raise self._failure(response, what)

    def _failure(self, response: httpx.Response, what: str) -> StatuspageError:
        status = response.status_code
        waited = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
        if status in RATE_LIMIT_STATUSES:
            wait = DEFAULT_RETRY_AFTER if waited is None else waited
            return Throttled(
                f"Atlassian Statuspage rate limit reached (HTTP {status}, {what})", wait
            )
        if status >= 500:
            return Unavailable(f"Atlassian Statuspage answered HTTP {status} ({what})", waited)
        if status in {401, 403}:
            return Refused(
                f"Atlassian Statuspage refused the API key for page {self.page_id} "
                f"(HTTP {status}, {what}): check the key and its access to the page",
                status,
            )
        detail = _error_text(response)
        return Refused(f"Atlassian Statuspage refused {what}: HTTP {status}{detail}", status)


def _listed(document: Any) -> list[Json]:
    return (
        [item for item in document if isinstance(item, dict)] if isinstance(document, list) else []
    )


def _error_text(response: httpx.Response) -> str:
    """Statuspage's `{"error": ...}` (a string or a list), shortened; nothing else is echoed."""
    try:
        document = response.json()
    except ValueError:
        return ""
    error = document.get("error") or document.get("message") if isinstance(document, dict) else None
    if isinstance(error, list):
        error = "; ".join(str(item) for item in error)
    if not error:
        return ""
    return f": {str(error)[:ERROR_TEXT_LIMIT]}"
