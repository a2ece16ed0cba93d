"""Work that is due by the clock rather than by an event: archiving channels after their delay,
starting and ending maintenance windows, escalating pages, reminders, pruning the outbox.

The tasks ride on the outbox dispatcher's loop, so they run wherever events are delivered
(`firehouse serve` or `firehouse worker`) with no extra thread. Every process ticks every
task; `exclusive` tasks then run once per interval across all of them, under the scheduler's
lease, and catch up from the last run when all workers were down. Tasks that claim their own
rows with SKIP LOCKED (page escalation) need no lease and run on every worker at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from firehouse.clock import Clock
from firehouse.scheduler import Scheduler

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


def exclusive(
    scheduler: Scheduler, name: str, every: timedelta, run: Callable[[datetime], object]
) -> PeriodicTask:
    """A task that runs at most once per `every` across all processes sharing the database."""

    def leased(now: datetime) -> object:
        return scheduler.run(name, lambda _since, at: run(at), now=now, every=every)

    return PeriodicTask(name, every, leased)
