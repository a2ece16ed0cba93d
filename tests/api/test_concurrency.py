"""Concurrent requests against a real server: numbers stay consecutive, If-Match lets exactly
one of two conflicting changes apply, and notes without If-Match are never lost."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from firehouse.clock import SystemClock
from tests.api.client import mint_role_tokens, seeded_app
from tests.live import serving

T = TypeVar("T")
THREADS = 8


@dataclass
class LiveServer:
    url: str
    token: str

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def at_once(self, jobs: list[Callable[[httpx.Client], T]]) -> list[T]:
        """Runs the jobs from THREADS threads, each with its own connection, released together."""
        start = threading.Barrier(min(THREADS, len(jobs)))
        local = threading.local()

        def run(job: Callable[[httpx.Client], T]) -> T:
            if not hasattr(local, "client"):
                local.client = self.client()
                start.wait(timeout=30)
            result: T = job(local.client)
            return result

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            return list(pool.map(run, jobs))


@pytest.fixture
def live(database_url: str) -> Iterator[LiveServer]:
    clock = SystemClock()
    app, db = seeded_app(database_url, clock)
    tokens = mint_role_tokens(db, clock)
    with serving(app) as url:
        yield LiveServer(url=url, token=tokens["responder"])
    db.dispose()


def declare(client: httpx.Client) -> int:
    body = {"service": "website", "message": "Checkout fails", "priority": "P2"}
    response = client.post("/api/v1/incidents", json=body)
    assert response.status_code == 201, response.text
    number: int = response.json()["number"]
    return number


def test_concurrent_declares_get_consecutive_unique_numbers(live: LiveServer) -> None:
    numbers = live.at_once([declare] * 40)
    assert sorted(numbers) == list(range(1, 41))


def test_of_two_concurrent_patches_with_one_if_match_exactly_one_applies(
    live: LiveServer,
) -> None:
    with live.client() as client:
        etag = client.get(f"/api/v1/incidents/{declare(client)}").headers["ETag"]

    def set_priority(priority: str) -> Callable[[httpx.Client], httpx.Response]:
        return lambda client: client.patch(
            "/api/v1/incidents/1", json={"priority": priority}, headers={"If-Match": etag}
        )

    responses = live.at_once([set_priority("P1"), set_priority("P4")])
    assert sorted(r.status_code for r in responses) == [200, 409]
    [applied] = [r.json() for r in responses if r.status_code == 200]
    with live.client() as client:
        timeline: list[dict[str, Any]] = client.get("/api/v1/incidents/1/timeline").json()
        final = client.get("/api/v1/incidents/1").json()
    changes = [e["data"] for e in timeline if e["kind"] == "priority_changed"]
    assert changes == [{"from": "P2", "to": applied["priority"]}]
    assert final["priority"] == applied["priority"]


def test_concurrent_notes_without_if_match_all_land(live: LiveServer) -> None:
    with live.client() as client:
        declare(client)

    def note(text: str) -> Callable[[httpx.Client], int]:
        return lambda client: (
            client.post("/api/v1/incidents/1/timeline", json={"text": text}).status_code
        )

    statuses = live.at_once([note(f"note {i}") for i in range(24)])
    assert statuses == [201] * 24
    with live.client() as client:
        timeline = client.get("/api/v1/incidents/1/timeline").json()
    assert sorted(e["text"] for e in timeline if e["kind"] == "note") == sorted(
        f"note {i}" for i in range(24)
    )
