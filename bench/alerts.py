"""Benchmark: sustained alert intake, durable, with 95% duplicates, at concurrency 32.

Goal (issue 5): at least 3,000 alerts/s on SQLite and on PostgreSQL on a 2-core machine, with
a p99 under 50 ms, every alert committed before its answer; and the same server's minimal
endpoint measured alongside as the ceiling. Two formats are sent:

- Alertmanager webhook notifications (`POST /api/v1/integrations/alertmanager`, version 4),
  each carrying a group of alerts (10 by default, `--group-size`), as Alertmanager sends
  them when it groups by alertname;
- generic JSON alerts (`POST /api/v1/alerts`), one alert per request.

In both, 95% of the alerts repeat one of a few hundred alerts that are already open (what
Alertmanager's repeat interval, HA pairs and retries produce), and 5% are new. The load
tool is wrk (https://github.com/wg/wrk) with a Lua script that builds each body, so the
client keeps up where a Python client would not; its latencies are per request. The
ceiling is the same server's `GET /healthz` at the same concurrency (firehouse has no
bare 202 endpoint, and one added only for the benchmark would measure nothing real).

After each run the database is read: the alerts it stores must account for every alert
answered 2xx (the sum of the alerts' repeat counts is at least the number answered).

    python bench/alerts.py                              # SQLite, 1 process, ~1 minute
    python bench/alerts.py --databases sqlite postgresql --workers 1 2
    python bench/alerts.py --formats generic --duration 5
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from common import DEFAULT_POSTGRES_SERVER, running_server, throwaway_database
from firehouse.alerts.model import Alert
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import parse_config
from firehouse.db import Database
from firehouse.migrate import upgrade
from report import machine, markdown_table
from wrk import WrkResult, missing_tools, parse, run_wrk

GOAL_ALERTS_PER_SECOND = 3000.0
GOAL_P99_MS = 50.0
GOAL_CONCURRENCY = 32
DUPLICATE_SHARE = 0.95
HOT_ALERTS = 300
KEY_VARIABLE = "FIREHOUSE_INTAKE_KEY"
INSTALL_HINT = "bench/alerts.py needs wrk: run `make bench-deps` (or `apt-get install -y wrk`)"

CONFIG = f"""\
organisation: {{name: Northlight Art Market}}
teams:
  - {{id: platform, name: Platform, business_hours: {{timezone: Europe/London}}}}
  - {{id: commerce, name: Commerce, business_hours: {{timezone: Europe/London}}}}
services:
  - {{id: website, name: Website, team: platform}}
  - {{id: payments, name: Payments, team: commerce}}
intake:
  keys:
    - {{name: default, key_env: {KEY_VARIABLE}}}
routing:
  rules:
    - {{name: drop-watchdog, match: {{labels: {{alertname: Watchdog}}}}, action: drop}}
    - name: payments-critical
      match: {{labels: {{severity: critical}}, regex: {{service: "payments|checkout"}}}}
      action: incident
      priority: P1
      service: payments
    - name: warnings-to-channel
      match: {{labels: {{severity: warning}}}}
      action: channel
      business_hours_only: true
  default: record
"""


@dataclass(frozen=True)
class Format:
    name: str
    path: str
    group_size: int


def formats(group_size: int) -> dict[str, Format]:
    return {
        "alertmanager": Format(
            f"Alertmanager, {group_size} alerts/notification",
            "/api/v1/integrations/alertmanager",
            group_size,
        ),
        "generic": Format("generic JSON, 1 alert/request", "/api/v1/alerts", 1),
    }


# --- the load: a wrk Lua script that builds every body --------------------------------------

LUA = r"""
-- Written by bench/alerts.py. Each wrk thread has its own Lua state; `tid` is set per thread.
local kind, path, group, hot, duplicate = "{kind}", "{path}", {group}, {hot}, {duplicate}
local run = "{run}"
local headers = {{["Content-Type"] = "application/json", ["Authorization"] = "Bearer {key}"}}
local threads = {{}}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  math.randomseed(tid * 7919 + os.time())
end

local function fingerprint()
  if math.random() < duplicate then
    return "hot-" .. math.random(hot)
  end
  counter = counter + 1
  return "new-" .. run .. "-" .. tid .. "-" .. counter
end

local function labels(fp)
  local n = tonumber(string.match(fp, "%d+$")) or 0
  local service = (n % 2 == 0) and "website" or "search"
  return '{{"alertname":"HighLatency","severity":"info","service":"' .. service ..
    '","instance":"' .. fp .. '","job":"node"}}'
end

