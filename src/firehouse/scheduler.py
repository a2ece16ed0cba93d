"""Scheduled jobs that run once across all workers, however many there are.

Every worker's dispatcher loop asks to run each job; one `SchedulerLease` row per job decides
who does. Claiming is a single conditional UPDATE (free, expired or already ours, and the job's
interval has passed since its last run), which both SQLite and PostgreSQL make atomic: on
PostgreSQL a second worker's UPDATE waits for the first to commit, then finds the condition
false and updates nothing. The lease expires, so a worker that dies mid-run only delays the
job by the lease's length; the next holder reads `last_run_at` and catches up.

Jobs must still be idempotent (a lease can expire under a slow run); the lease keeps them
from running side by side, not from running twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from firehouse.db import Database, is_sqlite
from firehouse.guidance.model import SchedulerLease

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_LEASE = timedelta(minutes=5)


def worker_name() -> str:
    """Unique per process and per start, so a restarted worker never mistakes an old lease
    of its predecessor for its own."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    """A held lease. `last_run_at` is when the job last finished (None: never), so the job
    can do whatever fell due since."""

    name: str
    last_run_at: datetime | None


class Scheduler:
    def __init__(
        self, db: Database, holder: str | None = None, lease: timedelta = DEFAULT_LEASE
    ) -> None:
        self.db = db
        self.holder = holder or worker_name()
        self.lease = lease

    def run(
        self,
        name: str,
        job: Callable[[datetime | None, datetime], T],
        *,
        now: datetime,
        every: timedelta = timedelta(0),
    ) -> T | None:
        """Runs `job(last_run_at, now)` when this worker wins the lease; None when another
        worker holds it or ran the job less than `every` ago. A failing job keeps its
        `last_run_at`, so the next run covers its time too; the lease is released either way."""
        claim = self.claim(name, now=now, every=every)
        if claim is None:
            return None
        finished = False
        try:
            result = job(claim.last_run_at, now)
            finished = True
            return result
        finally:
            self.release(name, now=now, finished=finished)

    def claim(self, name: str, *, now: datetime, every: timedelta = timedelta(0)) -> Claim | None:
        with self.db.write() as session:
            _ensure_row(session, name)
            taken = session.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == name,
                    or_(
                        SchedulerLease.holder.is_(None),
                        SchedulerLease.expires_at.is_(None),
                        SchedulerLease.expires_at < now,
                        SchedulerLease.holder == self.holder,
                    ),
                    or_(
                        SchedulerLease.last_run_at.is_(None),
                        SchedulerLease.last_run_at <= now - every,
                    ),
                )
                .values(holder=self.holder, expires_at=now + self.lease)
                .returning(SchedulerLease.last_run_at)
            ).first()
        if taken is None:
            return None
        return Claim(name, taken[0])

    def release(self, name: str, *, now: datetime, finished: bool = True) -> None:
        """Gives the lease up; `finished` records the run, so the next one starts from here."""
        values: dict[str, object] = {"holder": None, "expires_at": None}
        if finished:
            values["last_run_at"] = now
        with self.db.write() as session:
            session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == name, SchedulerLease.holder == self.holder)
                .values(**values)
            )


def _ensure_row(session: Session, name: str) -> None:
    """The job's row, created by whichever worker gets there first (no error for the others)."""
    bind = session.get_bind()
    dialect = sqlite if is_sqlite(bind.engine) else postgresql
    session.execute(
        dialect.insert(SchedulerLease)
        .values(name=name, holder=None, expires_at=None, last_run_at=None)
        .on_conflict_do_nothing(index_elements=["name"])
    )
