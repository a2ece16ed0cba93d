"""Live updates across processes: a change made through one server reaches a browser
connected to another within a second (PostgreSQL LISTEN/NOTIFY), and a change made through
the same server reaches it at once (SQLite, in-process). Each server here has its own
Database, so its own connections, as a second `serve` process would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from firehouse.app import create_app
from firehouse.auth.users import create_user
from firehouse.changes.postgres import PostgresFeed
from firehouse.clock import SystemClock
from firehouse.settings import Settings
from firehouse.web import live
from tests.api.client import BASE_URL, mint_role_tokens, seeded_app
from tests.api.test_web_live import Server, add_entry, declare, events, take
from tests.api.web_support import PASSWORD
from tests.databases import empty_postgres, sqlite_copy
from tests.live import serving

WITHIN = 1.0  # seconds, the promise


@pytest.fixture(autouse=True)
def slow_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polling alone would take five seconds: what arrives sooner was woken by the feed."""
    monkeypatch.setattr(live, "POLL_SECONDS", 5.0)
    monkeypatch.setattr(live, "SAFETY_SECONDS", 60.0)


def _first_server(database_url: str) -> Server:
    clock = SystemClock()
    app, db = seeded_app(database_url, clock)
    token = mint_role_tokens(db, clock)["responder"]
    with db.write() as session:
        create_user(
            session,
            username="alice",
            name="Alice",
            role="responder",
            password=PASSWORD,
            person="alice",
            now=clock.now(),
        )
    return Server(url="", db=db, app=app, token=token)


def _second_server(database_url: str, first: Server) -> Server:
    settings = Settings(database_url=database_url, base_url=BASE_URL)
    app = create_app(settings, clock=SystemClock(), run_dispatcher=False)
    return Server(url="", db=app.state.runtime.db, app=app, token=first.token)


@pytest.fixture
def two_servers(postgres_database: str) -> Iterator[tuple[Server, Server]]:
    empty_postgres(postgres_database)
    a = _first_server(postgres_database)
    b = _second_server(postgres_database, a)
    with serving(a.app) as url_a, serving(b.app) as url_b:
        feed = b.app.state.change_feed
        assert isinstance(feed, PostgresFeed)
        assert feed.wait_listening(5)
        a.url, b.url = url_a, url_b
        yield a, b
    a.db.dispose()
    b.db.dispose()


@pytest.fixture
def one_sqlite_server(tmp_path: Path, sqlite_template: Path) -> Iterator[Server]:
    server = _first_server(sqlite_copy(sqlite_template, tmp_path))
    with serving(server.app) as url:
        server.url = url
        yield server
    server.db.dispose()


def test_a_note_added_through_one_server_streams_from_another_within_a_second(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    number = declare(a)
    with b.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        take(feed, 1)  # the declaration
        started = time.monotonic()
        entry_id = add_entry(a, number, "Failed over to the standby")
        arrived = take(feed, 1)[0]
        assert time.monotonic() - started < WITHIN
        assert arrived.id == str(entry_id)


def test_a_change_of_the_incident_through_one_server_streams_from_another(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    number = declare(a)
    with b.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        take(feed, 1)
        started = time.monotonic()
        with a.api() as api:
            resolved = api.post(f"/api/v1/incidents/{number}/resolve", json={"note": "Done"})
        changed = take(feed, 1, name="incident")[0]
        assert time.monotonic() - started < WITHIN
        assert changed.data == [str(resolved.json()["version"])]


def test_a_public_incident_published_through_one_server_is_in_the_others_summary(
    two_servers: tuple[Server, Server],
) -> None:
    a, b = two_servers
    body = {"name": "Checkout is slow", "body": "Looking into it.", "publish": True}
    with a.api() as api, b.api() as public:
        assert api.post("/api/v1/statuspage/incidents", json=body).status_code == 201
        started = time.monotonic()  # committed
        names: list[str] = []
        while "Checkout is slow" not in names and time.monotonic() - started < 3:
            summary = public.get("/api/v2/summary.json").json()
            names = [incident["name"] for incident in summary["incidents"]]
            time.sleep(0.02)
    assert "Checkout is slow" in names
    assert time.monotonic() - started < WITHIN


def test_sqlite_a_note_reaches_a_stream_on_the_same_server_at_once(
    one_sqlite_server: Server,
) -> None:
    server = one_sqlite_server
    number = declare(server)
    with (
        server.browser() as alice,
        alice.stream("GET", f"/incidents/{number}/live") as response,
    ):
        feed = events(response)
        take(feed, 1)
        started = time.monotonic()
        entry_id = add_entry(server, number, "Restarted the workers")
        arrived = take(feed, 1)[0]
        assert time.monotonic() - started < WITHIN
        assert arrived.id == str(entry_id)
