"""Group commit: many requests' alerts in one transaction, each answered after the commit,
and one request's failure kept to that request."""

from __future__ import annotations

import sqlite3
from concurrent.futures import wait
from typing import Any

import pytest
from sqlalchemy import event

from firehouse.alerts.batching import IngestBatcher, _Job
from firehouse.alerts.events import Outcome
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Unavailable
from tests.service.alert_support import alert_event, all_alerts


def test_concurrent_requests_are_each_answered_with_their_own_results(
    seeded_db: Database, clock: FakeClock
) -> None:
    batcher = IngestBatcher(seeded_db, clock)
    try:
        futures = [batcher.submit([alert_event(f"fp-{n % 10}")], "default") for n in range(60)]
        wait(futures, timeout=30)
    finally:
        batcher.stop()
    outcomes = [future.result()[0].outcome for future in futures]
    assert outcomes.count(Outcome.CREATED) == 10
    assert outcomes.count(Outcome.REPEATED) == 50
    assert sorted(alert.count for alert in all_alerts(seeded_db)) == [6] * 10


def test_a_request_that_fails_keeps_its_failure_and_the_batch_is_stored(
    seeded_db: Database, clock: FakeClock
) -> None:
    batcher = IngestBatcher(seeded_db, clock)
    good = _Job([alert_event("fine")], "default")
    unstorable = _Job([alert_event("odd", details={"not json": object()})], "default")
    also_good = _Job([alert_event("also-fine")], "default")

    batcher.store([good, unstorable, also_good])

    assert good.future.result()[0].outcome == Outcome.CREATED
    assert also_good.future.result()[0].outcome == Outcome.CREATED
    with pytest.raises(Unavailable):
        unstorable.future.result()
    assert sorted(alert.fingerprint for alert in all_alerts(seeded_db)) == ["also-fine", "fine"]


def test_when_the_commit_fails_no_request_is_answered_with_success(
    seeded_db: Database, clock: FakeClock, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("holds SQLite's write lock from a second connection")

    @event.listens_for(seeded_db.engine, "connect")
    def _impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    seeded_db.engine.dispose()
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    batch = [_Job([alert_event(f"fp-{n}")], "default") for n in range(3)]
    try:
        IngestBatcher(seeded_db, clock).store(batch)
    finally:
        holder.rollback()
        holder.close()
    for job in batch:
        with pytest.raises(Unavailable):
            job.future.result()
    assert all_alerts(seeded_db) == []
