"""A realistic engineering schedule for on-call tests: primary and secondary layers, a weekly
handoff on Monday at 09:00 London time, four people from the seeded catalogue."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from firehouse.db import Database
from firehouse.oncall.model import Schedule

# FakeClock's default now (2026-01-01 12:00 UTC) falls in the first week: alice and carol.
FIRST_MONDAY = datetime(2025, 12, 29, 9, tzinfo=UTC)


def engineering_layers(**changes: Any) -> list[dict[str, Any]]:
    common = {"rotation": "weekly", "handoff": "09:00", "handoff_day": "mon", "start": "2025-12-29"}
    return [
        {"name": "primary", "people": ["alice", "bob", "carol", "dan"], **common, **changes},
        {"name": "secondary", "people": ["carol", "dan", "alice", "bob"], **common, **changes},
    ]


def add_schedule(
    db: Database,
    schedule_id: str = "engineering",
    name: str = "Engineering on-call",
    *,
    layers: list[dict[str, Any]] | None = None,
    timezone: str = "Europe/London",
    active: bool = True,
) -> None:
    with db.write() as session:
        session.add(
            Schedule(
                id=schedule_id,
                name=name,
                team_id="platform",
                timezone=timezone,
                layers=layers if layers is not None else engineering_layers(),
                active=active,
            )
        )
