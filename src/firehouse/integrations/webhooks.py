"""Outbound webhooks: each event POSTed as JSON, signed with HMAC-SHA256 over the raw body.

Receivers verify `X-Firehouse-Signature: sha256=<hex>` with the shared secret and drop
repeats by `Idempotency-Key`, which is the same on every retry of one event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from firehouse import __version__
from firehouse.outbox.dispatcher import DeliveryFailed, Envelope

SIGNATURE_HEADER = "X-Firehouse-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature)


def body_of(envelope: Envelope) -> bytes:
    document: dict[str, Any] = {
        "id": envelope.event_id,
        "type": envelope.event_type,
        "occurred_at": envelope.occurred_at.isoformat(),
        "data": envelope.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def redact(url: str) -> str:
    """URLs may carry credentials in user-info or the query; errors must not."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class WebhookHandler:
    def __init__(self, client: httpx.Client, environ: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.environ = os.environ if environ is None else environ

    def __call__(self, envelope: Envelope) -> None:
        url = str(envelope.settings.get("url", ""))
        secret_env = str(envelope.settings.get("secret_env", ""))
        secret = self.environ.get(secret_env, "") if secret_env else ""
        if not secret:
            raise DeliveryFailed(f"webhook secret: environment variable '{secret_env}' is not set")
        body = body_of(envelope)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"firehouse/{__version__}",
            "X-Firehouse-Event": envelope.event_type,
            "X-Firehouse-Delivery": str(envelope.delivery_id),
            "Idempotency-Key": envelope.idempotency_key,
            SIGNATURE_HEADER: sign(secret, body),
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"timed out posting to {redact(url)}") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"could not reach {redact(url)}: {type(exc).__name__}") from None
        if 200 <= response.status_code < 300:
            return
        raise DeliveryFailed(
            f"HTTP {response.status_code} from {redact(url)}",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