local function alertmanager_alert(fp)
  return '{{"status":"firing","labels":' .. labels(fp) ..
    ',"annotations":{{"summary":"p99 latency above 800 ms on ' .. fp .. '",' ..
    '"description":"Measured over 5 minutes."}},' ..
    '"startsAt":"2026-11-27T09:00:00Z","endsAt":"0001-01-01T00:00:00Z",' ..
    '"generatorURL":"http://prometheus.example:9090/graph?g0.expr=latency",' ..
    '"fingerprint":"' .. fp .. '"}}'
end

local function alertmanager_body()
  local alerts = {{}}
  for i = 1, group do alerts[i] = alertmanager_alert(fingerprint()) end
  return '{{"version":"4","groupKey":"{{}}:{{alertname=\\"HighLatency\\"}}",' ..
    '"truncatedAlerts":0,"status":"firing","receiver":"firehouse",' ..
    '"groupLabels":{{"alertname":"HighLatency"}},"commonLabels":{{"alertname":"HighLatency"}},' ..
    '"commonAnnotations":{{}},"externalURL":"http://alertmanager.example:9093",' ..
    '"alerts":[' .. table.concat(alerts, ",") .. ']}}'
end

local function generic_body()
  local fp = fingerprint()
  return '{{"fingerprint":"' .. fp .. '","summary":"p99 latency above 800 ms on ' .. fp ..
    '","severity":"info","labels":' .. labels(fp) .. '}}'
end

function request()
  local body
  if kind == "alertmanager" then body = alertmanager_body() else body = generic_body() end
  return wrk.format("POST", path, headers, body)
