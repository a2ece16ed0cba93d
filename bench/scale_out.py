"""Benchmark: scale-out on PostgreSQL, with 1, 2 and 3 server processes, and where the CPU goes.

For each number of processes (`firehouse serve --workers N`, outbox dispatcher off as in a
deployment with separate `firehouse worker` processes) a fresh PostgreSQL database is made
and these loads are run, one after another, with wrk:

- `GET /healthz`: the stack's ceiling (HTTP, uvicorn, FastAPI; no database), measured at
  each concurrency used below, just before the loads at that concurrency;
- declaring incidents (`POST /api/v1/incidents`, the body of bench/declare_incidents.py), at
  its concurrency of 8;
- alert intake at bench/alerts.py's concurrency of 32: Alertmanager notifications of 10
  alerts and generic JSON alerts (its bodies: 95% repeats of 300 open alerts).

The stored alerts must account for every alert answered 2xx, and the incidents for every
declare.

During each measured run the CPU time of the server processes, of PostgreSQL (the database's
backends and its background processes) and of the whole machine is read from /proc
(bench/cpu.py): the split shows which of them runs out first, and CPU milliseconds per
request say what a bigger machine would need. pg_stat_activity is sampled meanwhile
(bench/pg_waits.py): backends waiting on a row lock mean requests queue behind one another,
which no amount of CPU or processes removes.

    python bench/scale_out.py                            # 1, 2, 3 processes, ~4 minutes
    python bench/scale_out.py --processes 1 2 --scenarios healthz declare --duration 4
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import alerts
from common import DEFAULT_POSTGRES_SERVER, environment, running_server, throwaway_database
from cpu import CpuSplit, PidFinder, measured, postgres_processes, server_processes
from firehouse.auth.service import create_token
from firehouse.db import Database
from firehouse.incidents.model import Incident
from pg_waits import Waits, sampled
from report import machine, markdown_table
from wrk import WrkResult, missing_tools, run_wrk

SCENARIOS = ("healthz", "declare", "alertmanager", "generic")
SERVER, POSTGRES = "server", "postgresql"

DECLARE_LUA = r"""
-- Written by bench/scale_out.py: the body of bench/declare_incidents.py, built per request.
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {token}"}}
local services = {{"website", "payments"}}
local priorities = {{"P2", "P3", "P3", "P4"}}
local threads = {{}}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function request()
  counter = counter + 1
  local body = '{{"service":"' .. services[counter % 2 + 1] ..
    '","message":"Checkout errors seen by wrk thread ' .. tid .. ' (#' .. counter .. ')",' ..
    '"description":"Declared by the benchmark.","priority":"' .. priorities[counter % 4 + 1] ..
    '","source_url":"https://chat.example.com/archives/C1/p' .. tid .. counter ..
    '","tags":["bench"]}}'
  return wrk.format("POST", "/api/v1/incidents", headers, body)
end
"""


@dataclass(frozen=True)
class Plan:
    declare_concurrency: int = 8  # bench/declare_incidents.py's
    intake_concurrency: int = 32  # bench/alerts.py's
    duration: float = 10.0
    warmup: float = 3.0
    threads: int = 2
    group_size: int = 10


@dataclass(frozen=True)
class Target:
    """One running server, the database behind it, and what identifies its processes."""

    base_url: str
    database_url: str
    processes: int
    token: str
    key: str
    work: Path
    groups: dict[str, PidFinder]
    postgres_server: str
    database: str


@dataclass(frozen=True)
class Scenario:
    label: str
    path: str
    script: str | None  # wrk Lua; None for a plain GET
    per_request: int  # incidents or alerts each request carries; 0 for the ceiling
    stored: Callable[[str], int] | None  # what the database holds of them


@dataclass(frozen=True)
class Row:
    scenario: Scenario
    processes: int
    concurrency: int
    result: WrkResult
    cpu: CpuSplit
    waits: Waits
    check: str

    @property
    def items_per_second(self) -> float:
        return self.result.per_second * self.scenario.per_request


def incidents_stored(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as session:
            return int(session.scalar(select(func.count(Incident.id))) or 0)
    finally:
        db.dispose()


def alerts_stored(url: str) -> int:
    return alerts.stored(url)[1]  # the sum of counts: every delivery each alert absorbed


def scenario(name: str, target: Target, group_size: int) -> Scenario:
    if name == "healthz":
        return Scenario("GET /healthz", "/healthz", None, 0, None)
    if name == "declare":
        lua = DECLARE_LUA.format(token=target.token)
        return Scenario("declare incident", "/api/v1/incidents", lua, 1, incidents_stored)
    fmt = alerts.formats(group_size)[name]
    lua = alerts.lua_script(fmt, name, target.key, run=uuid.uuid4().hex[:8])
    return Scenario(fmt.name, fmt.path, lua, fmt.group_size, alerts_stored)


def loads(names: list[str], plan: Plan) -> list[tuple[str, int]]:
    """(scenario, concurrency) in run order: each load right after its own ceiling."""
    order: list[tuple[str, int]] = []
    for name in names:
        if name == "healthz":
            continue
        level = plan.declare_concurrency if name == "declare" else plan.intake_concurrency
        if "healthz" in names and ("healthz", level) not in order:
            order.append(("healthz", level))
        order.append((name, level))
    return order or [("healthz", plan.intake_concurrency)]


def _wrk(
    target: Target, scene: Scenario, connections: int, threads: int, seconds: float
) -> WrkResult:
    url = target.base_url + scene.path
    load = {"connections": connections, "duration": seconds, "threads": min(threads, connections)}
    if scene.script is None:
        return run_wrk(url, **load)
    script = target.work / f"{uuid.uuid4().hex[:8]}.lua"
    script.write_text(scene.script)
    return alerts.wrk_script(url, script, **load)


def measure(target: Target, scene: Scenario, plan: Plan, concurrency: int) -> Row:
    before = scene.stored(target.database_url) if scene.stored else 0
    warm = _wrk(target, scene, concurrency, plan.threads, plan.warmup)
    with measured(target.groups) as cpu, sampled(target.postgres_server, target.database) as waits:
        result = _wrk(target, scene, concurrency, plan.threads, plan.duration)
    check = "—"
    if scene.stored is not None:
        time.sleep(0.5)  # requests cut off when wrk stopped may still commit; count them too
        took = scene.stored(target.database_url) - before
        answered = warm.requests - warm.errors + result.requests - result.errors
        answered *= scene.per_request
        check = f"{took} ≥ {answered}" if took >= answered else f"LOST: {took} < {answered}"
    return Row(scene, target.processes, concurrency, result, cpu, waits, check)


def prepare(url: str) -> tuple[str, str]:
    """The alert benchmark's organisation (services, intake key, routing) and an API token."""
    key = alerts.prepare(url)
    db = Database(url)
    try:
        with db.write() as session:
            _, token = create_token(session, name="bench", role="responder", now=datetime.now(UTC))
    finally:
        db.dispose()
    return key, token


