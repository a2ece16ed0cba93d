"""What a process shares between requests: settings, database, clock, dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from firehouse.auth.recent import RecentTokens
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    dispatcher: Dispatcher
    recent_tokens: RecentTokens = field(default_factory=RecentTokens)
