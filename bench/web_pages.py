"""Benchmark: the web UI's incident page and incident list in a large history.

Goal (issue 7): server time p99 under 30 ms with 100,000 incidents stored and 1,000 timeline
entries on the page's incident, for one responder (concurrency 1). Each database is seeded
with the same history as bench/list_open_incidents.py; one open incident then gets 1,000
timeline entries. A signed-in session (the `firehouse_session` cookie) drives:

- `GET /incidents/N`: the incident page with its 1,000 entries;
- `GET /incidents`: the list's first page (50, newest first, no filter);
- `GET /incidents?status=open`: the list filtered to open incidents;
- `GET /incidents?q=…`: full-text search (reported, no goal in the issue);
- `GET /`: the dashboard, with its ~2,000 open incidents (reported, no goal in the issue).

The same server's bare `GET /healthz` is measured first, as the ceiling of the stack.

    python bench/web_pages.py                          # both databases, ~3 minutes
    python bench/web_pages.py --databases sqlite --incidents 20000
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, select

from common import SeedMix, prepare, running_server, seed_incidents, throwaway_database
from declare_incidents import add_load_options, health, plans_from, print_machine
from firehouse.auth.users import create_user
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from load import Goal, LoadPlan, MakeRequest, Request, Summary, results_table, run_load, summarise

GOAL = Goal(p99_ms=30)
GOAL_CONCURRENCY = 1
PASSWORD = "bench password 1234"  # noqa: S105 -- a throwaway account in a throwaway database
ENTRIES = 1_000


def run(
    databases: list[str], plans: list[LoadPlan], mix: SeedMix, postgres_server: str, query: str
) -> list[tuple[Summary, Goal]]:
    results: list[tuple[Summary, Goal]] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-logs-") as logs:
        for kind in databases:
            with throwaway_database(kind, postgres_server) as url:
                token = prepare(url)
                seconds = seed_incidents(url, mix)
                number = long_incident(url)
                add_user(url)
                print(
                    f"seeded {mix.incidents:,} incidents on {kind} in {seconds:.1f} s; "
                    f"incident {number} has {ENTRIES:,} timeline entries",
                    flush=True,
                )
                with running_server(url, Path(logs)) as base_url:
                    cookies = sign_in(base_url)
                    pages = {
                        f"GET /incidents/{{n}} ({ENTRIES:,} entries)": f"/incidents/{number}",
                        "GET /incidents (first page)": "/incidents",
                        "GET /incidents?status=open": "/incidents?status=open",
                        f"GET /incidents?q={query}": f"/incidents?q={query}",
                        "GET / (dashboard)": "/",
                    }
                    for plan in plans:
                        goal = GOAL if plan.concurrency == GOAL_CONCURRENCY else Goal()
                        baseline = run_load(base_url, token, health, 200, plan)
                        results.append(
                            (summarise("GET /healthz", kind, plan.concurrency, baseline), Goal())
                        )
                        for name, path in pages.items():
                            samples = run_load(
                                base_url, token, _get(path), 200, plan, cookies=cookies
                            )
                            own = (
                                goal
                                if name.startswith("GET /incidents") and "?q=" not in name
                                else Goal()
                            )
                            results.append((summarise(name, kind, plan.concurrency, samples), own))
    return results


def _get(path: str) -> MakeRequest:
    def make(_worker: int, _sequence: int) -> Request:
        return "GET", path, None

    return make


def long_incident(url: str) -> int:
    """The newest open incident, given ENTRIES timeline entries a minute apart."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            row = connection.execute(
                select(Incident.id, Incident.number, Incident.created_at)
                .where(Incident.status == "open")
                .order_by(Incident.number.desc())
                .limit(1)
            ).one()
            started = row.created_at.replace(tzinfo=UTC)
            connection.execute(
                insert(TimelineEntry),
                [
                    {
                        "incident_id": row.id,
                        "kind": "note",
                        "text": f"Step {index}: checked the error rate and the deploy log again",
                        "actor": "alice",
                        "occurred_at": started + timedelta(minutes=index),
                        "recorded_at": started + timedelta(minutes=index),
                        "data": {},
                    }
                    for index in range(ENTRIES)
                ],
            )
    finally:
        engine.dispose()
    return int(row.number)


def add_user(url: str) -> None:
    db = Database(url)
    try:
        with db.write() as session:
            create_user(
                session,
                username="bench",
                name="Bench Responder",
                role="responder",
                password=PASSWORD,
                person="alice",
                now=datetime.now(UTC),
            )
    finally:
        db.dispose()


def sign_in(base_url: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base_url}/sign-in", data={"username": "bench", "password": PASSWORD}, timeout=30
    )
    if answer.status_code != 303 or "firehouse_session" not in answer.cookies:
        raise SystemExit(f"error: could not sign in: HTTP {answer.status_code}")
    return {"firehouse_session": answer.cookies["firehouse_session"]}


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite", "postgresql"],
        help="which databases to run on (default: both)",
    )
    options.add_argument("--incidents", type=int, default=100_000, help="incidents stored")
    options.add_argument("--query", default="rollback", help="the search words measured")
    add_load_options(options, default_concurrency=[GOAL_CONCURRENCY])
    return options


def main() -> None:
    args = parser().parse_args()
    if args.incidents < 100:
        raise SystemExit("error: --incidents must be at least 100")
    plans = plans_from(args)
    uses_postgres = "postgresql" in args.databases
    print_machine(args.postgres_server if uses_postgres else None)
    mix = SeedMix(incidents=args.incidents)
    print(results_table(run(args.databases, plans, mix, args.postgres_server, args.query)))


if __name__ == "__main__":
    main()
