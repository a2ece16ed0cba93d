"""The scheduler's lease on both databases: one worker runs a job per interval, a dead
worker's lease is taken over, and the reminder job queues each reminder once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from firehouse.clock import FakeClock
from firehouse.db import Database, is_sqlite
from firehouse.guidance.jobs import scheduled_jobs
from firehouse.guidance.model import ReminderSent, SchedulerLease
from firehouse.outbox.model import OutboxEvent
from firehouse.periodic import Periodic, PeriodicTask, exclusive
from firehouse.scheduler import Scheduler
from tests.factories import declare

JOB = "guidance reminders"


def record(runs: list[datetime | None]) -> Callable[[datetime | None, datetime], int]:
    def job(since: datetime | None, _now: datetime) -> int:
        runs.append(since)
        return len(runs)

    return job


def test_a_job_runs_when_its_lease_is_free(db: Database, clock: FakeClock) -> None:
    runs: list[datetime | None] = []
    assert Scheduler(db, "a").run(JOB, record(runs), now=clock.now()) == 1
    assert runs == [None]


def test_the_next_run_learns_when_the_last_one_finished(db: Database, clock: FakeClock) -> None:
    runs: list[datetime | None] = []
    first = clock.now()
    Scheduler(db, "a").run(JOB, record(runs), now=first)
    clock.advance(minutes=60)
    Scheduler(db, "b").run(JOB, record(runs), now=clock.now())
    assert runs == [None, first]


def test_a_second_worker_skips_a_job_run_within_its_interval(
    db: Database, clock: FakeClock
) -> None:
    runs: list[datetime | None] = []
    every = timedelta(seconds=30)
    Scheduler(db, "a").run(JOB, record(runs), now=clock.now(), every=every)
    clock.advance(seconds=29)
    skipped = Scheduler(db, "b").run(JOB, record(runs), now=clock.now(), every=every)
    assert (skipped, len(runs)) == (None, 1)


def test_a_held_lease_keeps_other_workers_out(db: Database, clock: FakeClock) -> None:
    assert Scheduler(db, "a").claim(JOB, now=clock.now()) is not None
    assert Scheduler(db, "b").claim(JOB, now=clock.now() + timedelta(minutes=4)) is None


def test_the_lease_of_a_dead_worker_is_taken_over_once_it_expires(
    db: Database, clock: FakeClock
) -> None:
    Scheduler(db, "a", lease=timedelta(minutes=5)).claim(JOB, now=clock.now())
    clock.advance(minutes=5, seconds=1)
    assert Scheduler(db, "b").claim(JOB, now=clock.now()) is not None


def test_a_failing_job_releases_its_lease_and_keeps_its_last_run(
    db: Database, clock: FakeClock
) -> None:
    def fail(_since: datetime | None, _now: datetime) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Scheduler(db, "a").run(JOB, fail, now=clock.now())
    with db.read() as session:
        lease = session.get_one(SchedulerLease, JOB)
    assert (lease.holder, lease.last_run_at) == (None, None)


def test_concurrent_workers_run_a_job_once(db: Database, clock: FakeClock) -> None:
    runs: list[datetime | None] = []
    every = timedelta(seconds=30)
    workers = ["a", "b", "c"]
    if is_sqlite(db.engine):
        for name in workers:
            Scheduler(db, name).run(JOB, record(runs), now=clock.now(), every=every)
    else:
        _in_threads(db, workers, lambda s: s.run(JOB, record(runs), now=clock.now(), every=every))
    assert len(runs) == 1


def test_the_reminder_job_of_two_workers_queues_a_reminder_once(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1")
    clock.advance(minutes=5)
    if is_sqlite(seeded_db.engine):
        for name in ("a", "b"):
            _reminder_task(seeded_db, name).run(clock.now())
    else:
        _in_threads(
            seeded_db, ["a", "b"], lambda s: _reminder_task(s.db, s.holder).run(clock.now())
        )
    with seeded_db.read() as session:
        assert len(session.scalars(select(ReminderSent)).all()) == 1
        assert len(session.scalars(select(OutboxEvent)).all()) == 2  # declared + the reminder


def test_after_an_hour_with_every_worker_down_the_reminder_fires_once(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now(), priority="P1", commander="bob")
    declare(seeded_db, clock.now(), priority="P2")  # no commander: due 5 minutes in
    task = _reminder_task(seeded_db, "a")
    task.run(clock.now())
    clock.advance(hours=1)
    task.run(clock.now())
    clock.advance(seconds=30)
    task.run(clock.now())
    with seeded_db.read() as session:
        due = session.scalars(select(ReminderSent.due_at)).all()
    assert due == [clock.now() - timedelta(seconds=30)]  # 60 minutes: the latest, once


def _reminder_task(db: Database, holder: str) -> PeriodicTask:
    [task] = [t for t in scheduled_jobs(db, Scheduler(db, holder)) if t.name == JOB]
    return task


def _in_threads(db: Database, holders: list[str], work: Callable[[Scheduler], object]) -> None:
    barrier = threading.Barrier(len(holders))
    errors: list[BaseException] = []

    def run(holder: str) -> None:
        worker_db = Database(db.url)  # each worker is its own process: its own engine
        try:
            barrier.wait()
            work(Scheduler(worker_db, holder))
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            worker_db.dispose()

    threads = [threading.Thread(target=run, args=(h,)) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors


def test_an_exclusive_periodic_task_runs_once_per_interval_across_workers(
    db: Database, clock: FakeClock
) -> None:
    runs: list[datetime] = []
    workers = [Periodic(clock) for _ in range(3)]
    for periodic in workers:
        scheduler = Scheduler(db)
        periodic.tasks.append(exclusive(scheduler, "archive", timedelta(minutes=5), runs.append))
    for _ in range(2):
        for periodic in workers:
            periodic.run_due()
        clock.advance(minutes=5)
    assert runs == [clock.now() - timedelta(minutes=10), clock.now() - timedelta(minutes=5)]
