"""What every benchmark shares: a throwaway database, seed data, and the server as a process.

The server runs as its own process (uvicorn with `create_app`, as `firehouse serve` runs it),
so the load generator never shares an interpreter, a GIL or an event loop with it.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from firehouse.auth.service import create_token
from firehouse.catalog.model import Person, Service, Team
from firehouse.db import Database
from firehouse.incidents.model import (
    Incident,
    IncidentCounter,
    IncidentLink,
    RoleAssignment,
    TimelineEntry,
)
from firehouse.migrate import upgrade

DEFAULT_POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("website", "cms", "mobile", "auctions", "payments")
PEOPLE = ("alice", "bob", "carol", "dan", "erin", "frank")
PRIORITY_MIX = {"P1": 3, "P2": 12, "P3": 35, "P4": 35, "P5": 15}
BATCH = 5000


# --- databases ---------------------------------------------------------------------------


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set for the servers started inside (running_server passes os.environ on), then put back."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def throwaway_database(kind: str, postgres_server: str) -> Iterator[str]:
    """A new, empty database URL for one benchmark, removed afterwards whatever happens."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="firehouse-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'firehouse.db'}"
        return
    server = make_url(postgres_server)
    name = f"firehouse_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> str:
    """Migrate, load a small organisation, and return a responder token for the load."""
    upgrade(url)
    db = Database(url)
    now = datetime.now(UTC)
    try:
        with db.write() as session:
            session.add(Team(id="platform", name="Platform", members=list(PEOPLE)))
            session.add_all(Person(id=p, name=p.title(), email=f"{p}@example.com") for p in PEOPLE)
            session.flush()
            session.add_all(
                Service(id=s, name=s.title(), team_id="platform", point_people=["alice"])
                for s in SERVICES
            )
            session.flush()
            _, secret = create_token(session, name="bench", role="responder", now=now)
    finally:
        db.dispose()
    return secret


# --- seeding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedMix:
    """A realistic history: most incidents long resolved or closed, a few still open."""

    incidents: int = 100_000
    open_share: float = 0.02
    closed_share: float = 0.15
    seed: int = 42


def seed_incidents(url: str, mix: SeedMix) -> float:
    """Bulk-insert `mix.incidents` incidents with roles, links and timeline entries.

    Core `executemany` inserts in batches, not the API: seeding is set-up, not what we measure.
    Returns the seconds it took.
    """
    started = time.perf_counter()
    rng = random.Random(mix.seed)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for first in range(1, mix.incidents + 1, BATCH):
                last = min(first + BATCH, mix.incidents + 1)
                _insert_batch(connection, rng, range(first, last), mix)
            connection.execute(
                update(IncidentCounter)
                .where(IncidentCounter.name == "incidents")
                .values(value=mix.incidents)
            )
            if engine.dialect.name == "postgresql":
                # Explicit ids bypassed the sequence; move it on so the next declare fits.
                top = connection.scalar(select(func.max(Incident.id)))
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('incidents', 'id'), :top)"),
                    {"top": top},
                )
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _insert_batch(connection: Connection, rng: random.Random, numbers: range, mix: SeedMix) -> None:
    incidents: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for number in numbers:
        created = start + timedelta(minutes=number * 15 + rng.randint(0, 14))
        row = _incident_row(rng, number, created, mix)
        incidents.append(row)
        entries.append(_entry(number, "declared", f"Declared on {row['service_id']}", created))
        if row["status"] != "open":
            entries.append(_entry(number, row["status"], "Finished", row["updated_at"]))
        if rng.random() < 0.7:
            person = rng.choice(PEOPLE)
            roles.append(
                {
                    "incident_id": number,
                    "role": "commander",
                    "person_id": person,
                    "assigned_at": created,
                    "assigned_by": person,
                }
            )
        if rng.random() < 0.2:
            links.append(
                {
                    "incident_id": number,
                    "kind": "follow_up",
                    "url": f"https://tracker.example.com/OPS-{number}",
                    "title": "Follow-up",
                    "added_at": created,
                    "added_by": "alice",
                }
            )
    connection.execute(insert(Incident), incidents)
    connection.execute(insert(TimelineEntry), entries)
    for table, rows in ((RoleAssignment, roles), (IncidentLink, links)):
        if rows:
            connection.execute(insert(table), rows)


def _incident_row(
    rng: random.Random, number: int, created: datetime, mix: SeedMix
) -> dict[str, Any]:
    roll = rng.random()
    status = "open" if roll < mix.open_share else "closed"
    if roll >= mix.open_share + mix.closed_share:
        status = "resolved"
    finished = created + timedelta(minutes=rng.randint(5, 600))
    priority = rng.choices(list(PRIORITY_MIX), weights=list(PRIORITY_MIX.values()))[0]
    return {
        "id": number,
        "number": number,
        "message": f"Seeded incident {number}: errors on checkout",
        "description": "Seeded by the benchmark.",
        "service_id": rng.choice(SERVICES),
        "priority": priority,
        "status": status,
        "reporter": rng.choice(PEOPLE),
        "source_url": f"https://chat.example.com/archives/C1/p{number}",
        "tags": ["seeded"],
        "training": priority == "P5",
        "created_at": created,
        "updated_at": created if status == "open" else finished,
        "detected_at": created,
        "acknowledged_at": created + timedelta(minutes=2),
        "resolved_at": finished if status == "resolved" else None,
        "closed_at": finished if status == "closed" else None,
        "resolution_note": "Rolled back" if status == "resolved" else None,
        "close_reason": "Tracked as a bug" if status == "closed" else None,
        "version": 1 if status == "open" else 3,
    }


def _entry(number: int, kind: str, words: str, moment: datetime) -> dict[str, Any]:
    return {
        "incident_id": number,
        "kind": kind,
        "text": words,
        "actor": "alice",
        "occurred_at": moment,
        "recorded_at": moment,
        "data": {},
    }


# --- the server ----------------------------------------------------------------------------


def server_command(port: int, workers: int = 1) -> list[str]:
    """The uvicorn settings `firehouse serve --workers N` uses: uvloop and httptools."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "firehouse.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--workers",
        str(workers),
    ]


@contextmanager
def running_server(url: str, log_dir: Path, workers: int = 1) -> Iterator[str]:
    """Start the server on a free loopback port; yield its base URL; stop it by its pid."""
    port = _free_port()
    env = {**os.environ, "FIREHOUSE_DATABASE_URL": url, "FIREHOUSE_SECRET_KEY": "bench"}
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(port, workers), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer /healthz within 30 s:\n{log_path.read_text()}")
