"""Nothing acknowledged is lost: `firehouse serve` killed with SIGKILL in the middle of a burst
of alerts keeps every alert it answered 2xx for.

The server is a real process started as a user would (`python -m firehouse.cli.main serve`),
its intake key set through `config apply` and the environment; the burst comes from threads,
each alert with a fingerprint of its own, so an alert is in the database only if its own
request committed it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from firehouse.alerts.model import Alert
from firehouse.db import Database
from tests.cli.support import firehouse, free_port

pytestmark = pytest.mark.slow

KEY_VARIABLE = "FIREHOUSE_TEST_INTAKE_KEY"
KEY = "durability-test-key"
SENDERS = 8
KILL_AFTER_ACKNOWLEDGED = 150
DEADLINE_SECONDS = 20.0
CONFIG = f"""\
organisation: {{name: Durability Test}}
teams:
  - {{id: platform, name: Platform}}
services:
  - {{id: website, name: Website, team: platform}}
intake:
  keys:
    - {{name: default, key_env: {KEY_VARIABLE}}}
routing:
  default: record
"""


@contextmanager
def serving(database_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`firehouse serve` on a loopback port, killed at the end if still alive."""
    env = {
        **os.environ,
        "FIREHOUSE_DATABASE_URL": database_url,
        KEY_VARIABLE: KEY,
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "firehouse.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_until_healthy(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nothing answered on {url}")


def notification(fingerprint: str) -> dict[str, Any]:
    """An Alertmanager webhook notification (version 4) carrying one firing alert."""
    now = datetime.now(UTC).isoformat()
    labels = {"alertname": "HighErrorRate", "service": "website", "instance": fingerprint}
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="HighErrorRate", instance="{fingerprint}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "firehouse",
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": labels,
        "commonAnnotations": {"summary": "5xx above 2% on the website"},
        "externalURL": "http://alertmanager.example:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": "5xx above 2% on the website"},
                "startsAt": now,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example:9090/graph",
                "fingerprint": fingerprint,
            }
        ],
    }


class Burst:
    """Senders in a closed loop, each alert new; remembers which ones were acknowledged."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.acknowledged: set[str] = set()
        self.refused: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def send(self, sender: int) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=5) as client:
            sequence = 0
            while not self.stop.is_set():
                fingerprint = f"s{sender}-{sequence:05d}"
                sequence += 1
                try:
                    answer = client.post(
                        "/api/v1/integrations/alertmanager", json=notification(fingerprint)
                    )
                except httpx.TransportError:
                    return  # the server is gone: this alert's fate is unknown, and untested
                with self.lock:
                    if answer.is_success:
                        self.acknowledged.add(fingerprint)
                    else:
                        self.refused.append(f"{answer.status_code} {answer.text[:200]}")

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def stored_fingerprints(database_url: str) -> set[str]:
    db = Database(database_url)
    try:
        with db.read() as session:
            return set(session.scalars(select(Alert.fingerprint)))
    finally:
        db.dispose()


def test_every_alert_answered_2xx_survives_sigkill_mid_burst(
    database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "firehouse.yaml"
    config.write_text(CONFIG)
    applied = firehouse("config", "apply", str(config))
    assert applied.exit_code == 0, applied.stderr

    port = free_port()
    with serving(database_url, port) as server:
        burst = Burst(f"http://127.0.0.1:{port}")
        senders = [threading.Thread(target=burst.send, args=(n,)) for n in range(SENDERS)]
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + DEADLINE_SECONDS
        while burst.count() < KILL_AFTER_ACKNOWLEDGED and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)  # mid-burst: every sender has a request in flight
        server.wait(timeout=10)
        burst.stop.set()
        for sender in senders:
            sender.join(timeout=10)

    assert not burst.refused, burst.refused[:3]
    assert burst.count() >= KILL_AFTER_ACKNOWLEDGED, "the burst never got going"
    with serving(database_url, free_port()):  # the server comes back on the same database
        stored = stored_fingerprints(database_url)
    lost = burst.acknowledged - stored
    assert not lost, f"{len(lost)} acknowledged alerts lost, e.g. {sorted(lost)[:5]}"
