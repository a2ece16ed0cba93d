"""Graceful shutdown on SIGTERM, as an orchestrator stops a process before replacing it.

A worker finishes the delivery it is making, gives back every lease it holds (deliveries it
claimed but did not start, scheduler jobs) and exits 0, so no other worker has to wait for a
lease to run out. A server stops accepting connections at once, answers the requests it
already accepted in full, and exits 0.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.incidents import service
from firehouse.integrations.slack.signature import sign
from firehouse.outbox.queue import DELIVERED, PENDING
from tests.system import state
from tests.system.emulators import TrackingReceiver, TrackingSlack
from tests.system.organisation import SECRETS, SIGNING_SECRET, config
from tests.system.processes import deployment

pytestmark = pytest.mark.slow

HOLD_SECONDS = 1.5
EXIT_SECONDS = 5.0
INCIDENTS = 3


# --- worker -----------------------------------------------------------------------------------
@dataclass
class WorkerStop:
    held_delivery: int
    held_key: str
    exit_code: int | None
    exit_seconds: float
    accepted_keys: list[str]
    deliveries: list[state.Delivery]
    scheduler_holders: dict[str, str | None]
    log_directory: Path


@pytest.fixture(scope="module")
def worker_stop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerStop]:
    directory = tmp_path_factory.mktemp("worker-stop")
    with (
        TrackingReceiver() as receiver,
        deployment(directory, config(receiver.url), **SECRETS) as cluster,
    ):
        worker = cluster.worker()
        cluster.wait_until_ready()
        receiver.delay_next(1, HOLD_SECONDS)
        declare_together(cluster.database_url, INCIDENTS)  # one claim takes all three
        held = int(receiver.wait_for_held(seconds=0.3))
        worker.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        with contextlib.suppress(subprocess.TimeoutExpired):  # judged by the tests below
            worker.popen.wait(timeout=EXIT_SECONDS * 2)
        exit_seconds = time.monotonic() - stopped_at
        deliveries, holders = state.read(
            cluster.database_url, lambda s: (state.deliveries(s), state.scheduler_holders(s))
        )
        held_event = next(d.event_id for d in deliveries if d.id == held)
        yield WorkerStop(
            held_delivery=held,
            held_key=f"{held_event}:webhook:audit",
            exit_code=worker.popen.poll(),
            exit_seconds=exit_seconds,
            accepted_keys=[r.header("Idempotency-Key") or "" for r in receiver.accepted],
            deliveries=deliveries,
            scheduler_holders=holders,
            log_directory=directory,
        )


def declare_together(database_url: str, count: int) -> None:
    """Incidents declared in one transaction, so their deliveries become due at once."""
    db = Database(database_url)
    try:
        with db.write() as session:
            for index in range(count):
                declaration = service.Declaration(
                    service="website", message=f"Shutdown test {index}", priority="P4"
                )
                service.declare(session, declaration, actor="system-test", now=SystemClock().now())
    finally:
        db.dispose()


def test_a_stopped_worker_exits_0_within_seconds(worker_stop: WorkerStop) -> None:
    assert worker_stop.exit_code == 0
    assert worker_stop.exit_seconds < EXIT_SECONDS


def test_a_stopped_worker_finishes_the_delivery_it_was_making(worker_stop: WorkerStop) -> None:
    assert worker_stop.held_key in worker_stop.accepted_keys
    held = next(d for d in worker_stop.deliveries if d.id == worker_stop.held_delivery)
    assert held.state == DELIVERED


def test_a_stopped_worker_leaves_no_delivery_leased(worker_stop: WorkerStop) -> None:
    assert {d.state for d in worker_stop.deliveries} <= {DELIVERED, PENDING}
    assert [d for d in worker_stop.deliveries if d.lease_owner is not None] == []


def test_a_stopped_worker_holds_no_scheduler_lease(worker_stop: WorkerStop) -> None:
    assert worker_stop.scheduler_holders  # it ran its scheduled jobs before it was stopped
    assert {name: h for name, h in worker_stop.scheduler_holders.items() if h} == {}


# --- server -----------------------------------------------------------------------------------
@dataclass
class ServerStop:
    slow_answer: httpx.Response | None
    refused_while_in_flight: bool
    exit_code: int | None
    log_directory: Path


@pytest.fixture(scope="module")
def server_stop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerStop]:
    """`/incident declare` in Slack opens a form at once, inside the request: with the Slack
    emulator answering views.open after 2 s, that request is in flight for 2 s."""
    directory = tmp_path_factory.mktemp("server-stop")
    with (
        TrackingReceiver() as receiver,
        TrackingSlack() as slack,
        deployment(
            directory,
            config(receiver.url, slack.api_url),
            FIREHOUSE_SLACK_BOT_TOKEN=slack.token,
            FIREHOUSE_SLACK_SIGNING_SECRET=SIGNING_SECRET,
            **SECRETS,
        ) as cluster,
    ):
        server = cluster.serve(FIREHOUSE_DISPATCHER="true")
        cluster.wait_until_ready()
        slack.set_latency(2.0, "views.open")
        answers: list[httpx.Response | None] = []
        request = threading.Thread(
            target=lambda: answers.append(declare_in_slack(server.url, slack.new_trigger_id()))
        )
        request.start()
        slack.wait_for_call("views.open")
        server.send_signal(signal.SIGTERM)
        refused = wait_until_refused(server.url, seconds=1.5)
        refused_while_in_flight = refused and request.is_alive()
        request.join(timeout=15)
        with contextlib.suppress(subprocess.TimeoutExpired):  # judged by the tests below
            server.popen.wait(timeout=15)
        yield ServerStop(
            slow_answer=answers[0] if answers else None,
            refused_while_in_flight=refused_while_in_flight,
            exit_code=server.popen.poll(),
            log_directory=directory,
        )


def declare_in_slack(base_url: str, trigger_id: str) -> httpx.Response | None:
    """`/incident declare`, signed as Slack signs it."""
    body = urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0GENERAL",
            "user_id": "U0ALICE",
            "user_name": "alice",
            "command": "/incident",
            "text": "declare",
            "trigger_id": trigger_id,
            "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
        }
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body),
    }
    try:
        return httpx.post(
            f"{base_url}/api/v1/integrations/slack/commands",
            content=body,
            headers=headers,
            timeout=15,
        )
    except httpx.TransportError:
        return None


def wait_until_refused(base_url: str, seconds: float) -> bool:
    """True once a new connection to the server's port is refused."""
    address = urlsplit(base_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://{address.netloc}/healthz", timeout=0.5)
        except httpx.ConnectError:
            return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


def test_a_stopped_server_refuses_new_connections_while_finishing_a_request(
    server_stop: ServerStop,
) -> None:
    assert server_stop.refused_while_in_flight


def test_a_stopped_server_answers_the_request_in_flight_in_full(server_stop: ServerStop) -> None:
    assert server_stop.slow_answer is not None
    assert server_stop.slow_answer.status_code == 200


def test_a_stopped_server_exits_0(server_stop: ServerStop) -> None:
    assert server_stop.exit_code == 0
