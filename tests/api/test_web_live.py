"""The incident page's live timeline: server-sent events from a real server, resumable with
Last-Event-ID, hidden like the page for a private incident, and always ending by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from firehouse.auth.users import create_user
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.incidents.visibility import EVERYTHING
from firehouse.web import live
from tests.api.client import mint_role_tokens, seeded_app
from tests.api.web_support import PASSWORD
from tests.live import serving
from tests.loops import in_own_loop


@dataclass
class Server:
    url: str
    db: Database
    app: Any
    token: str

    def api(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=5)

    @contextmanager
    def browser(self, username: str = "alice") -> Iterator[httpx.Client]:
        """A signed-in client with its own cookie jar."""
        with httpx.Client(base_url=self.url, timeout=5) as client:
            form = {"username": username, "password": PASSWORD}
            assert client.post("/sign-in", data=form).status_code in {200, 303}
            yield client


@dataclass
class Event:
    name: str = "message"
    id: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "LIFETIME_SECONDS", 1.0)


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    clock = SystemClock()
    app, db = seeded_app(database_url, clock)
    tokens = mint_role_tokens(db, clock)
    with db.write() as session:
        for name in ("alice", "bob"):
            create_user(
                session,
                username=name,
                name=name.title(),
                role="responder",
                password=PASSWORD,
                person=name,
                now=clock.now(),
            )
    with serving(app) as url:
        yield Server(url=url, db=db, app=app, token=tokens["responder"])
    db.dispose()


def declare(server: Server, **extra: Any) -> int:
    with server.api() as api:
        body = {"service": "website", "message": "Checkout fails", "priority": "P2", **extra}
        response = api.post("/api/v1/incidents", json=body)
        assert response.status_code == 201, response.text
        number: int = response.json()["number"]
        return number


def add_entry(server: Server, number: int, text: str) -> int:
    with server.api() as api:
        response = api.post(f"/api/v1/incidents/{number}/timeline", json={"text": text})
        assert response.status_code == 201, response.text
        entry_id: int = response.json()["id"]
        return entry_id


def events(response: httpx.Response) -> Iterator[Event]:
    """Parses the stream as a browser's EventSource does (comments kept, for the test)."""
    current = Event()
    for line in response.iter_lines():
        if line == "":
            if current.data or current.comments or current.id:
                yield current
            current = Event()
        elif line.startswith(":"):
            current.comments.append(line[1:].strip())
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                current.name = value
            elif name == "id":
                current.id = value
            elif name == "data":
                current.data.append(value)


def take(feed: Iterator[Event], wanted: int, name: str = "entry") -> list[Event]:
    found = []
    for event in feed:
        if event.name == name:
            found.append(event)
            if len(found) == wanted:
                break
    return found


def test_entries_stream_as_rendered_list_items_with_their_ids(server: Server) -> None:
    number = declare(server)
    with server.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        first = take(feed, 1)[0]
        assert first.id is not None
        assert "".join(first.data).startswith(f'<li id="entry-{first.id}">')


def test_a_new_entry_arrives_on_an_open_stream(server: Server) -> None:
    number = declare(server)
    with server.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        take(feed, 1)
        entry_id = add_entry(server, number, "Rolled <back>")
        news = take(feed, 1)[0]
        assert news.id == str(entry_id)
        assert "Rolled &lt;back&gt;" in "".join(news.data)


def test_a_change_of_the_incident_sends_its_new_version(server: Server) -> None:
    number = declare(server)
    path = f"/incidents/{number}/live"
    with server.browser() as alice, alice.stream("GET", path) as response:
        feed = events(response)
        take(feed, 1)
        with server.api() as api:
            changed = api.post(f"/api/v1/incidents/{number}/resolve", json={"note": "Done"})
        incident = take(feed, 1, name="incident")[0]
        assert incident.data == [str(changed.json()["version"])]


def test_a_reconnect_resumes_after_last_event_id(server: Server) -> None:
    number = declare(server)
    ids = [add_entry(server, number, f"step {n}") for n in range(3)]
    headers = {"Last-Event-ID": str(ids[1])}
    path = f"/incidents/{number}/live?after=0"
    with server.browser() as alice, alice.stream("GET", path, headers=headers) as response:
        feed = events(response)
        assert take(feed, 1)[0].id == str(ids[2])


def test_after_skips_what_the_page_already_shows(server: Server) -> None:
    number = declare(server)
    first = add_entry(server, number, "one")
    second = add_entry(server, number, "two")
    with (
        server.browser() as alice,
        alice.stream("GET", f"/incidents/{number}/live?after={first}") as response,
    ):
        assert take(events(response), 1)[0].id == str(second)


def test_a_private_incident_is_missing_for_a_non_participant(server: Server) -> None:
    number = declare(server, private=True, reporter="alice")
    with server.browser("bob") as bob:
        assert bob.get(f"/incidents/{number}/live").status_code == 404
    with server.browser("alice") as alice, alice.stream("GET", f"/incidents/{number}/live") as ok:
        assert ok.status_code == 200


def test_the_stream_ends_after_its_lifetime(server: Server) -> None:
    number = declare(server)
    started = time.monotonic()
    with server.browser() as alice:
        response = alice.get(f"/incidents/{number}/live")
    assert response.status_code == 200
    assert 0.9 < time.monotonic() - started < 3
    assert "event: entry" in response.text


def test_quiet_streams_send_keep_alive_comments(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "KEEPALIVE_SECONDS", 0.1)
    number = declare(server)
    with server.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        kept = next(e for e in feed if e.comments)
        assert kept.comments == ["keep-alive"]


def test_the_stream_ends_promptly_when_the_server_stops(server: Server) -> None:
    number = declare(server)
    with server.browser() as alice, alice.stream("GET", f"/incidents/{number}/live") as response:
        feed = events(response)
        take(feed, 1)
        started = time.monotonic()
        server.app.state.web_live_stopping = True
        list(feed)
        assert time.monotonic() - started < 0.5


class FakeRequest:
    """Just what the generator asks of a request: the app's state and whether the client left."""

    def __init__(self, *, gone_after: int) -> None:
        self.app = SimpleNamespace(state=SimpleNamespace())
        self.checks = 0
        self.gone_after = gone_after

    async def is_disconnected(self) -> bool:
        self.checks += 1
        return self.checks > self.gone_after


async def drain(request: FakeRequest) -> list[str]:
    watched = live.Watched(incident_id=1, version=1)
    stream = live.stream(request, None, watched, 0, EVERYTHING)  # type: ignore[arg-type]  # fakes
    return [chunk async for chunk in stream]


def test_the_stream_ends_when_the_client_disconnects(monkeypatch: pytest.MonkeyPatch) -> None:
    # A quiet incident: nothing new at each poll, so only the client's leaving ends the stream.
    monkeypatch.setattr(
        live, "poll", lambda _db, _id, _after, _sight: live.News(entries=[], version=1)
    )
    request = FakeRequest(gone_after=2)
    chunks = in_own_loop(asyncio.wait_for(drain(request), timeout=1))
    assert request.checks == 3
    assert chunks == [f"retry: {live.RETRY_MILLISECONDS}\n\n"]
