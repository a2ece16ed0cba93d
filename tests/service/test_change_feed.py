"""The change feed: a commit wakes the readers watching what it changed, across processes on
PostgreSQL (LISTEN/NOTIFY, whoever wrote) and within the process on SQLite; a rollback wakes
no one; a dropped listening connection wakes everyone and is re-established."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from firehouse.changes import INCIDENT, STATUSPAGE, ChangeFeed, build_feed
from firehouse.changes.postgres import PostgresFeed
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import service
from firehouse.migrate import downgrade, upgrade
from firehouse.statuspage.service_components import set_status
from tests.databases import empty_postgres, scratch_postgres, sqlite_copy
from tests.factories import declare, seed_catalog
from tests.loops import in_own_loop
from tests.service.statuspage_support import add_components

QUIET = 0.3  # how long "nothing woke it" is watched for


def note(db: Database, number: int, clock: FakeClock, body: str = "Rolled back") -> None:
    with db.write() as session:
        service.add_timeline_entry(session, number, body, actor="alice", now=clock.now())


def abandoned_note(db: Database, number: int, clock: FakeClock) -> None:
    """A note whose transaction fails after the insert and rolls back."""
    with db.write() as session:
        service.add_timeline_entry(session, number, "oops", actor="alice", now=clock.now())
        raise RuntimeError


def _seeded(url: str, clock: FakeClock) -> Database:
    db = Database(url)
    with db.write() as session:
        seed_catalog(session)
    add_components(db, clock.now())
    return db


@pytest.fixture
def writer(postgres_database: str, clock: FakeClock) -> Iterator[Database]:
    """The other process: its own engine, so its own connections."""
    empty_postgres(postgres_database)
    db = _seeded(postgres_database, clock)
    yield db
    db.dispose()


@pytest.fixture
def listening(writer: Database) -> Iterator[PostgresFeed]:
    """This process's feed, on a Database of its own, listening."""
    db = Database(writer.url)
    feed = build_feed(db)
    assert isinstance(feed, PostgresFeed)
    feed.start()
    assert feed.wait_listening(5)
    yield feed
    feed.stop()
    db.dispose()


@pytest.fixture
def local(tmp_path: Path, sqlite_template: Path, clock: FakeClock) -> Iterator[Database]:
    db = _seeded(sqlite_copy(sqlite_template, tmp_path), clock)
    yield db
    db.dispose()


def test_a_publish_wakes_the_subscriber_of_its_key_only() -> None:
    feed = ChangeFeed()
    mine, other = feed.subscribe(INCIDENT, "1"), feed.subscribe(INCIDENT, "2")
    feed.publish(INCIDENT, "1")
    assert mine.wait(0)
    assert not other.wait(0)


def test_a_publish_without_a_key_wakes_every_subscriber_of_the_channel() -> None:
    feed = ChangeFeed()
    first, second = feed.subscribe(INCIDENT, "1"), feed.subscribe(INCIDENT, "2")
    feed.publish(INCIDENT)
    assert first.wait(0)
    assert second.wait(0)


def test_a_waiting_coroutine_is_woken_from_another_thread() -> None:
    feed = ChangeFeed()
    subscription = feed.subscribe(STATUSPAGE)

    async def wait() -> tuple[bool, float]:
        started = time.monotonic()
        threading.Timer(0.05, feed.publish, args=(STATUSPAGE,)).start()
        return await subscription.changed(5), time.monotonic() - started

    changed, waited = in_own_loop(wait())
    assert changed
    assert waited < 1


def test_a_closed_subscription_is_not_woken() -> None:
    feed = ChangeFeed()
    subscription = feed.subscribe(STATUSPAGE)
    subscription.close()
    feed.publish(STATUSPAGE)
    assert not subscription.wait(0)


def test_sqlite_a_note_committed_in_this_process_wakes_its_incident_at_once(
    local: Database, clock: FakeClock
) -> None:
    number, other = (declare(local, clock.now()).number for _ in range(2))
    feed = build_feed(local)
    feed.start()
    try:
        mine = feed.subscribe(INCIDENT, str(number))
        theirs = feed.subscribe(INCIDENT, str(other))
        note(local, number, clock)
        assert mine.wait(0)
        assert not theirs.wait(0)
    finally:
        feed.stop()


def test_sqlite_a_rolled_back_write_wakes_no_one(local: Database, clock: FakeClock) -> None:
    number = declare(local, clock.now()).number
    feed = build_feed(local)
    feed.start()
    try:
        watching = feed.subscribe(INCIDENT, str(number))
        with pytest.raises(RuntimeError):
            abandoned_note(local, number, clock)
        assert not watching.wait(0)
    finally:
        feed.stop()


def test_sqlite_a_component_change_wakes_the_status_page(local: Database, clock: FakeClock) -> None:
    feed = build_feed(local)
    feed.start()
    try:
        page = feed.subscribe(STATUSPAGE)
        with local.write() as session:
            set_status(session, "website", "major_outage", now=clock.now())
        assert page.wait(0)
        assert not feed.cross_process
    finally:
        feed.stop()


