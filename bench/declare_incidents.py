"""Benchmark: declaring incidents through the API (`POST /api/v1/incidents`).

Goal: median under 15 ms and p99 under 50 ms on SQLite at concurrency 8. The same server's
bare `GET /healthz` at the same concurrency is measured first, as the ceiling of the stack.

    python bench/declare_incidents.py                 # SQLite, concurrency 8, ~40 s
    python bench/declare_incidents.py --databases sqlite postgresql
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import (
    DEFAULT_POSTGRES_SERVER,
    SERVICES,
    prepare,
    running_server,
    throwaway_database,
)
from load import Goal, LoadPlan, Request, Summary, results_table, run_load, summarise
from report import machine, markdown_table

GOALS = {"sqlite": Goal(median_ms=15, p99_ms=50), "postgresql": Goal()}
GOAL_CONCURRENCY = 8
PRIORITIES = ("P2", "P3", "P3", "P4")


def declaration(worker: int, sequence: int) -> Request:
    body = {
        "service": SERVICES[(worker + sequence) % len(SERVICES)],
        "message": f"Checkout errors seen by worker {worker} (#{sequence})",
        "description": "Declared by the benchmark.",
        "priority": PRIORITIES[sequence % len(PRIORITIES)],
        "source_url": f"https://chat.example.com/archives/C1/p{worker}{sequence}",
        "tags": ["bench"],
    }
    return "POST", "/api/v1/incidents", body


def health(_worker: int, _sequence: int) -> Request:
    return "GET", "/healthz", None


def run(
    databases: list[str], plans: list[LoadPlan], postgres_server: str, workers: list[int]
) -> list[tuple[Summary, Goal]]:
    results: list[tuple[Summary, Goal]] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-logs-") as logs:
        for kind in databases:
            for processes in workers:
                with throwaway_database(kind, postgres_server) as url:
                    token = prepare(url)
                    with running_server(url, Path(logs), processes) as base_url:
                        for plan in plans:
                            results += _scenario(base_url, token, kind, processes, plan)
    return results


def _scenario(
    base_url: str, token: str, kind: str, processes: int, plan: LoadPlan
) -> list[tuple[Summary, Goal]]:
    baseline = run_load(base_url, token, health, 200, plan)
    declared = run_load(base_url, token, declaration, 201, plan)
    served_by = f"{processes} process" + ("es" if processes > 1 else "")
    goal = GOALS[kind] if plan.concurrency == GOAL_CONCURRENCY else Goal()
    return [
        (summarise(f"GET /healthz, {served_by}", kind, plan.concurrency, baseline), Goal()),
        (summarise(f"declare incident, {served_by}", kind, plan.concurrency, declared), goal),
    ]


def parser(description: str | None = __doc__) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite"],
        help="which databases to run on (default: sqlite, where the goal is set)",
    )
    add_load_options(options, default_concurrency=[GOAL_CONCURRENCY])
    options.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="server processes (`firehouse serve --workers N`); each value is its own run",
    )
    return options


def add_load_options(options: argparse.ArgumentParser, default_concurrency: list[int]) -> None:
    shown = " ".join(map(str, default_concurrency))
    options.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=default_concurrency,
        help=f"concurrent workers; several values run one after another (default {shown})",
    )
    options.add_argument("--warmup", type=float, default=3.0, help="seconds discarded first")
    options.add_argument("--duration", type=float, default=12.0, help="seconds measured")
    options.add_argument(
        "--max-requests", type=int, default=100_000, help="stop early after this many"
    )
    options.add_argument(
        "--postgres-server",
        default=DEFAULT_POSTGRES_SERVER,
        help="server on which a throwaway firehouse_bench_* database is created and dropped",
    )


def plans_from(args: argparse.Namespace) -> list[LoadPlan]:
    if min(args.concurrency) < 1 or args.duration <= 0 or args.warmup < 0:
        raise SystemExit("error: --concurrency and --duration must be positive")
    if args.max_requests < 1 or max(args.concurrency) > 64 or args.duration > 600:
        raise SystemExit("error: --max-requests >= 1, --concurrency <= 64, --duration <= 600")
    return [
        LoadPlan(
            concurrency=workers,
            warmup=args.warmup,
            duration=args.duration,
            max_requests=args.max_requests,
        )
        for workers in args.concurrency
    ]


def print_machine(postgres_server: str | None) -> None:
    facts = machine(postgres_server)
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()


def main() -> None:
    args = parser().parse_args()
    plans = plans_from(args)
    if min(args.workers) < 1 or max(args.workers) > 16:
        raise SystemExit("error: --workers must be 1-16")
    uses_postgres = "postgresql" in args.databases
    print_machine(args.postgres_server if uses_postgres else None)
    print(results_table(run(args.databases, plans, args.postgres_server, args.workers)))


if __name__ == "__main__":
    main()
