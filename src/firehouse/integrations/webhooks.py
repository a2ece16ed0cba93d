"""Outbound webhooks: each event POSTed as JSON, signed with HMAC-SHA256 over the raw body.

Receivers verify `X-Firehouse-Signature: sha256=<hex>` with the shared secret and drop
repeats by `Idempotency-Key`, which is the same on every retry of one event. The secret is
read from the environment variable the subscription names, at each delivery, so rotating it
needs no database change; it is never stored, logged or put in an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from firehouse import __version__
from firehouse.clock import Clock, SystemClock
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.redact import redact_url

SIGNATURE_HEADER = "X-Firehouse-Signature"
THROTTLING_STATUSES = frozenset({429, 503})
GONE = 410


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Constant-time check, as a receiver should do it (see docs/integrations/webhooks.md)."""
    return hmac.compare_digest(sign(secret, body), signature)


def body_of(envelope: Envelope) -> bytes:
    """The same bytes on every attempt, so the signature is stable too."""
    document: dict[str, Any] = {
        "id": envelope.event_id,
        "type": envelope.event_type,
        "stream": envelope.stream,
        "occurred_at": envelope.occurred_at.isoformat(),
        "data": envelope.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


class WebhookHandler:
    """The `webhook` subscription kind: settings {"url": ..., "secret_env": ...}."""

    def __init__(
        self,
        client: httpx.Client,
        environ: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.environ = os.environ if environ is None else environ
        self.clock = clock or SystemClock()

    def __call__(self, envelope: Envelope) -> None:
        url = self._url(envelope)
        body = body_of(envelope)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"firehouse/{__version__}",
            "X-Firehouse-Event": envelope.event_type,
            "X-Firehouse-Delivery": str(envelope.delivery_id),
            "X-Firehouse-Attempt": str(envelope.attempt),
            "Idempotency-Key": envelope.idempotency_key,
            SIGNATURE_HEADER: sign(self._secret(envelope), body),
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"timed out posting to {redact_url(url)}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryFailed(
                f"could not reach {redact_url(url)}: {type(exc).__name__}"
            ) from None
        if response.is_success:
            return
        retry_after = None
        if response.status_code in THROTTLING_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
        raise DeliveryFailed(
            f"HTTP {response.status_code} from {redact_url(url)}",
            retry_after=retry_after,
            permanent=response.status_code == GONE,  # the receiver asks never to be sent it again
        )

    def _url(self, envelope: Envelope) -> str:
        url = str(envelope.settings.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise DeliveryFailed(
                f"webhook '{envelope.subscription}' has no http(s) url", permanent=True
            )
        return url

    def _secret(self, envelope: Envelope) -> str:
        secret_env = str(envelope.settings.get("secret_env") or "")
        if not secret_env:
            raise DeliveryFailed(
                f"webhook '{envelope.subscription}' names no secret_env", permanent=True
            )
        secret = self.environ.get(secret_env, "")
        if not secret:
            raise DeliveryFailed(
                f"webhook '{envelope.subscription}': environment variable {secret_env} "
                "holding its signing secret is not set or empty"
            )
        return secret
