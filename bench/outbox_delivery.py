"""Benchmark: how fast `firehouse worker` processes empty the outbox on PostgreSQL.

A fresh PostgreSQL database gets one webhook subscription pointing at the test suite's webhook
receiver (tests/fakes/webhook_receiver.py: a threaded HTTP server on 127.0.0.1 that checks
each signature and counts each `Idempotency-Key`), which answers every request after 20 ms,
the time a nearby provider takes. Then 1, then 2 workers are started and left idle, the
outbox is filled with 2,000 events in one transaction (spread over 200 incidents' streams,
so order within an incident is kept as it would be), and the clock runs from that commit
until the database says every delivery is delivered.

Afterwards the receiver must hold every event's Idempotency-Key exactly once, with a valid
signature. When the settings have `outbox_concurrency` (FIREHOUSE_OUTBOX_CONCURRENCY, the
deliveries one worker sends at once) each number of workers runs with it at 1 and at its
default; without it, one delivery at a time is all a worker does.

    python bench/outbox_delivery.py                        # ~2 minutes
    python bench/outbox_delivery.py --events 500 --workers 1 2 3 --latency-ms 50
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from common import DEFAULT_POSTGRES_SERVER, ROOT, throwaway_database
from cpu import CpuSplit, descendants, measured, postgres_processes
from firehouse.db import Database
from firehouse.migrate import upgrade
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription
from firehouse.settings import Settings
from report import machine, markdown_table

sys.path.insert(0, str(ROOT))  # the receiver lives with the tests

from tests.fakes.webhook_receiver import WebhookReceiver

SUBSCRIPTION = "bench-webhook"
SECRET_VARIABLE = "FIREHOUSE_BENCH_WEBHOOK_SECRET"  # noqa: S105 -- a variable's name
SECRET = "bench-webhook-secret"  # noqa: S105 -- shared with the local receiver only
WORKERS, POSTGRES, RECEIVER = "workers", "postgresql", "receiver"


@dataclass(frozen=True)
class Plan:
    events: int = 2000
    streams: int = 200
    latency: float = 0.020
    postgres_server: str = DEFAULT_POSTGRES_SERVER


@dataclass(frozen=True)
class Row:
    workers: int
    concurrency: int | None  # FIREHOUSE_OUTBOX_CONCURRENCY; None where it does not exist
    delivered: int
    seconds: float  # from the commit that filled the outbox to the last delivery
    spread: float  # from the first delivery to the last
    requests: int  # what reached the receiver, retries included
    cpu: CpuSplit
    check: str

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0


def concurrency_levels() -> list[int | None]:
    """1 and the default of FIREHOUSE_OUTBOX_CONCURRENCY when this version has it."""
    field = Settings.model_fields.get("outbox_concurrency")
    if field is None or not isinstance(field.default, int):
        return [None]
    return sorted({1, field.default})


# --- the outbox ------------------------------------------------------------------------------


def subscribe(url: str, receiver_url: str) -> None:
    db = Database(url)
    try:
        with db.write() as session:
            session.add(
                Subscription(
                    name=SUBSCRIPTION,
                    kind="webhook",
                    event_types=["*"],
                    settings={"url": receiver_url, "secret_env": SECRET_VARIABLE},
                    active=True,
                )
            )
    finally:
        db.dispose()


def fill(url: str, plan: Plan) -> tuple[datetime, set[str]]:
    """Queue `plan.events` deliveries in one transaction; return its time and their keys."""
    db = Database(url)
    now = datetime.now(UTC)
    try:
        with db.write() as session:
            events = [_event(number, plan.streams, now) for number in range(plan.events)]
            session.add_all(events)
            session.flush()
            session.add_all(_delivery(event, now) for event in events)
            keys = {f"{event.id}:{SUBSCRIPTION}" for event in events}
    finally:
        db.dispose()
    return now, keys


def _event(number: int, streams: int, now: datetime) -> OutboxEvent:
    incident = 1 + number % streams
    payload = {
        "incident": {
            "number": incident,
            "message": f"Checkout errors on incident {incident}",
            "priority": "P3",
            "status": "open",
            "service": "website",
            "private": False,
        },
        "actor": "alice",
        "changes": {"note": f"update {number // streams}"},
    }
    return OutboxEvent(
        stream=f"incident:{incident}", type="incident.updated", payload=payload, occurred_at=now
    )


def _delivery(event: OutboxEvent, now: datetime) -> OutboxDelivery:
    return OutboxDelivery(
        event_id=event.id,
        subscription=SUBSCRIPTION,
        stream=event.stream,
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


@dataclass(frozen=True)
class Progress:
    delivered: int
    dead: int
    first: datetime | None
    last: datetime | None


def progress(db: Database) -> Progress:
    delivered = OutboxDelivery.state == "delivered"
    with db.read() as session:
        count, first, last = session.execute(
            select(
                func.count(OutboxDelivery.id),
                func.min(OutboxDelivery.delivered_at),
                func.max(OutboxDelivery.delivered_at),
            ).where(delivered)
        ).one()
        dead = session.scalar(
            select(func.count(OutboxDelivery.id)).where(OutboxDelivery.state == "dead")
        )
    return Progress(int(count), int(dead or 0), first, last)


def wait_until_delivered(url: str, expected: int, timeout: float) -> Progress:
    db = Database(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            seen = progress(db)
            if seen.delivered + seen.dead >= expected or time.monotonic() > deadline:
                return seen
            time.sleep(0.1)
    finally:
        db.dispose()


# --- the workers -----------------------------------------------------------------------------


def worker_command() -> list[str]:
    script = Path(sys.executable).with_name("firehouse")
    if script.exists():
        return [str(script), "worker"]
    return [sys.executable, "-c", "from firehouse.cli.main import app; app()", "worker"]


@contextmanager
def running_workers(
    url: str, count: int, concurrency: int | None, logs: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` idle workers, each having said it is delivering; stopped by pid at the end."""
    env = {**os.environ, "FIREHOUSE_DATABASE_URL": url, SECRET_VARIABLE: SECRET}
    env |= {"FIREHOUSE_SECRET_KEY": "bench", "FIREHOUSE_OUTBOX_POLL_SECONDS": "0.1"}
    if concurrency is not None:
        env["FIREHOUSE_OUTBOX_CONCURRENCY"] = str(concurrency)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(count):
            log = (logs / f"worker-{index}.log").open("wb")
            processes.append(
                subprocess.Popen(worker_command(), cwd=ROOT, env=env, stdout=log, stderr=log)
            )
        for index, process in enumerate(processes):
            _wait_until_ready(process, logs / f"worker-{index}.log")
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "is delivering outbox events" in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"worker not ready within 30 s:\n{log.read_text()[-2000:]}")


