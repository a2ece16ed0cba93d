"""Benchmark: does an alert burst slow the incident API and the public status page?

Goal (issue 5): an ingestion burst never slows the incident API or the public status page
below their own goals: listing open incidents p99 < 30 ms (issue 2), and the status page
served at no less than half nginx's rate for the same bytes (issue 4).

One server, one database with incidents seeded (2% open) and a status page. Each probe runs
twice for the same time: on a quiet server, then while wrk sends Alertmanager notifications
(10 alerts each, 95% repeats) at concurrency 32 — the load of bench/alerts.py. The probes:
- `GET /api/v1/incidents?status=open` from one responder (concurrency 1, closed loop);
- `GET /status` with wrk at concurrency 8.

    python bench/alerts_isolation.py                        # SQLite, ~1 minute
    python bench/alerts_isolation.py --databases sqlite postgresql --incidents 100000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from alerts import CONFIG, KEY_VARIABLE, formats, lua_script, wrk_script
from common import (
    DEFAULT_POSTGRES_SERVER,
    SeedMix,
    running_server,
    seed_incidents,
    throwaway_database,
)
from firehouse.auth.service import create_token
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import parse_config
from firehouse.db import Database
from firehouse.migrate import upgrade
from load import LoadPlan, Request, run_load, summarise
from report import machine, markdown_table
from wrk import WrkResult, missing_tools, run_wrk

T = TypeVar("T")
LIST_GOAL_P99_MS = 30.0
STATUS_CONNECTIONS = 8
BURST_CONNECTIONS = 32

# The alert benchmark's organisation, with the services the seeded incidents name and a
# status page to serve.
ISOLATION_CONFIG = (
    CONFIG.replace(
        "  - {id: payments, name: Payments, team: commerce}\n",
        "  - {id: payments, name: Payments, team: commerce}\n"
        "  - {id: cms, name: CMS, team: platform}\n"
        "  - {id: mobile, name: Mobile, team: platform}\n"
        "  - {id: auctions, name: Auctions, team: commerce}\n",
    )
    + """\
statuspage:
  name: Northlight Status
  components:
    - {id: website, name: Website}
    - {id: checkout, name: Checkout}
people:
  - {id: alice, name: Alice}
  - {id: bob, name: Bob}
  - {id: carol, name: Carol}
  - {id: dan, name: Dan}
  - {id: erin, name: Erin}
  - {id: frank, name: Frank}
"""
)


@dataclass(frozen=True)
class Probe:
    name: str
    quiet_p50: float
    quiet_p99: float
    quiet_rate: float
    burst_p50: float
    burst_p99: float
    burst_rate: float
    alerts_per_second: float
    verdict: str


def prepare(url: str) -> tuple[str, str]:
    """Migrate, apply the organisation; return (intake key, responder token)."""
    upgrade(url)
    config, problems = parse_config(ISOLATION_CONFIG)
    if config is None or problems:
        raise SystemExit(f"error: the benchmark's config is invalid: {problems}")
    db = Database(url)
    now = datetime.now(UTC)
    try:
        with db.write() as session:
            apply_config(session, config, source="bench", now=now)
            _row, token = create_token(session, name="bench", role="responder", now=now)
    finally:
        db.dispose()
    return uuid.uuid4().hex + uuid.uuid4().hex, token


def during_burst(
    base_url: str, key: str, work: Path, seconds: float, probe: Callable[[], T]
) -> tuple[T, WrkResult]:
    """Runs `probe` while wrk sends alerts; returns its result and the burst's."""
    fmt = formats(10)["alertmanager"]
    script = work / f"burst-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(lua_script(fmt, "alertmanager", key, run=uuid.uuid4().hex[:8]))
    burst: list[WrkResult] = []
    loader = threading.Thread(
        target=lambda: burst.append(
            wrk_script(
                base_url + fmt.path,
                script,
                connections=BURST_CONNECTIONS,
                duration=seconds + 2,
                threads=1,
            )
        )
    )
    loader.start()
    threading.Event().wait(1.0)  # let the burst reach its pace first
    result = probe()
    loader.join()
    return result, burst[0]


