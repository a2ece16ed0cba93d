"""Placeholder: the `page_notifications` subscription kind (one notification -> a provider)."""

from __future__ import annotations

import httpx

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.envelope import Envelope, Handler
from firehouse.settings import Settings


def build_page_notifier(
    db: Database, settings: Settings, clock: Clock, client: httpx.Client
) -> Handler:
    def handle(envelope: Envelope) -> None:
        return None

    return handle