# --- one run ---------------------------------------------------------------------------------


def run_one(plan: Plan, workers: int, concurrency: int | None, logs: Path) -> Row:
    with (
        throwaway_database("postgresql", plan.postgres_server) as url,
        WebhookReceiver(secret=SECRET) as receiver,
    ):
        upgrade(url)
        subscribe(url, receiver.url)
        receiver.delay_next(plan.events * 3, plan.latency)  # retries, if any, are slow too
        groups = {
            POSTGRES: postgres_processes(plan.postgres_server, _name(url)),
            RECEIVER: lambda: {os.getpid()},  # the receiver's threads run in this process
        }
        with running_workers(url, workers, concurrency, logs) as processes:
            groups[WORKERS] = lambda: descendants({p.pid for p in processes})
            with measured(groups) as cpu:
                filled, keys = fill(url, plan)
                seen = wait_until_delivered(url, plan.events, max(60.0, plan.events / 5))
        return Row(
            workers=workers,
            concurrency=concurrency,
            delivered=seen.delivered,
            seconds=_between(filled, seen.last),
            spread=_between(seen.first, seen.last),
            requests=len(receiver.requests),
            cpu=cpu,
            check=verdict(receiver, keys, seen),
        )


def verdict(receiver: WebhookReceiver, keys: set[str], seen: Progress) -> str:
    """Each key arrived once with a good signature, and nothing else arrived."""
    arrived = [request.header("Idempotency-Key") for request in receiver.accepted]
    problems = []
    if seen.dead:
        problems.append(f"{seen.dead} dead")
    if set(arrived) != keys or len(arrived) != len(keys):
        problems.append(f"{len(keys & set(arrived))} of {len(keys)} keys arrived")
    if receiver.duplicates:
        problems.append(f"{receiver.duplicates} sent twice")
    if any(not request.signature_valid for request in receiver.requests):
        problems.append("bad signatures")
    return "; ".join(problems) or "every key once, signed"


