"""PLACEHOLDER (reminders owner): the guidance's scheduled jobs, run exactly once across
workers. `scheduled_jobs(db)` is added to the dispatcher loop's periodic tasks by app.py."""

from __future__ import annotations

from firehouse.db import Database
from firehouse.periodic import PeriodicTask


def scheduled_jobs(_db: Database) -> list[PeriodicTask]:
    return []
