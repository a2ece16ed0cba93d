"""What PostgreSQL's backends were doing during a run: working, or waiting for a row lock.

Sampled from pg_stat_activity ten times a second on a connection of its own. When most of a
database's active backends wait on `Lock`, the requests are queueing behind one another on a
row (the incident counter, say), and neither more CPU nor more server processes help.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text

SAMPLE = text(
    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
    "count(*) FILTER (WHERE state = 'active') "
    "FROM pg_stat_activity WHERE datname = :db AND backend_type = 'client backend'"
)


@dataclass
class Waits:
    samples: int = 0
    locked: int = 0  # summed over the samples
    active: int = 0

    def summary(self) -> str:
        """Average backends waiting on a lock, of those running a statement."""
        if not self.samples:
            return "—"
        return f"{self.locked / self.samples:.1f} of {self.active / self.samples:.1f}"


@contextmanager
def sampled(server_url: str, database: str, every: float = 0.1) -> Iterator[Waits]:
    """Fills the yielded Waits while the block runs."""
    waits = Waits()
    stop = threading.Event()
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")

    def sample() -> None:
        with engine.connect() as connection:
            while not stop.wait(every):
                locked, active = connection.execute(SAMPLE, {"db": database}).one()
                waits.samples += 1
                waits.locked += int(locked)
                waits.active += int(active)

    sampler = threading.Thread(target=sample, name="pg-waits", daemon=True)
    sampler.start()
    try:
        yield waits
    finally:
        stop.set()
        sampler.join(timeout=5)
        engine.dispose()
