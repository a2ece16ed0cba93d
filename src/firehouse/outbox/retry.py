"""When to try a failed delivery again: exponential back-off, honouring Retry-After.

Pure, so the schedule can be checked with property tests. No jitter: deliveries of one
subscription are already spread out by the order they failed in, and a deterministic
schedule is easier to explain to an operator reading `firehouse outbox list`.
"""

from __future__ import annotations

from datetime import timedelta

BASE_DELAY = timedelta(seconds=2)
MAX_DELAY = timedelta(minutes=15)
MAX_RETRY_AFTER = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, … doubling per failed attempt, never more than 15 minutes."""
    exponent = min(30, max(0, attempts - 1))  # 2**30 * 2 s is far past the cap already
    delay: timedelta = BASE_DELAY * 2**exponent
    return min(MAX_DELAY, delay)


def next_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (counting from 1).

    A receiver's Retry-After is a floor, not a replacement: we wait at least as long as it
    asks (up to an hour, so a bad header cannot park a delivery for days) and at least as
    long as our own back-off.
    """
    delay = backoff(attempts)
    if retry_after is None:
        return delay
    seconds = min(MAX_RETRY_AFTER.total_seconds(), max(0.0, retry_after))  # also tames inf
    return max(delay, timedelta(seconds=seconds))


def is_exhausted(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
