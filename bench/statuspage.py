"""Benchmark: the public status page against nginx serving the same bytes as static files.

Goal (issue 4): `/status` and `/api/v2/summary.json` served at no less than 50% of nginx's
rate, with a p99 under 20 ms, at concurrency 64, with the same load tool (wrk) on the same
machine. firehouse runs as its own server process(es) on a throwaway SQLite database seeded
through `config apply` and the service layer: 10 components in 3 groups, 2 unresolved
incidents with 3 updates each, 30 resolved incidents over 90 days, 1 upcoming maintenance.
nginx serves the page that `firehouse statuspage export` writes. Needs wrk and nginx
(`make bench-deps`).

    python bench/statuspage.py                        # 1 and 2 server processes, ~2 minutes
    python bench/statuspage.py --duration 5 --workers 1
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from common import ROOT, running_server, throwaway_database
from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import parse_config
from firehouse.db import Database
from firehouse.migrate import upgrade
from firehouse.statuspage import service
from firehouse.statuspage.snapshot import CACHE_CONTROL
from report import machine, markdown_table
from wrk import WrkResult, find_tool, missing_tools, run_wrk

PATHS = ("/status", "/api/v2/summary.json")
GOAL_SHARE = 0.5
GOAL_P99_MS = 20.0
GOAL_CONCURRENCY = 64
INSTALL_HINT = (
    "bench/statuspage.py needs {missing}: run `make bench-deps` "
    "(or `sudo apt-get install -y wrk nginx-light`)"
)

# --- the page --------------------------------------------------------------------------------

GROUPS = {
    "Marketplace": ("website", "mobile-app", "search", "checkout"),
    "Auctions": ("auctions", "live-bidding", "bid-notifications"),
    "Partners": ("partner-cms", "partner-api", "reports"),
}
CONFIG = "\n".join(
    [
        "organisation: {name: Northlight Art Market}",
        "statuspage:",
        "  name: Northlight Art Market Status",
        "  url: https://status.northlight.example",
        "  components:",
        *(
            f"    - {{id: {cid}, name: {cid.replace('-', ' ').title()}, group: {group}, "
            f"description: 'What {cid} does for buyers and galleries.'}}"
            for group, ids in GROUPS.items()
            for cid in ids
        ),
    ]
)
COMPONENTS = [cid for ids in GROUPS.values() for cid in ids]
OUTAGES = ("degraded_performance", "partial_outage", "major_outage")
IMPACTS = ("minor", "major", "critical")


def seed_page(url: str, now: datetime) -> None:
    """The page a mid-sized company shows, written through `config apply` and the service
    layer, as responders would have written it over the last 90 days."""
    upgrade(url)
    config, problems = parse_config(CONFIG)
    if config is None or problems:
        raise SystemExit(f"error: the benchmark's config is invalid: {problems}")
    db = Database(url)
    try:
        with db.write() as session:
            apply_config(session, config, source="bench", now=now - timedelta(days=100))
        for index in range(30):
            began = now - timedelta(days=89) + timedelta(hours=index * 71 + 5)
            with db.write() as session:
                _incident(session, index, began, resolved=True)
        for index, began in enumerate((now - timedelta(hours=3), now - timedelta(minutes=40))):
            with db.write() as session:
                _incident(session, 30 + index, began, resolved=False)
        with db.write() as session:
            start = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
            service.create_maintenance(
                session,
                name="Database upgrade for auctions",
                scheduled_for=start,
                scheduled_until=start + timedelta(hours=2),
                component_ids=["auctions", "live-bidding"],
                actor="bench",
                now=now - timedelta(days=2),
                body="Bids placed during the window may be delayed by up to a minute.",
            )
    finally:
        db.dispose()


def _incident(session: Session, index: int, began: datetime, *, resolved: bool) -> None:
    """Three updates each: investigating, identified, then resolved (or monitoring)."""
    affected = {
        COMPONENTS[(index * 3 + k) % len(COMPONENTS)]: OUTAGES[(index + k) % 3] for k in (0, 1)
    }
    incident = service.create_incident(
        session,
        name=f"Elevated errors on {' and '.join(affected)}",
        actor="bench",
        now=began,
        impact=IMPACTS[index % 3],
        components=affected,
        body="We are investigating reports of errors for some buyers. More soon.",
        publish=True,
    )
    service.post_update(
        session,
        incident.id,
        status="identified",
        message="A faulty release is the cause; we are rolling it back now.",
        actor="bench",
        now=began + timedelta(minutes=18),
    )
    if resolved:
        service.resolve(
            session,
            incident.id,
            "The rollback finished and error rates are back to normal.",
            actor="bench",
            now=began + timedelta(minutes=40 + 23 * (index % 9)),
        )
        return
    service.post_update(
        session,
        incident.id,
        status="monitoring",
        message="A fix is deployed; we are watching error rates.",
        actor="bench",
        now=began + timedelta(minutes=35),
    )


# --- the same page as static files ----------------------------------------------------------

FILES = {"/status": "index.html", "/api/v2/summary.json": "api/v2/summary.json"}
NGINX_CONF = """\
{user}worker_processes {workers};
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; application/json json; text/css css; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html application/json text/css;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        # The headers firehouse sends beside ETag and Last-Modified, so both send as many bytes.
        add_header Cache-Control "{cache_control}";
        add_header X-Content-Type-Options nosniff;
        location = /status {{ try_files /index.html =404; }}
        location /api/ {{
            add_header Cache-Control "{cache_control}";
            add_header X-Content-Type-Options nosniff;
            add_header Access-Control-Allow-Origin *;
        }}
    }}
}}
"""


def export_page(url: str, directory: Path) -> None:
    """`firehouse statuspage export DIR`, the real command, on the benchmark's database."""
    env = {**os.environ, "FIREHOUSE_DATABASE_URL": url}
    command = [sys.executable, "-m", "firehouse.cli.main", "statuspage", "export", str(directory)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: statuspage export failed: {done.stderr or done.stdout}")


def pin_bytes(base_url: str, directory: Path) -> dict[str, str]:
    """Make each exported file hold exactly the bytes the server sends for its path.

    The export links its pages relatively (`index.html`, `status.css`) where the server links
    `/status/...`, so the HTML differs by design; the JSON should not differ at all. What
    differed is returned, to be printed with the results."""
    notes = {}
    for path, name in FILES.items():
        served = httpx.get(base_url + path, timeout=10).content
        file = directory / name
        exported = file.read_bytes()
        if exported == served:
            notes[path] = f"the exported {name} is byte-identical to what firehouse serves"
            continue
        file.write_bytes(served)
        notes[path] = (
            f"the exported {name} ({len(exported)} bytes) differs from what firehouse serves "
            f"({len(served)} bytes); nginx serves the server's bytes instead"
        )
    return notes


@contextmanager
def running_nginx(work: Path, root: Path) -> Iterator[str]:
    """nginx in the foreground as this user, everything it writes inside `work`."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = ""
    if os.geteuid() == 0:  # workers would switch to `nobody`, who cannot read a private tmp dir
        user = "user root root;\n"
    conf = work / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user=user,
            workers=os.cpu_count() or 2,
            work=work,
            port=port,
            root=root,
            cache_control=CACHE_CONTROL,
        )
    )
    log = (work / "stderr.log").open("wb")
    process = subprocess.Popen(
        [_nginx(), "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_nginx(base_url, process, work)
        yield base_url
    finally:
        process.terminate()  # SIGTERM: nginx's master stops its workers, then itself
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_nginx(base_url: str, process: subprocess.Popen[bytes], work: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            logs = (work / "stderr.log").read_text() + (work / "error.log").read_text()
            raise SystemExit(f"error: nginx exited early:\n{logs[-2000:]}")
        try:
            httpx.get(base_url + "/status", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("error: nginx did not answer within 10 s")


def _nginx() -> str:
    return find_tool("nginx") or "nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tool_versions() -> dict[str, str]:
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    nginx = subprocess.run([_nginx(), "-v"], capture_output=True, text=True, check=False)
    return {
        "wrk": (wrk.stdout or wrk.stderr).split(" [")[0].strip(),
        "nginx": nginx.stderr.strip().removeprefix("nginx version: "),
    }


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    concurrency: int
    duration: float
    warmup: float
    threads: int


@dataclass(frozen=True)
class Row:
    target: str
    path: str
    concurrency: int
    result: WrkResult


def wait_for_snapshot(base_url: str) -> None:
    """The server answers 503 until its publisher has built the first snapshot."""
    for _ in range(300):
        if all(httpx.get(base_url + path, timeout=5).status_code == 200 for path in PATHS):
            return
        time.sleep(0.1)
    raise SystemExit(f"error: {base_url} did not serve the status page within 30 s")


def same_bytes(firehouse: str, nginx: str) -> None:
    """Both must answer 200 with byte-identical bodies, or the comparison means nothing."""
    for path in PATHS:
        ours, theirs = httpx.get(firehouse + path), httpx.get(nginx + path)
        if ours.status_code != 200 or theirs.status_code != 200:
            raise SystemExit(
                f"error: {path}: firehouse answered {ours.status_code}, nginx {theirs.status_code}"
            )
        if ours.content != theirs.content:
            raise SystemExit(
                f"error: {path}: firehouse and nginx send different bodies "
                f"({len(ours.content)} and {len(theirs.content)} bytes)"
            )


def measure(target: str, base_url: str, plan: Plan) -> list[Row]:
    rows = []
    for path in PATHS:
        url = base_url + path
        if plan.warmup > 0:
            run_wrk(url, connections=plan.concurrency, duration=plan.warmup, threads=plan.threads)
        result = run_wrk(
            url, connections=plan.concurrency, duration=plan.duration, threads=plan.threads
        )
        rows.append(Row(target, path, plan.concurrency, result))
    return rows


def run(plans: list[Plan], workers: list[int]) -> tuple[list[Row], dict[str, str]]:
    """For each number of server processes: nginx (the reference), then firehouse."""
    rows: list[Row] = []
    notes: dict[str, str] = {}
    with (
        tempfile.TemporaryDirectory(prefix="firehouse-bench-sp-") as scratch,
        throwaway_database("sqlite", "") as url,
    ):
        work, export = Path(scratch), Path(scratch) / "export"
        seed_page(url, datetime.now(UTC))
        export_page(url, export)
        for processes in workers:
            with running_server(url, work, processes) as base_url:
                wait_for_snapshot(base_url)
                # The uptime figures move as time passes, so pin the bytes of this very server.
                pinned = pin_bytes(base_url, export)
                notes = notes or pinned  # the first comparison is with the fresh export
                with running_nginx(work / f"nginx-{processes}", export) as nginx_url:
                    same_bytes(base_url, nginx_url)
                    for plan in plans:
                        rows += measure("nginx", nginx_url, plan)
                served_by = f"firehouse, {processes} process" + ("es" if processes > 1 else "")
                for plan in plans:
                    rows += measure(served_by, base_url, plan)
    return rows, notes


def verdict(row: Row, reference: Row | None) -> tuple[str, str]:
    """(share of nginx's rate, goal) for one row."""
    if reference is None or row.target == "nginx":
        return ("100%" if row.target == "nginx" else "-"), "reference"
    share = row.result.per_second / reference.result.per_second
    if row.result.errors:
        return f"{share:.0%}", f"{row.result.errors} errors"
    if row.concurrency != GOAL_CONCURRENCY:
        return f"{share:.0%}", "no goal set"
    rate = "met" if share >= GOAL_SHARE else "MISSED"
    p99 = "met" if row.result.p99_ms < GOAL_P99_MS else "MISSED"
    return f"{share:.0%}", f"≥ 50% of nginx: {rate}; p99 < {GOAL_P99_MS:g} ms: {p99}"


def results_table(rows: list[Row]) -> str:
    header = ["target", "path", "conc.", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms"]
    header += ["max ms", "% of nginx", "goal"]
    nginx: dict[tuple[str, int], Row] = {}  # the latest nginx run is each row's reference
    body = []
    for row in rows:
        if row.target == "nginx":
            nginx[row.path, row.concurrency] = row
        share, goal = verdict(row, nginx.get((row.path, row.concurrency)))
        r = row.result
        body.append(
            [
                row.target,
                row.path,
                str(row.concurrency),
                str(r.requests),
                f"{r.per_second:.0f}",
                f"{r.p50_ms:.2f}",
                f"{r.p90_ms:.2f}",
                f"{r.p99_ms:.2f}",
                f"{r.max_ms:.1f}",
                share,
                goal,
            ]
        )
    return markdown_table(header, body)


# --- command line ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[GOAL_CONCURRENCY],
        help=f"open connections; several values run one after another (default {GOAL_CONCURRENCY})",
    )
    options.add_argument("--duration", type=float, default=10.0, help="seconds measured per run")
    options.add_argument("--warmup", type=float, default=2.0, help="seconds of wrk run first")
    options.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    options.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="firehouse server processes (`firehouse serve --workers N`); each its own run",
    )
    return options


def plans_from(args: argparse.Namespace) -> list[Plan]:
    if min(args.concurrency) < 1 or max(args.concurrency) > 1024:
        raise SystemExit("error: --concurrency must be 1-1024")
    if not 1 <= args.duration <= 600 or not 0 <= args.warmup <= 60 or not 1 <= args.threads <= 16:
        raise SystemExit("error: --duration 1-600, --warmup 0-60, --threads 1-16")
    if min(args.workers) < 1 or max(args.workers) > 16:
        raise SystemExit("error: --workers must be 1-16")
    return [Plan(c, args.duration, args.warmup, args.threads) for c in args.concurrency]


def print_machine() -> None:
    facts = machine(None)
    facts.pop("PostgreSQL", None)
    facts.update(tool_versions())
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()


def unavailable() -> str | None:
    """Why the benchmark cannot run here (one line), or None."""
    missing = missing_tools("wrk", "nginx")
    return INSTALL_HINT.format(missing=" and ".join(missing)) if missing else None


def main() -> None:
    args = parser().parse_args()
    plans = plans_from(args)
    reason = unavailable()
    if reason:
        raise SystemExit(reason)
    print_machine()
    rows, notes = run(plans, args.workers)
    print(results_table(rows))
    print()
    for path, note in notes.items():
        print(f"- `{path}`: {note}")


if __name__ == "__main__":
    main()
