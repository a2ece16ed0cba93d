"""The guidance's scheduled jobs, run exactly once across workers.

`scheduled_jobs(db)` is added to the dispatcher loop's periodic tasks by app.py. Every worker
ticks each task; the scheduler's lease lets one of them run it per interval, so a reminder
pass never runs side by side with another (the ReminderSent key would still keep a nudge
single, but the work would be done twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from firehouse.db import Database
from firehouse.guidance.drills import run_due_steps
from firehouse.guidance.reminder_service import run_reminder_pass
from firehouse.periodic import PeriodicTask
from firehouse.scheduler import Scheduler

log = logging.getLogger(__name__)

REMINDERS_EVERY = timedelta(seconds=30)
DRILLS_EVERY = timedelta(seconds=15)


def scheduled_jobs(db: Database, scheduler: Scheduler | None = None) -> list[PeriodicTask]:
    scheduler = scheduler or Scheduler(db)
    return [
        PeriodicTask(
            "guidance reminders", REMINDERS_EVERY, reminder_job(db, scheduler, REMINDERS_EVERY)
        ),
        PeriodicTask("drill steps", DRILLS_EVERY, drill_job(db, scheduler, DRILLS_EVERY)),
    ]


def reminder_job(
    db: Database, scheduler: Scheduler, every: timedelta
) -> Callable[[datetime], int | None]:
    """The reminder pass under the lease. It needs no `since`: it asks what is due now, which
    already includes whatever fell due while no worker ran."""

    def run(now: datetime) -> int | None:
        return scheduler.run(
            "guidance reminders", lambda _since, at: run_reminder_pass(db, at), now=now, every=every
        )

    return run


def drill_job(
    db: Database, scheduler: Scheduler, every: timedelta
) -> Callable[[datetime], object | None]:
    """Scripted steps of training drills that are due."""

    def run(now: datetime) -> object | None:
        return scheduler.run(
            "drill steps", lambda _since, at: run_due_steps(db, at), now=now, every=every
        )

    return run
