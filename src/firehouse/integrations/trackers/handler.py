"""PLACEHOLDER (follow-ups owner): the outbox handler that creates and syncs tickets in Jira
and GitHub (subscription `trackers`)."""

from __future__ import annotations

import httpx

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.envelope import Envelope


class TrackerHandler:
    def __init__(self, db: Database, clock: Clock, client: httpx.Client) -> None:
        self.db = db
        self.clock = clock
        self.client = client

    def __call__(self, envelope: Envelope) -> None:
        del envelope
