"""Work that is due by the clock rather than by an event: archiving channels after their delay,
starting and ending maintenance windows.

The tasks ride on the outbox dispatcher's loop, so they run wherever events are delivered
(`firehouse serve` or `firehouse worker`) with no extra thread. Every task must be idempotent
and cheap when there is nothing to do: with several workers, each runs it. Exactly-once
scheduling across workers belongs to the scheduler of the guidance and scale-out issues.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from firehouse.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class PeriodicTask:
    name: str
    every: timedelta
    run: Callable[[datetime], object]
    next_at: datetime | None = field(default=None, compare=False)


class Periodic:
    def __init__(self, clock: Clock, tasks: list[PeriodicTask] | None = None) -> None:
        self.clock = clock
        self.tasks = list(tasks or [])

    def add(self, name: str, every: timedelta, run: Callable[[datetime], object]) -> None:
        self.tasks.append(PeriodicTask(name, every, run))

    def run_due(self) -> list[str]:
        """Runs every task whose time has come; returns their names. A failing task is logged
        and tried again at its next time, and never stops the others."""
        now = self.clock.now()
        ran: list[str] = []
        for task in self.tasks:
            if task.next_at is not None and now < task.next_at:
                continue
            task.next_at = now + task.every
            try:
                task.run(now)
            except Exception:
                log.exception("periodic task %s failed", task.name)
            ran.append(task.name)
        return ran
