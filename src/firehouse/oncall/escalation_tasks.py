"""The clock-driven half of paging: move pages whose wait is over to their next step, and
hand notifications that have come due to the outbox.

Every worker runs these. On PostgreSQL each one claims rows with FOR UPDATE SKIP LOCKED, so
one page (or one notification) is handled by exactly one worker at a time, and the others
move on to other rows; on SQLite there is one writer at a time anyway. The unique key of
page_notifications is the backstop: a step can never write the same notification twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.db import Database, is_sqlite
from firehouse.oncall import escalation
from firehouse.oncall.model import Page, PageNotification
from firehouse.periodic import PeriodicTask

EVERY = timedelta(seconds=5)
BATCH = 100


def paging_tasks(db: Database) -> list[PeriodicTask]:
    skip_locked = not is_sqlite(db.engine)

    def run(now: datetime) -> int:
        with db.write() as session:
            done = queue_due_notifications(session, now, skip_locked=skip_locked)
            return done + advance_due_pages(session, now, skip_locked=skip_locked)

    return [PeriodicTask("advance pages", EVERY, run)]


def advance_due_pages(session: Session, now: datetime, *, skip_locked: bool) -> int:
    """Pages still escalating whose step has waited long enough; returns how many moved."""
    query = (
        select(Page)
        .where(Page.status == "triggered", Page.next_step_at <= now)
        .order_by(Page.next_step_at, Page.id)
        .limit(BATCH)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    pages = session.scalars(query).all()
    return sum(escalation.advance(session, page, now=now) for page in pages)


def queue_due_notifications(session: Session, now: datetime, *, skip_locked: bool) -> int:
    """Later notifications (a text five minutes in) go out when due, unless the page ended
    meanwhile; then they are skipped. Returns how many were queued."""
    query = (
        select(PageNotification, Page.status)
        .join(Page, Page.id == PageNotification.page_id)
        .where(PageNotification.state == "scheduled", PageNotification.due_at <= now)
        .order_by(PageNotification.due_at, PageNotification.id)
        .limit(BATCH)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=PageNotification)
    queued = 0
    for row, status in session.execute(query).all():
        if status == "triggered":
            escalation.queue(session, row, now=now)
            queued += 1
        else:
            row.state = "skipped"
    return queued
