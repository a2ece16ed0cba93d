"""A short-lived, per-process memory of who recently seen tokens belong to.

Looking a token up costs a database round trip and a thread-pool hop on every request, about
a sixth of a declare's CPU on a small machine. Remembering the answer for a few seconds makes
a burst of requests from one client pay it once. The price is stated in docs/api.md: a token
revoked (or re-roled) elsewhere keeps working in a process that saw it for at most
`RECENT_TOKEN_SECONDS`. Unknown and revoked tokens are never remembered, so a wrong guess
always costs a lookup and a newly created token works at once.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from firehouse.auth.service import Principal

RECENT_TOKEN_SECONDS = 5
MAX_REMEMBERED = 1024


class RecentTokens:
    def __init__(
        self,
        ttl: timedelta = timedelta(seconds=RECENT_TOKEN_SECONDS),
        capacity: int = MAX_REMEMBERED,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._entries: dict[str, tuple[Principal, datetime]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str, *, now: datetime) -> Principal | None:
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            caller, looked_up_at = entry
            if not looked_up_at <= now < looked_up_at + self._ttl:
                del self._entries[token_hash]
                return None
            return caller

    def remember(self, token_hash: str, caller: Principal, *, now: datetime) -> None:
        """The lookup that put it here recorded the use; repeats within the TTL need not."""
        with self._lock:
            if len(self._entries) >= self._capacity:
                self._entries.clear()  # crude but bounded; a full cache is rare and cheap to refill
            self._entries[token_hash] = (replace(caller, use_is_stale=False), now)

    def forget_all(self) -> None:
        with self._lock:
            self._entries.clear()