def measure(  # noqa: PLR0917 -- one run's facts
    url: str, database: str, work: Path, seconds: float, key: str, token: str
) -> list[Probe]:
    os.environ[KEY_VARIABLE] = key
    probes: list[Probe] = []
    with running_server(url, work) as base_url:

        def listing() -> tuple[float, float, float]:
            def open_incidents(_worker: int, _sequence: int) -> Request:
                return "GET", "/api/v1/incidents?status=open&limit=50", None

            plan = LoadPlan(concurrency=1, warmup=0.5, duration=seconds)
            s = summarise("list", database, 1, run_load(base_url, token, open_incidents, 200, plan))
            return s.median_ms, s.p99_ms, s.per_second

        def status() -> tuple[float, float, float]:
            r = run_wrk(
                f"{base_url}/status", duration=seconds, connections=STATUS_CONNECTIONS, threads=1
            )
            return r.p50_ms, r.p99_ms, r.per_second

        for name, probe, judge in (
            ("GET /api/v1/incidents?status=open (conc. 1)", listing, _list_verdict),
            (f"GET /status (wrk, conc. {STATUS_CONNECTIONS})", status, _status_verdict),
        ):
            quiet = probe()
            loaded, burst = during_burst(base_url, key, work, seconds, probe)
            probes.append(Probe(name, *quiet, *loaded, burst.per_second * 10, judge(quiet, loaded)))
    return probes


def _list_verdict(_quiet: tuple[float, float, float], loaded: tuple[float, float, float]) -> str:
    met = loaded[1] < LIST_GOAL_P99_MS
    return f"p99 < {LIST_GOAL_P99_MS:g} ms under burst: {'met' if met else 'MISSED'}"


def _status_verdict(quiet: tuple[float, float, float], loaded: tuple[float, float, float]) -> str:
    share = loaded[2] / quiet[2] if quiet[2] else 0.0
    return f"under burst: {share:.0%} of its quiet rate"


def table(rows: list[tuple[str, Probe]]) -> str:
    header = ["probe", "db", "quiet p50 ms", "quiet p99 ms", "quiet req/s"]
    header += ["burst p50 ms", "burst p99 ms", "burst req/s", "alerts/s meanwhile", "verdict"]
    body = [
        [
            p.name,
            database,
            f"{p.quiet_p50:.1f}",
            f"{p.quiet_p99:.1f}",
            f"{p.quiet_rate:.0f}",
            f"{p.burst_p50:.1f}",
            f"{p.burst_p99:.1f}",
            f"{p.burst_rate:.0f}",
            f"{p.alerts_per_second:.0f}",
            p.verdict,
        ]
        for database, p in rows
    ]
    return markdown_table(header, body)


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    options.add_argument("--incidents", type=int, default=20_000, help="seeded history")
    options.add_argument("--duration", type=float, default=8.0, help="seconds per probe")
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    args = options.parse_args()
    if missing_tools("wrk"):
        raise SystemExit("bench/alerts_isolation.py needs wrk: run `make bench-deps`")
    if not 1 <= args.incidents <= 1_000_000 or not 1 <= args.duration <= 300:
        raise SystemExit("error: --incidents must be 1-1,000,000 and --duration 1-300 s")
    postgres = args.postgres_server if "postgresql" in args.databases else None
    for name, value in machine(postgres).items():
        print(f"{name}: {value}")
    rows: list[tuple[str, Probe]] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-isolation-") as work:
        for database in args.databases:
            with throwaway_database(database, args.postgres_server) as url:
                key, token = prepare(url)
                seed_incidents(url, SeedMix(incidents=args.incidents))
                found = measure(url, database, Path(work), args.duration, key, token)
                rows += [(database, probe) for probe in found]
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
