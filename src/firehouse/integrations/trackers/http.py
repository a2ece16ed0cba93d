"""What the Jira and GitHub clients share: one request, its failures sorted for the outbox.

A throttled (429) or failing (5xx, timeout, connection lost) tracker is worth asking again:
`DeliveryFailed` carries its Retry-After and the outbox waits at least that long. A refusal
(401/403/404/422, or 400) is a configuration problem: retrying will not fix it, so the
message says what to check. The outbox has no "park now" error, so it too is retried with
back-off and parked as dead once the attempts run out; the operator sees the reason in
`firehouse outbox list --dead`. Messages never contain the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from firehouse.integrations.webhooks import retry_after_seconds
from firehouse.outbox.envelope import DeliveryFailed

CONFIGURATION_STATUSES = frozenset({400, 401, 403, 404, 410, 422})
LABEL_PREFIX = "firehouse-"


@dataclass(frozen=True)
class TicketRequest:
    """What a tracker needs to open a ticket; `request_key` becomes its label."""

    request_key: str
    title: str
    description: str
    incident_number: int
    incident_message: str

    @property
    def label(self) -> str:
        return f"{LABEL_PREFIX}{self.request_key}"

    def body_text(self) -> str:
        lines = [self.description] if self.description else []
        about = f": {self.incident_message}" if self.incident_message else ""
        lines.append(f"Follow-up of incident {self.incident_number}{about}")
        lines.append(f"firehouse request key: {self.request_key}")
        return "\n\n".join(lines)


@dataclass(frozen=True)
class Ticket:
    key: str
    url: str
    status: str
    done: bool


class ConfigurationError(DeliveryFailed):
    """The tracker refused us for a reason only an operator can fix."""


def secret(environ: Mapping[str, str], name: str, what: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{what}: environment variable {name} is not set")
    return value


def environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def send(
    client: httpx.Client, tracker: str, method: str, url: str, **options: Any
) -> httpx.Response:
    """One call; returns a 2xx response or raises DeliveryFailed (ConfigurationError)."""
    try:
        response = client.request(method, url, **options)
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"{tracker} did not answer in time ({method})") from exc
    except httpx.TransportError as exc:
        raise DeliveryFailed(f"{tracker} unreachable: {type(exc).__name__}") from exc
    status = response.status_code
    if status < 300:
        return response
    if status == 429 or status >= 500:
        wait = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        raise DeliveryFailed(f"{tracker} answered {status}; trying again later", retry_after=wait)
    if status in CONFIGURATION_STATUSES:
        raise ConfigurationError(
            f"{tracker} refused the request with {status} ({_reason(response)}): check the "
            "tracker's settings in firehouse.yaml and the token's permissions"
        )
    raise DeliveryFailed(f"{tracker} answered {status} ({_reason(response)})")


def _reason(response: httpx.Response) -> str:
    """A short, secret-free reason from the error body (Jira errorMessages, GitHub message)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no details"
    if isinstance(body, dict):
        parts = [str(m) for m in body.get("errorMessages") or []]
        parts += (
            [f"{k}: {v}" for k, v in (body.get("errors") or {}).items()]
            if isinstance(body.get("errors"), dict)
            else []
        )
        if body.get("message"):
            parts.append(str(body["message"]))
        if parts:
            return "; ".join(parts)[:300]
    return response.reason_phrase or "no details"