def run(processes: list[int], names: list[str], plan: Plan, postgres_server: str) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-scale-") as work:
        for count in processes:
            with throwaway_database("postgresql", postgres_server) as url:
                key, token = prepare(url)
                settings = {alerts.KEY_VARIABLE: key, "FIREHOUSE_DISPATCHER": "false"}
                with environment(**settings), running_server(url, Path(work), count) as base:
                    port = int(base.rsplit(":", 1)[1])
                    groups = {
                        SERVER: server_processes(port),
                        POSTGRES: postgres_processes(postgres_server, _name(url)),
                    }
                    target = Target(
                        base,
                        url,
                        count,
                        token,
                        key,
                        Path(work),
                        groups,
                        postgres_server,
                        _name(url),
                    )
                    for name, level in loads(names, plan):
                        scene = scenario(name, target, plan.group_size)
                        rows.append(measure(target, scene, plan, level))
                        print(f"  {count} process(es), {name} at {level}: done", flush=True)
    return rows


def _name(url: str) -> str:
    return str(make_url(url).database)


def results_table(rows: list[Row]) -> str:
    header = ["scenario", "processes", "conc.", "req/s", "items/s", "× 1 process", "p50 ms"]
    header += ["p99 ms", "errors", "server CPU", "PG CPU", "machine busy", "server ms/req"]
    header += ["PG ms/req", "PG backends waiting on a lock", "stored ≥ answered"]
    single = {_key(row): row.result.per_second for row in rows if row.processes == 1}
    return markdown_table(header, [_cells(row, single) for row in rows])


def _key(row: Row) -> tuple[str, int]:
    return row.scenario.label, row.concurrency


def _cells(row: Row, single: dict[tuple[str, int], float]) -> list[str]:
    result, cpu = row.result, row.cpu
    base = single.get(_key(row))
    return [
        row.scenario.label,
        str(row.processes),
        str(row.concurrency),
        f"{result.per_second:,.0f}",
        f"{row.items_per_second:,.0f}" if row.scenario.per_request else "—",
        f"{result.per_second / base:.2f}" if base else "—",
        f"{result.p50_ms:.1f}",
        f"{result.p99_ms:.1f}",
        str(result.errors),
        f"{cpu.cores.get(SERVER, 0.0):.2f}",
        f"{cpu.cores.get(POSTGRES, 0.0):.2f}",
        f"{cpu.machine_busy:.0%}",
        f"{cpu.ms_per(SERVER, result.requests):.2f}",
        f"{cpu.ms_per(POSTGRES, result.requests):.2f}",
        row.waits.summary(),
        row.check,
    ]


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    options.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    options.add_argument(
        "--declare-concurrency", type=int, default=8, help="wrk connections declaring"
    )
    options.add_argument(
        "--intake-concurrency", type=int, default=32, help="wrk connections sending alerts"
    )
    options.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    options.add_argument("--warmup", type=float, default=3.0, help="seconds discarded first")
    options.add_argument("--threads", type=int, default=2, help="wrk threads")
    options.add_argument("--group-size", type=int, default=10, help="alerts per notification")
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    return options


def plan_from(args: argparse.Namespace) -> Plan:
    if not 1 <= min(args.processes) <= max(args.processes) <= 16:
        raise SystemExit("error: --processes must be 1-16")
    levels = (args.declare_concurrency, args.intake_concurrency)
    if not 1 <= min(levels) <= max(levels) <= 256 or not 0 < args.duration <= 600:
        raise SystemExit("error: the concurrencies must be 1-256 and --duration 0-600 s")
    if not 1 <= args.group_size <= 500 or not 1 <= args.threads <= 16 or args.warmup < 1:
        raise SystemExit("error: --group-size must be 1-500, --threads 1-16, --warmup >= 1")
    return Plan(*levels, args.duration, args.warmup, args.threads, args.group_size)


def print_machine(postgres_server: str) -> None:
    facts = machine(postgres_server)
    facts["load average (1, 5, 15 min)"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()


def main() -> None:
    args = parser().parse_args()
    if missing_tools("wrk"):
        raise SystemExit(alerts.INSTALL_HINT.replace("alerts.py", "scale_out.py"))
    plan = plan_from(args)
    print_machine(args.postgres_server)
    started = time.monotonic()
    rows = run(args.processes, args.scenarios, plan, args.postgres_server)
    print()
    print(results_table(rows))
    print(
        f"\n(took {time.monotonic() - started:.0f} s; load average after: {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
