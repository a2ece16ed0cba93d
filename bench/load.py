"""A closed-loop load generator: N workers, each sending its next request when the last returns.

Threads with one keep-alive `httpx.Client` each. The run is bounded twice, by time and by a
request count, and what happens during the warm-up (connections opening, caches filling) is
recorded nowhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from report import markdown_table

Request = tuple[str, str, dict[str, Any] | None]
"""Method, path and JSON body of one request."""

MakeRequest = Callable[[int, int], Request]
"""Given (worker, sequence number), the request to send."""


@dataclass(frozen=True)
class LoadPlan:
    concurrency: int = 8
    warmup: float = 3.0
    duration: float = 15.0
    max_requests: int = 200_000


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Job:
    base_url: str
    token: str
    make: MakeRequest
    expect: int
    measure_from: float
    stop_at: float
    max_requests: int
    cookies: dict[str, str] | None = None


def run_load(
    base_url: str,
    token: str,
    make: MakeRequest,
    expect: int,
    plan: LoadPlan,
    *,
    cookies: dict[str, str] | None = None,
) -> Samples:
    """`cookies` sign the load in to the web UI (a session cookie), as a browser would."""
    samples = Samples()
    measure_from = time.perf_counter() + plan.warmup
    stop_at = measure_from + plan.duration
    job = _Job(base_url, token, make, expect, measure_from, stop_at, plan.max_requests, cookies)
    workers = [
        threading.Thread(target=_worker, args=(job, index, samples), name=f"load-{index}")
        for index in range(plan.concurrency)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    samples.elapsed = min(time.perf_counter(), stop_at) - measure_from
    return samples


def _worker(job: _Job, index: int, samples: Samples) -> None:
    headers = {"Authorization": f"Bearer {job.token}"}
    with httpx.Client(
        base_url=job.base_url, headers=headers, cookies=job.cookies, timeout=30
    ) as client:
        sequence = 0
        while time.perf_counter() < job.stop_at and len(samples.latencies) < job.max_requests:
            method, path, body = job.make(index, sequence)
            sequence += 1
            began = time.perf_counter()
            try:
                status = client.request(method, path, json=body).status_code
                problem = "" if status == job.expect else f"HTTP {status} on {method} {path}"
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__} on {method} {path}"
            took = time.perf_counter() - began
            if began < job.measure_from:
                continue
            with samples.lock:
                samples.latencies.append(took)
                if problem:
                    samples.errors += 1
                    samples.first_error = samples.first_error or problem


@dataclass(frozen=True)
class Summary:
    name: str
    database: str
    concurrency: int
    requests: int
    errors: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    per_second: float
    first_error: str = ""


def summarise(name: str, database: str, concurrency: int, samples: Samples) -> Summary:
    ordered = sorted(samples.latencies) or [0.0]

    def pct(share: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
        return ordered[min(rank, len(ordered)) - 1] * 1000

    return Summary(
        name=name,
        database=database,
        concurrency=concurrency,
        requests=len(samples.latencies),
        errors=samples.errors,
        median_ms=pct(0.50),
        p90_ms=pct(0.90),
        p99_ms=pct(0.99),
        max_ms=ordered[-1] * 1000,
        per_second=len(samples.latencies) / samples.elapsed if samples.elapsed > 0 else 0.0,
        first_error=samples.first_error,
    )


@dataclass(frozen=True)
class Goal:
    """Targets in milliseconds; None where the issue sets none."""

    median_ms: float | None = None
    p99_ms: float | None = None

    def verdict(self, summary: Summary) -> str:
        if summary.errors:
            return f"errors ({summary.first_error})"
        parts = []
        if self.median_ms is not None:
            ok = summary.median_ms < self.median_ms
            parts.append(f"median < {self.median_ms:g}: {'met' if ok else 'MISSED'}")
        if self.p99_ms is not None:
            ok = summary.p99_ms < self.p99_ms
            parts.append(f"p99 < {self.p99_ms:g}: {'met' if ok else 'MISSED'}")
        return "; ".join(parts) or (
            "ceiling" if summary.name.startswith("GET /healthz") else "no goal set"
        )


def results_table(rows: list[tuple[Summary, Goal]]) -> str:
    header = ["scenario", "db", "conc.", "requests", "errors", "median ms", "p90 ms", "p99 ms"]
    header += ["max ms", "req/s", "goal"]
    body = [
        [
            s.name,
            s.database,
            str(s.concurrency),
            str(s.requests),
            str(s.errors),
            f"{s.median_ms:.1f}",
            f"{s.p90_ms:.1f}",
            f"{s.p99_ms:.1f}",
            f"{s.max_ms:.1f}",
            f"{s.per_second:.0f}",
            goal.verdict(s),
        ]
        for s, goal in rows
    ]
    return markdown_table(header, body)
