"""Failed sign-ins per client address, in this process's memory: a cheap first line against
guessing many accounts from one place (the per-account lockout covers one account from many).
Lost on restart and not shared between processes, which is acceptable for a speed bump."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta


class FailureLimiter:
    def __init__(
        self, limit: int = 10, window: timedelta = timedelta(minutes=1), max_keys: int = 10_000
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str, *, now: datetime) -> bool:
        with self._lock:
            return len(self._recent(key, now)) >= self.limit

    def record_failure(self, key: str, *, now: datetime) -> None:
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                self._forget_stale(now)
            self._recent(key, now).append(now)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def _forget_stale(self, now: datetime) -> None:
        for key in [
            k for k, times in self._failures.items() if not times or now - times[-1] >= self.window
        ]:
            del self._failures[key]
        if len(self._failures) >= self.max_keys:  # a flood of addresses: start over
            self._failures.clear()
