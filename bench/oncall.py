"""Benchmark: who is on call for 200 schedules x 3 layers x 50 people, and a year of shifts.

Goals (issue 6): computing who is on call for 200 schedules of 3 layers of 50 people at an
arbitrary instant with a p99 under 5 ms; rendering a year of shifts for one schedule in under
50 ms. Measured in one process, each figure over many random instants (2026-2030):

- pure: `rotation.on_call_at` for the 600 layers, overrides included (no database);
- directory: `directory.on_call(session, schedules, at)`, the call the paging engine makes,
  with the schedules already loaded: the pure computation plus one query for overrides;
- directory, from cold: a new read transaction, load the 200 active schedules, then `on_call`;
- API shape: `schedules.on_call_now` (what `GET /api/v1/oncall` runs, with each shift's start
  and end) in a new read transaction;
- baseline: a new read transaction and `SELECT 1`, the floor of any database round trip;
- a year of shifts: `schedules.render_shifts` for one schedule over 366 days, for the
  heaviest schedule (8-hour, 12-hour and daily layers: about 2,200 shifts) with overrides.

Schedules mix weekly, daily, 12-hour and 3-day rotations in eight time zones; each has two
overrides around the measured years. The database is a fresh SQLite file (or a throwaway
PostgreSQL database with --database postgresql), migrated with `firehouse.migrate.upgrade`.

    python bench/oncall.py
    python bench/oncall.py --database postgresql --samples 5000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from common import DEFAULT_POSTGRES_SERVER, throwaway_database
from firehouse.catalog.model import Person
from firehouse.db import Database
from firehouse.migrate import upgrade
from firehouse.oncall import schedules
from firehouse.oncall.directory import active_schedules, on_call, overrides_between, rotations
from firehouse.oncall.model import Schedule, ScheduleOverride
from firehouse.oncall.rotation import on_call_at
from report import machine, markdown_table

SCHEDULES, LAYERS, PEOPLE_PER_LAYER, PEOPLE = 200, 3, 50, 600
GOAL_ON_CALL_P99_MS = 5.0
GOAL_YEAR_MS = 50.0
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
LENGTHS = ("weekly", "weekly", "daily", "12h", "3d")
HEAVY_LAYERS = ("8h", "12h", "daily")
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC)


def layers(rng: random.Random, index: int) -> list[dict[str, Any]]:
    names = ("primary", "secondary", "manager")
    return [
        {
            "name": names[n],
            "people": rng.sample([f"p{i:04d}" for i in range(PEOPLE)], PEOPLE_PER_LAYER),
            "rotation": HEAVY_LAYERS[n] if index == 0 else rng.choice(LENGTHS),
            "handoff": f"{rng.randrange(24):02d}:{rng.choice((0, 30)):02d}",
            "handoff_day": rng.choice(("mon", "tue", "fri")),
            "timezone": rng.choice(ZONES),
            "start": "2025-12-01",
        }
        for n in range(LAYERS)
    ]


def load(db: Database, rng: random.Random) -> None:
    now = datetime.now(UTC)
    with db.write() as session:
        session.add_all(Person(id=f"p{i:04d}", name=f"Person {i}") for i in range(PEOPLE))
        for index in range(SCHEDULES):
            found = layers(rng, index)
            session.add(Schedule(id=f"s{index:03d}", name=f"Schedule {index}", layers=found))
            session.flush()
            for _ in range(2):
                start = instant(rng)
                session.add(
                    ScheduleOverride(
                        schedule_id=f"s{index:03d}",
                        layer=found[rng.randrange(LAYERS)]["name"],
                        person_id=f"p{rng.randrange(PEOPLE):04d}",
                        starts_at=start,
                        ends_at=start + timedelta(hours=rng.randrange(1, 200)),
                        reason="bench",
                        author="bench",
                        created_at=now,
                    )
                )


def instant(rng: random.Random) -> datetime:
    return FIRST + (LAST - FIRST) * rng.random()


def timed(samples: int, rng: random.Random, work: Callable[[datetime], object]) -> list[float]:
    """Milliseconds per call, each at a fresh random instant; a tenth more first as warm-up."""
    found = []
    for sample in range(samples + samples // 10):
        at = instant(rng)
        started = time.perf_counter()
        work(at)
        elapsed = (time.perf_counter() - started) * 1000
        if sample >= samples // 10:
            found.append(elapsed)
    return found


def figures(name: str, values: list[float], goal: float | None) -> list[str]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    verdict = "-" if goal is None else ("met" if p99 < goal else "MISSED")
    return [
        name,
        str(len(values)),
        f"{statistics.median(ordered):.3f}",
        f"{p99:.3f}",
        f"{ordered[-1]:.3f}",
        f"{goal:g}" if goal else "-",
        verdict,
    ]


def measure(db: Database, samples: int, rng: random.Random) -> list[list[str]]:
    rows = []
    with db.read() as session:
        loaded = active_schedules(session)
        if len(loaded) != SCHEDULES:
            raise SystemExit(f"error: {len(loaded)} schedules loaded, not {SCHEDULES}")
        compiled = [(s.id, rotations(s)) for s in loaded]
        everything = overrides_between(session, [s.id for s in loaded], FIRST, LAST)

        def pure(at: datetime) -> None:
            for schedule_id, layered in compiled:
                laid_over = everything.get(schedule_id, [])
                for rotation in layered:
                    on_call_at(rotation, at, laid_over)

        rows.append(figures("pure: 600 layers at an instant", timed(samples, rng, pure), 5.0))
        rows.append(
            figures(
                "directory.on_call (schedules loaded)",
                timed(samples, rng, lambda at: on_call(session, loaded, at)),
                GOAL_ON_CALL_P99_MS,
            )
        )

    def cold(at: datetime) -> None:
        with db.read() as session:
            on_call(session, active_schedules(session), at)

    def api_shape(at: datetime) -> None:
        with db.read() as session:
            schedules.on_call_now(session, at)

    def baseline(_at: datetime) -> None:
        with db.read() as session:
            session.execute(text("SELECT 1"))

    fewer = max(samples // 4, 50)
    rows.append(
        figures("directory.on_call from cold (load + compute)", timed(fewer, rng, cold), None)
    )
    rows.append(
        figures("schedules.on_call_now (GET /api/v1/oncall)", timed(fewer, rng, api_shape), None)
    )
    rows.append(
        figures("baseline: read transaction + SELECT 1", timed(samples, rng, baseline), None)
    )
    rows.append(year_of_shifts(db, rng))
    return rows


def year_of_shifts(db: Database, rng: random.Random) -> list[str]:
    with db.read() as session:
        heavy = schedules.get_schedule(session, "s000")
        count = len(schedules.render_shifts(session, heavy, FIRST, FIRST + timedelta(days=366)))

        def year(at: datetime) -> None:
            start = at.replace(hour=0, minute=0, second=0, microsecond=0)
            schedules.render_shifts(session, heavy, start, start + timedelta(days=366))

        values = timed(50, rng, year)
    return figures(f"a year of shifts, one schedule ({count} shifts)", values, GOAL_YEAR_MS)


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options.add_argument("--samples", type=int, default=2000, help="instants per figure")
    options.add_argument("--seed", type=int, default=6)
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    return options


def main() -> None:
    args = parser().parse_args()
    if not 100 <= args.samples <= 100_000:
        raise SystemExit("error: --samples must be 100-100000")
    postgres = args.postgres_server if args.database == "postgresql" else None
    facts = machine(postgres)
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()
    rng = random.Random(args.seed)
    with throwaway_database(args.database, args.postgres_server) as url:
        upgrade(url)
        db = Database(url)
        try:
            started = time.perf_counter()
            load(db, rng)
            print(
                f"loaded {SCHEDULES} schedules in {time.perf_counter() - started:.1f} s "
                f"({args.database})\n"
            )
            rows = measure(db, args.samples, rng)
        finally:
            db.dispose()
    header = ["what (per call)", "calls", "median ms", "p99 ms", "max ms", "goal p99 ms", ""]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
