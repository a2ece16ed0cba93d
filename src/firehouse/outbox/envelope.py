"""What an integration sees of the outbox: one event addressed to one subscription.

Integrations import only this module, so they stay independent of how the queue is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Envelope:
    """One attempt at delivering one event to one subscription."""

    delivery_id: int
    event_id: int
    event_type: str
    stream: str
    payload: dict[str, Any]
    occurred_at: datetime
    subscription: str
    kind: str
    settings: dict[str, Any]
    attempt: int
    lease_token: str
    lease_expires_at: datetime

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and workers, so a receiver can drop the second copy."""
        return f"{self.event_id}:{self.subscription}"


class DeliveryFailed(Exception):
    """An expected failure (receiver down, throttled, misconfigured): try again later.

    The message is stored and shown to operators, so it must never contain a secret.
    `retry_after` (seconds) is the receiver's own request to wait, from a Retry-After header.
    `permanent` says retrying cannot help (the receiver refused the request itself, a setting
    is missing): the delivery is parked as dead at once, for an operator to fix and retry,
    instead of spending its remaining attempts over the next hours.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Handler(Protocol):
    """Delivers an envelope or raises; returning means the side effect happened."""

    def __call__(self, envelope: Envelope) -> None: ...
