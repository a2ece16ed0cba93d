"""PLACEHOLDER (reminders owner): the outbox handler that delivers reminders (subscription
`reminders`) to the incident's channel and its commander."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firehouse.chat.provider import ChatProvider
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.envelope import Envelope


class ReminderDelivery:
    def __init__(
        self, db: Database, clock: Clock, providers: Callable[[dict[str, Any]], ChatProvider]
    ) -> None:
        self.db = db
        self.clock = clock
        self.providers = providers

    def __call__(self, envelope: Envelope) -> None:
        del envelope
