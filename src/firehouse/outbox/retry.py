"""When to try a failed delivery again: exponential back-off, honouring Retry-After."""

from __future__ import annotations

from datetime import timedelta

BASE_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=15)
MAX_RETRY_AFTER = timedelta(hours=1)


def next_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """`attempts` counts the attempts made so far, the failed one included (>= 1)."""
    backoff: timedelta = min(MAX_DELAY, BASE_DELAY * (2 ** min(30, max(0, attempts - 1))))
    if retry_after is None:
        return backoff
    asked = min(MAX_RETRY_AFTER, timedelta(seconds=max(0.0, retry_after)))
    return max(asked, BASE_DELAY)


def is_exhausted(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
