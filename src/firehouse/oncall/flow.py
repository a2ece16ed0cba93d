"""Placeholder: the `paging` subscription kind (incident events -> pages)."""

from __future__ import annotations

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.envelope import Envelope


class PagingFlow:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def __call__(self, envelope: Envelope) -> None:
        return None