def _between(start: datetime | None, end: datetime | None) -> float:
    return (end - start).total_seconds() if start and end else 0.0


def _name(url: str) -> str:
    return str(make_url(url).database)


def run(plan: Plan, workers: list[int]) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="firehouse-bench-outbox-") as logs:
        for concurrency in concurrency_levels():
            for count in workers:
                rows.append(run_one(plan, count, concurrency, Path(logs)))
                print(f"  {count} worker(s), concurrency {concurrency}: done", flush=True)
    return rows


# --- the report ------------------------------------------------------------------------------


def results_table(rows: list[Row], plan: Plan) -> str:
    header = ["workers", "in flight per worker", "deliveries", "seconds", "deliveries/s"]
    header += ["first→last /s", "bound (workers × in flight ÷ latency)", "worker CPU"]
    header += [
        "PG CPU",
        "receiver CPU",
        "machine busy",
        "worker ms/delivery",
        "PG ms/delivery",
        "received",
    ]
    return markdown_table(header, [_cells(row, plan) for row in rows])


def _cells(row: Row, plan: Plan) -> list[str]:
    in_flight = row.concurrency or 1
    spread = (row.delivered - 1) / row.spread if row.spread > 0 else 0.0
    return [
        str(row.workers),
        "1 (no setting)" if row.concurrency is None else str(row.concurrency),
        str(row.delivered),
        f"{row.seconds:.1f}",
        f"{row.per_second:.0f}",
        f"{spread:.0f}",
        f"{row.workers * in_flight / plan.latency:.0f}",
        f"{row.cpu.cores.get(WORKERS, 0.0):.2f}",
        f"{row.cpu.cores.get(POSTGRES, 0.0):.2f}",
        f"{row.cpu.cores.get(RECEIVER, 0.0):.2f}",
        f"{row.cpu.machine_busy:.0%}",
        f"{row.cpu.ms_per(WORKERS, row.delivered):.2f}",
        f"{row.cpu.ms_per(POSTGRES, row.delivered):.2f}",
        f"{row.requests} requests; {row.check}",
    ]


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options.add_argument("--events", type=int, default=2000, help="deliveries queued per run")
    options.add_argument("--streams", type=int, default=200, help="incidents they belong to")
    options.add_argument("--latency-ms", type=float, default=20.0, help="the receiver's answer")
    options.add_argument("--postgres-server", default=DEFAULT_POSTGRES_SERVER)
    return options


def plan_from(args: argparse.Namespace) -> Plan:
    if not 1 <= min(args.workers) <= max(args.workers) <= 16:
        raise SystemExit("error: --workers must be 1-16")
    if not 1 <= args.streams <= args.events <= 100_000:
        raise SystemExit("error: --events must be 1-100000 and --streams 1-events")
    if not 1 <= args.latency_ms <= 5000:
        raise SystemExit("error: --latency-ms must be 1-5000")
    return Plan(args.events, args.streams, args.latency_ms / 1000, args.postgres_server)


def main() -> None:
    args = parser().parse_args()
    plan = plan_from(args)
    facts = machine(plan.postgres_server)
    facts["load average (1, 5, 15 min)"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(markdown_table(["machine", ""], [[key, value] for key, value in facts.items()]))
    print()
    started = time.monotonic()
    rows = run(plan, args.workers)
    print()
    print(results_table(rows, plan))
    print(
        f"\n(took {time.monotonic() - started:.0f} s; load average after: {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
