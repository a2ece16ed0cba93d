"""`firehouse serve` and `firehouse worker` as real processes, started the way a user would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from firehouse.auth.service import create_token
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.outbox.model import OutboxDelivery, Subscription
from tests.cli.support import firehouse, free_port
from tests.factories import declare, seed_catalog

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 30.0


@contextmanager
def running(*args: str, database_url: str) -> Iterator[subprocess.Popen[str]]:
    """`python -m firehouse.cli.main ARGS…`, stopped (SIGTERM, then SIGKILL) at the end."""
    env = {**os.environ, "FIREHOUSE_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "firehouse.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def wait_for_health(process: subprocess.Popen[str], url: str) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.communicate()[1]}")
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on {url}")


def test_serve_prints_its_url_and_answers_healthz(database_url: str) -> None:
    port = free_port()
    with running("serve", "--port", str(port), database_url=database_url) as process:
        response = wait_for_health(process, f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert process.stdout is not None
        assert process.stdout.readline() == f"firehouse is serving on http://127.0.0.1:{port}\n"


def test_serve_warns_when_migrations_are_pending(tmp_path: Path) -> None:
    port = free_port()
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with running("serve", "--port", str(port), database_url=empty) as process:
        wait_for_health(process, f"http://127.0.0.1:{port}/healthz")
        assert process.stderr is not None
        warning = process.stderr.readline()
    assert warning.startswith("warning: database migrations pending")
    assert "firehouse db upgrade" in warning


def test_serve_on_a_port_in_use_is_a_one_line_error(database_url: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = firehouse("serve", "--port", str(port))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert result.stderr.count("\n") == 1


def test_worker_stops_cleanly_on_sigterm(database_url: str) -> None:
    with running("worker", database_url=database_url) as process:
        assert process.stdout is not None
        started = process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        out, _err = process.communicate(timeout=15)
    assert started.startswith("firehouse worker ")
    assert process.returncode == 0
    assert out == "firehouse worker stopped\n"


def test_worker_delivers_pending_events(seeded_db: Database, database_url: str) -> None:
    with seeded_db.write() as session:
        session.add(Subscription(name="log:events", kind="log", event_types=[], settings={}))
    declare(seeded_db, SystemClock().now())
    with running("worker", database_url=database_url):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and delivery_state(seeded_db) != "delivered":
            time.sleep(0.1)
    assert delivery_state(seeded_db) == "delivered"


def delivery_state(db: Database) -> str:
    with db.read() as session:
        return session.scalars(select(OutboxDelivery.state)).one()


def test_serve_with_two_workers_shares_one_port_and_numbers_stay_unique(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    db = Database(database_url)
    with db.write() as session:
        seed_catalog(session)
        _row, secret = create_token(session, name="ci", role="responder", now=SystemClock().now())
    db.dispose()
    with running("serve", "--port", str(port), "--workers", "2", database_url=database_url) as p:
        wait_for_health(p, f"http://127.0.0.1:{port}/healthz")
        numbers = declare_in_parallel(f"http://127.0.0.1:{port}", secret, count=24)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=20)
    assert sorted(numbers) == list(range(1, 25))
    assert p.returncode == 0


def declare_in_parallel(base_url: str, secret: str, *, count: int) -> list[int]:
    body = {"service": "website", "message": "Checkout fails", "priority": "P3"}
    headers = {"Authorization": f"Bearer {secret}"}

    def one(_index: int) -> int:
        # A new connection each time, so the kernel spreads them over both processes.
        response = httpx.post(f"{base_url}/api/v1/incidents", json=body, headers=headers)
        assert response.status_code == 201, response.text
        number: int = response.json()["number"]
        return number

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(one, range(count)))
