"""Benchmark: listing open incidents (`GET /api/v1/incidents?status=open`) in a large history.

Goal: p99 under 30 ms with 100,000 incidents stored, on SQLite and on PostgreSQL, for one
responder loading the list (concurrency 1; the issue names no concurrency). About 2%
of the seeded incidents are open (scattered through the history), the rest resolved or
closed; most have a commander and some a link, so the page loads its roles and links too.
The same server's bare `GET /healthz` at the same concurrency is measured first, as the
ceiling of the stack.

    python bench/list_open_incidents.py                      # both databases, ~2 minutes
    python bench/list_open_incidents.py --databases sqlite --incidents 20000
    python bench/list_open_incidents.py --concurrency 1 8    # also under load
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import SeedMix, prepare, running_server, seed_incidents, throwaway_database
from declare_incidents import add_load_options, health, plans_from, print_machine
from load import Goal, LoadPlan, Request, Summary, results_table, run_load, summarise

GOAL = Goal(p99_ms=30)
GOAL_CONCURRENCY = 1


def run(
    databases: list[str],
    plans: list[LoadPlan],
    mix: SeedMix,
    postgres_server: str,
    page_size: int,
) -> list[tuple[Summary, Goal]]:
    def open_incidents(_worker: int, _sequence: int) -> Request:
        return "GET", f"/api/v1/incidents?status=open&limit={page_size}", None

    name = f"list open (page {page_size}, {mix.incidents:,} stored)"
    results: list[tuple[Summary, Goal]] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-logs-") as logs:
        for kind in databases:
            with throwaway_database(kind, postgres_server) as url:
                token = prepare(url)
                seconds = seed_incidents(url, mix)
                print(f"seeded {mix.incidents} incidents on {kind} in {seconds:.1f} s", flush=True)
                with running_server(url, Path(logs)) as base_url:
                    for plan in plans:
                        baseline = run_load(base_url, token, health, 200, plan)
                        listed = run_load(base_url, token, open_incidents, 200, plan)
                        goal = GOAL if plan.concurrency == GOAL_CONCURRENCY else Goal()
                        results += [
                            (summarise("GET /healthz", kind, plan.concurrency, baseline), Goal()),
                            (summarise(name, kind, plan.concurrency, listed), goal),
                        ]
    return results


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
    options.add_argument("--open-share", type=float, default=0.02, help="share left open")
    options.add_argument("--page-size", type=int, default=50, help="the API's default, 50")
    add_load_options(options, default_concurrency=[GOAL_CONCURRENCY])
    return options


def mix_from(args: argparse.Namespace) -> SeedMix:
    if args.incidents < 1 or not 0 < args.open_share < 0.5 or not 1 <= args.page_size <= 200:
        raise SystemExit("error: --incidents >= 1, 0 < --open-share < 0.5, 1 <= --page-size <= 200")
    return SeedMix(incidents=args.incidents, open_share=args.open_share)


def main() -> None:
    args = parser().parse_args()
    plans, mix = plans_from(args), mix_from(args)
    uses_postgres = "postgresql" in args.databases
    print_machine(args.postgres_server if uses_postgres else None)
    print(results_table(run(args.databases, plans, mix, args.postgres_server, args.page_size)))


if __name__ == "__main__":
    main()
