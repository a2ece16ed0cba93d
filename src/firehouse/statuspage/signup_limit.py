"""A token bucket per client address, in process memory: the public sign-up's brake.

Sign-up is anonymous and sends mail, so without a brake anyone could make firehouse mail-bomb
a stranger or fill the table. Each address may sign up `rate` times a minute after a burst of
the same size. Per process on purpose: several processes each allow the rate, which is still
a brake, and it needs no shared store. The table of addresses is bounded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

MAX_CLIENTS = 10_000


class SignupLimit:
    def __init__(self, per_minute: float) -> None:
        self.capacity = per_minute
        self.per_second = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: datetime) -> float | None:
        """None when allowed; otherwise the seconds until the next sign-up is allowed."""
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            elapsed = max(0.0, (now - last).total_seconds())
            tokens = min(self.capacity, tokens + elapsed * self.per_second)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)  # the longest quiet: a full bucket anyway
        return None if allowed else (1.0 - tokens) / self.per_second
