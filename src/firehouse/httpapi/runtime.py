"""What a process shares between requests: settings, database, clock, dispatcher."""

from __future__ import annotations

from dataclasses import dataclass

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
