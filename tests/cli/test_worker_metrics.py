"""`firehouse worker --metrics-port`: a worker has no API, so it serves its own metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.databases import sqlite_copy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _scrape(url: str, worker: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited before serving its metrics"
        try:
            return httpx.get(url, timeout=2).text
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("no metrics within 30 s")


def test_a_worker_serves_its_delivery_counters_and_the_queue_gauges(
    sqlite_template: Path, tmp_path: Path
) -> None:
    port = _free_port()
    env = {**os.environ, "FIREHOUSE_DATABASE_URL": sqlite_copy(sqlite_template, tmp_path)}
    worker = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "firehouse.cli.main", "worker", "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        text = _scrape(f"http://127.0.0.1:{port}/metrics", worker)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert "# TYPE firehouse_outbox_deliveries_total counter" in text
    assert "firehouse_outbox_lag_seconds" in text
    assert 'firehouse_open_incidents{priority="P1"' in text
    assert worker.returncode == 0, output


def test_a_taken_metrics_port_is_one_clear_error(sqlite_template: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "FIREHOUSE_DATABASE_URL": sqlite_copy(sqlite_template, tmp_path)}
        done = subprocess.run(  # noqa: S603 -- our own interpreter and module
            [sys.executable, "-m", "firehouse.cli.main", "worker", "--metrics-port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"--metrics-port: cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