def test_postgres_a_note_from_another_process_wakes_its_incident_within_a_second(
    writer: Database, listening: PostgresFeed, clock: FakeClock
) -> None:
    incident = declare(writer, clock.now())
    number = incident.number
    watching = listening.subscribe(INCIDENT, str(incident.id))
    started = time.monotonic()
    note(writer, number, clock)
    assert watching.wait(1)
    assert time.monotonic() - started < 1
    assert listening.cross_process


def test_postgres_a_note_does_not_wake_another_incident(
    writer: Database, listening: PostgresFeed, clock: FakeClock
) -> None:
    number = declare(writer, clock.now()).number
    bystander = listening.subscribe(INCIDENT, "999999")
    note(writer, number, clock)
    assert not bystander.wait(QUIET)


def test_postgres_a_rolled_back_write_sends_no_hint(
    writer: Database, listening: PostgresFeed, clock: FakeClock
) -> None:
    watching = listening.subscribe(INCIDENT)
    number = declare(writer, clock.now()).number
    assert watching.wait(1)  # the declaration's own hint, which did commit
    with pytest.raises(RuntimeError):
        abandoned_note(writer, number, clock)
    assert not watching.wait(QUIET)


def test_postgres_a_status_page_change_from_another_process_wakes_the_page(
    writer: Database, listening: PostgresFeed, clock: FakeClock
) -> None:
    page = listening.subscribe(STATUSPAGE)
    with writer.write() as session:
        set_status(session, "website", "major_outage", now=clock.now())
    assert page.wait(1)


def _kill_listener(url: str) -> int:
    """What a failover or an idle-connection reaper does to the listening connection."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database()"
                " AND application_name = 'firehouse change feed'"
            )
        ).scalar_one()
    admin.dispose()
    return int(killed)


def test_postgres_a_dropped_connection_tells_everyone_to_look_again(
    writer: Database, listening: PostgresFeed
) -> None:
    watching = listening.subscribe(INCIDENT, "1")
    assert _kill_listener(writer.url) == 1
    assert watching.wait(2)


def test_postgres_the_feed_listens_again_after_its_connection_is_killed(
    writer: Database, listening: PostgresFeed, clock: FakeClock
) -> None:
    number = declare(writer, clock.now()).number
    watching = listening.subscribe(INCIDENT)
    assert _kill_listener(writer.url) == 1
    deadline = time.monotonic() + 5
    while listening.cross_process and time.monotonic() < deadline:
        time.sleep(0.01)  # until the listener has noticed
    assert listening.wait_listening(5)
    watching.wait(0)  # the "look again" of the reconnect
    note(writer, number, clock)
    assert watching.wait(1)


def test_a_callback_subscriber_is_called_by_the_publisher() -> None:
    """A thread-only reader (the status page publisher) uses a callback instead of waiting."""
    feed = ChangeFeed()
    calls: list[str] = []
    kept = feed.subscribe(STATUSPAGE, callback=lambda: calls.append("changed"))
    feed.publish(STATUSPAGE)
    assert calls == ["changed"]
    kept.close()


def test_a_coroutine_not_woken_returns_false_after_its_timeout() -> None:
    subscription = ChangeFeed().subscribe(INCIDENT, "1")
    assert in_own_loop(asyncio.wait_for(subscription.changed(0.05), timeout=2)) is False


def _notifying(url: str) -> tuple[int, int]:
    """How many of the feed's triggers and trigger functions the database holds."""
    engine = create_engine(url)
    with engine.connect() as connection:
        triggers = connection.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'firehouse_notify_%'")
        ).scalar_one()
        functions = connection.execute(
            text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'firehouse_notify_%'")
        ).scalar_one()
    engine.dispose()
    return int(triggers), int(functions)


def test_postgres_downgrading_past_0010_removes_the_triggers_and_their_functions() -> None:
    with scratch_postgres() as url:
        upgrade(url)
        assert _notifying(url) == (24, 3)  # 8 tables x insert, update, delete
        downgrade(url, "0009")
        assert _notifying(url) == (0, 0)


def test_postgres_the_listener_can_bypass_a_pooling_proxy_with_its_own_url(
    writer: Database, clock: FakeClock
) -> None:
    """FIREHOUSE_LISTEN_DATABASE_URL: the pools go through PgBouncer (here: an address where
    nothing listens), the LISTEN connection straight to PostgreSQL."""
    behind_proxy = Database(make_url(writer.url).set(port=1).render_as_string(hide_password=False))
    feed = build_feed(behind_proxy, writer.url)
    feed.start()
    try:
        assert isinstance(feed, PostgresFeed)
        assert feed.wait_listening(5)
        incident = declare(writer, clock.now())
        watching = feed.subscribe(INCIDENT, str(incident.id))
        note(writer, incident.number, clock)
        assert watching.wait(1)
    finally:
        feed.stop()
        behind_proxy.dispose()