end
"""


def lua_script(fmt: Format, kind: str, key: str, run: str) -> str:
    return LUA.format(
        kind=kind,
        path=fmt.path,
        group=fmt.group_size,
        hot=HOT_ALERTS,
        duplicate=DUPLICATE_SHARE,
        run=run,
        key=key,
    )


def wrk_script(
    url: str, script: Path, *, connections: int, duration: float, threads: int
) -> WrkResult:
    """wrk with a Lua script, loopback only (bench/wrk.py's `run_wrk` takes no script)."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError(f"refusing to load anything but loopback: {url}")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s"]
    command += ["--timeout=10s", "--latency", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)


# --- the database ----------------------------------------------------------------------------


def prepare(url: str) -> str:
    """Migrate, apply the organisation with its intake key and routing; return the key."""
    upgrade(url)
    config, problems = parse_config(CONFIG)
    if config is None or problems:
        raise SystemExit(f"error: the benchmark's config is invalid: {problems}")
    db = Database(url)
    try:
        with db.write() as session:
            apply_config(session, config, source="bench", now=datetime.now(UTC))
    finally:
        db.dispose()
    return secrets.token_urlsafe(24)


def stored(url: str) -> tuple[int, int]:
    """(alerts stored, sum of their counts: every delivery each of them absorbed)."""
    db = Database(url)
    try:
        with db.read() as session:
            rows, deliveries = session.execute(
                select(func.count(Alert.id), func.coalesce(func.sum(Alert.count), 0))
            ).one()
            return int(rows), int(deliveries)
    finally:
        db.dispose()


# --- running ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    concurrency: int = GOAL_CONCURRENCY
    duration: float = 12.0
    warmup: float = 3.0
    threads: int = 2


@dataclass(frozen=True)
class Row:
    scenario: str
    database: str
    processes: int
    concurrency: int
    result: WrkResult
    alerts_per_request: int
    durable: str  # what the database holds against what was answered 2xx

    @property
    def alerts_per_second(self) -> float:
        return self.result.per_second * self.alerts_per_request

    def verdict(self) -> str:
        if self.alerts_per_request == 0:
            return "ceiling"
        if self.result.errors:
            return f"{self.result.errors} errors"
        if self.concurrency != GOAL_CONCURRENCY:
            return "no goal set"
        rate = self.alerts_per_second >= GOAL_ALERTS_PER_SECOND
        p99 = self.result.p99_ms < GOAL_P99_MS
        return (
            f"≥ {GOAL_ALERTS_PER_SECOND:,.0f} alerts/s: {'met' if rate else 'MISSED'}; "
            f"p99 < {GOAL_P99_MS:g} ms: {'met' if p99 else 'MISSED'}"
        )


@dataclass(frozen=True)
class Server:
    """One running server and the database behind it."""

    base_url: str
    database_url: str
    database: str
    processes: int
    key: str
    work: Path


def run(  # noqa: PLR0917 -- the command line's choices, in its order
    databases: list[str],
    kinds: list[str],
    plans: list[Plan],
    workers: list[int],
    group_size: int,
    postgres_server: str,
) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-alerts-") as work:
        for kind in databases:
            for processes in workers:
                with throwaway_database(kind, postgres_server) as url:
                    key = prepare(url)
                    os.environ[KEY_VARIABLE] = key  # running_server passes the environment on
                    with running_server(url, Path(work), processes) as base_url:
                        server = Server(base_url, url, kind, processes, key, Path(work))
                        for plan in plans:
                            rows.append(_ceiling(server, plan))
                            rows += [
                                _intake(server, formats(group_size)[name], name, plan)
                                for name in kinds
                            ]
    return rows


def _ceiling(server: Server, plan: Plan) -> Row:
    health = f"{server.base_url}/healthz"
    load = {"connections": plan.concurrency, "threads": plan.threads}
    run_wrk(health, duration=plan.warmup, **load)
    result = run_wrk(health, duration=plan.duration, **load)
    return Row("GET /healthz", server.database, server.processes, plan.concurrency, result, 0, "")


def _intake(server: Server, fmt: Format, name: str, plan: Plan) -> Row:
    script = server.work / f"{name}-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(lua_script(fmt, name, server.key, run=uuid.uuid4().hex[:8]))
    target = server.base_url + fmt.path
    _alerts, before = stored(server.database_url)
    load = {"connections": plan.concurrency, "threads": plan.threads}
    warm = wrk_script(target, script, duration=plan.warmup, **load)
    result = wrk_script(target, script, duration=plan.duration, **load)
    time.sleep(0.5)  # requests cut off when wrk stopped may still commit; count them too
    _alerts, after = stored(server.database_url)
    answered = (warm.requests - warm.errors + result.requests - result.errors) * fmt.group_size
    took = after - before
    durable = f"{took} stored ≥ {answered} answered"
    if took < answered:
        durable = f"LOST: {took} stored < {answered} answered"
    return Row(
        fmt.name,
        server.database,
        server.processes,
        plan.concurrency,
        result,
        fmt.group_size,
        durable,
    )


def results_table(rows: list[Row]) -> str:
    header = ["scenario", "db", "processes", "conc.", "requests", "req/s", "alerts/s"]
    header += ["p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "durable", "goal"]
    body = [
        [
            row.scenario,
            row.database,
            str(row.processes),
            str(row.concurrency),
            str(row.result.requests),
            f"{row.result.per_second:.0f}",
            f"{row.alerts_per_second:.0f}" if row.alerts_per_request else "—",
            f"{row.result.p50_ms:.1f}",
            f"{row.result.p90_ms:.1f}",
            f"{row.result.p99_ms:.1f}",
            f"{row.result.max_ms:.1f}",
            str(row.result.errors),
            row.durable or "—",
            row.verdict(),
        ]
        for row in rows
    ]
    return markdown_table(header, body)


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    options.add_argument(
        "--formats",
        nargs="+",
        choices=["alertmanager", "generic"],
        default=["alertmanager", "generic"],
    )
    options.add_argument("--workers", type=int, nargs="+", default=[1], help="server processes")
    options.add_argument("--concurrency", type=int, nargs="+", default=[GOAL_CONCURRENCY])
    options.add_argument("--group-size", type=int, default=10, help="alerts per notification")
    options.add_argument("--duration", type=float, default=12.0, help="seconds measured")
    options.add_argument("--warmup", type=float, default=3.0, help="seconds discarded first")
    options.add_argument("--threads", type=int, default=2, help="wrk threads")
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    return options


def main() -> None:
    args = parser().parse_args()
    if missing_tools("wrk"):
        raise SystemExit(INSTALL_HINT)
    if not 1 <= args.group_size <= 500 or not 1 <= min(args.workers) <= max(args.workers) <= 16:
        raise SystemExit("error: --group-size must be 1-500 and --workers 1-16")
    if min(args.concurrency) < 1 or max(args.concurrency) > 256 or not 0 < args.duration <= 600:
        raise SystemExit("error: --concurrency must be 1-256 and --duration 0-600 s")
    plans = [
        Plan(concurrency=n, duration=args.duration, warmup=args.warmup, threads=args.threads)
        for n in args.concurrency
    ]
    postgres = args.postgres_server if "postgresql" in args.databases else None
    facts = machine(postgres)
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()
    started = time.monotonic()
    rows = run(
        args.databases, args.formats, plans, args.workers, args.group_size, args.postgres_server
    )
    print(results_table(rows))
    print(f"\n(took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
