"""Placeholder: the clock-driven paging work (advance escalations, send later notifications)."""

from __future__ import annotations

from firehouse.db import Database
from firehouse.periodic import PeriodicTask


def paging_tasks(db: Database) -> list[PeriodicTask]:
    return []
