"""Scale-out on PostgreSQL: three `firehouse serve` and two `firehouse worker` processes share
one database, under concurrent declares, updates and alert bursts, and one worker and one
server are killed with SIGKILL midway (the worker in the middle of a webhook delivery).

The scenario runs once for the module; each test checks one promise against its outcome:
numbers stay unique and consecutive, nothing answered 2xx is lost, and every side effect
(webhook, chat) takes effect exactly once however often it had to be attempted.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from firehouse.outbox.queue import DELIVERED
from tests.fakes.webhook_receiver import ReceivedRequest
from tests.system import state
from tests.system.emulators import TrackingReceiver, TrackingSlack
from tests.system.organisation import SECRETS, SIGNING_SECRET, config
from tests.system.processes import Deployment, Worker, deployment
from tests.system.traffic import Driver, Ledger, Rotation, start

pytestmark = pytest.mark.slow

INCIDENT_DRIVERS = 4
INCIDENTS_EACH = 8
ALERT_DRIVERS = 2
ALERT_POSTS_EACH = 30
KILL_AFTER_DECLARES = 10
DRIVING_SECONDS = 60.0
DRAIN_SECONDS = 45.0
WEBHOOK = "webhook:audit"


@dataclass
class Outcome:
    ledger: Ledger
    numbers: list[int]
    alerts: list[state.StoredAlert]
    deliveries: list[state.Delivery]
    still_pending: list[state.Delivery]
    killed_delivery: int
    killed_worker_exit: int | None
    declares_after_kills: int
    webhook_keys: list[str]  # Idempotency-Key of every request the receiver answered 2xx
    webhook_accepted: list[tuple[str, int]]  # (stream, event id), first copy of each key
    webhook_repeats: int
    chat_posts: list[tuple[str, str]]
    channel_names: list[str]
    log_directory: Path
    timings: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    directory = tmp_path_factory.mktemp("scale-out")
    with (
        TrackingReceiver(latency=(0.02, 0.05)) as receiver,
        TrackingSlack() as slack,
        deployment(
            directory,
            config(receiver.url, slack.api_url),
            FIREHOUSE_SLACK_BOT_TOKEN=slack.token,
            FIREHOUSE_SLACK_SIGNING_SECRET=SIGNING_SECRET,
            **SECRETS,
        ) as cluster,
    ):
        yield run_scenario(cluster, receiver, slack)


def run_scenario(cluster: Deployment, receiver: TrackingReceiver, slack: TrackingSlack) -> Outcome:
    began = time.monotonic()
    servers = [cluster.serve() for _ in range(3)]
    workers = [cluster.worker() for _ in range(2)]
    cluster.wait_until_ready()
    timings = {"startup": time.monotonic() - began}

    ledger = Ledger()
    rotation = Rotation([server.url for server in servers])
    threads = [
        start(drive, Driver(rotation, cluster.token, ledger), "incidents", f"d{n}", INCIDENTS_EACH)
        for n in range(INCIDENT_DRIVERS)
    ] + [
        start(drive, Driver(rotation, cluster.token, ledger), "alerts", f"a{n}", ALERT_POSTS_EACH)
        for n in range(ALERT_DRIVERS)
    ]
    wait_for(lambda: ledger.declares() >= KILL_AFTER_DECLARES, "the first declares")
    killed_delivery, victim = kill_a_worker_mid_delivery(cluster, receiver, workers)
    servers[1].kill()  # the drivers have requests in flight to it: those are never answered
    rotation.remove(servers[1].url)
    declared_at_kill = ledger.declares()
    for thread in threads:
        thread.join(timeout=DRIVING_SECONDS)
    timings["driving"] = time.monotonic() - began - timings["startup"]

    pending = state.wait_until_drained(cluster.database_url, DRAIN_SECONDS)
    timings["total"] = time.monotonic() - began
    numbers, deliveries, alerts = state.read(
        cluster.database_url,
        lambda s: (state.incident_numbers(s), state.deliveries(s), state.alerts(s)),
    )
    print(  # noqa: T201 -- shown with -rP: how much redelivery the kills caused, and the time
        f"scale-out: {len(numbers)} incidents, {len(deliveries)} deliveries, "
        f"{receiver.duplicates} webhook repeats, {ledger.unanswered} unanswered requests, "
        f"timings { ({k: round(v, 1) for k, v in timings.items()}) }"
    )
    return Outcome(
        ledger=ledger,
        numbers=numbers,
        alerts=alerts,
        deliveries=deliveries,
        still_pending=pending,
        killed_delivery=killed_delivery,
        killed_worker_exit=victim.popen.returncode,
        declares_after_kills=ledger.declares() - declared_at_kill,
        webhook_keys=[r.header("Idempotency-Key") or "" for r in receiver.requests if ok(r)],
        webhook_accepted=[(r.json()["stream"], r.json()["id"]) for r in receiver.accepted],
        webhook_repeats=receiver.duplicates,
        chat_posts=slack.bot_posts(),
        channel_names=[channel.name for channel in slack.channels.values()],
        log_directory=cluster.directory,
        timings=timings,
    )


def drive(driver: Driver, kind: str, name: str, n: int) -> None:
    try:
        getattr(driver, kind)(name, n)
    finally:
        driver.close()


def ok(request: ReceivedRequest) -> bool:
    return request.status is not None and 200 <= request.status < 300


def kill_a_worker_mid_delivery(
    cluster: Deployment, receiver: TrackingReceiver, workers: list[Worker]
) -> tuple[int, Worker]:
    """Holds the next webhook requests for 1.5 s, finds the worker whose lease covers one
    that is being held, and kills it there: the receiver has the request, the worker never
    learns the answer, and its lease must run out before the other worker takes over."""
    receiver.delay_next(2, 1.5)
    delivery = int(receiver.wait_for_held(seconds=0.3))
    owner = state.lease_owner(cluster.database_url, delivery) or ""
    victim = next(w for w in workers if owner.startswith(f"{w.worker_id}/"))
    victim.kill()
    return delivery, victim


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DRIVING_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- the kills happened where they should ---------------------------------------------------
def test_the_worker_was_killed_while_its_webhook_request_was_held(outcome: Outcome) -> None:
    assert outcome.killed_worker_exit == -9
    key = f"{delivery_event(outcome, outcome.killed_delivery)}:{WEBHOOK}"
    assert outcome.webhook_keys.count(key) >= 2  # the killed attempt, then the takeover


def test_traffic_went_on_through_the_remaining_servers_after_the_kills(outcome: Outcome) -> None:
    assert outcome.declares_after_kills > 0


def test_live_servers_answered_every_request_without_error(outcome: Outcome) -> None:
    assert outcome.ledger.errors == []


# --- incident numbers -------------------------------------------------------------------------
def test_incident_numbers_are_consecutive_from_one_without_gaps(outcome: Outcome) -> None:
    assert outcome.numbers == list(range(1, len(outcome.numbers) + 1))


def test_every_declare_answered_201_has_its_own_number_in_the_database(outcome: Outcome) -> None:
    declared = outcome.ledger.declared
    assert len(declared) == len(set(declared))
    assert set(declared) <= set(outcome.numbers)


# --- alerts -----------------------------------------------------------------------------------
def test_every_alert_answered_2xx_is_stored_once_with_its_repeats_counted(
    outcome: Outcome,
) -> None:
    stored = defaultdict(list)
    for alert in outcome.alerts:
        stored[alert.fingerprint].append(alert)
    missing = set(outcome.ledger.alerts) - set(stored)
    assert not missing, sorted(missing)[:5]
    assert all(len(alerts) == 1 for alerts in stored.values())
    undercounted = {
        fingerprint: (posted, stored[fingerprint][0].count)
        for fingerprint, posted in outcome.ledger.alerts.items()
        if stored[fingerprint][0].count < posted
    }
    assert not undercounted


# --- side effects -----------------------------------------------------------------------------
def test_no_delivery_is_left_pending_leased_or_dead(outcome: Outcome) -> None:
    assert outcome.still_pending == []
    assert {d.state for d in outcome.deliveries} == {DELIVERED}
    assert all(d.lease_owner is None for d in outcome.deliveries)


def test_each_webhook_event_takes_effect_exactly_once(outcome: Outcome) -> None:
    expected = Counter(
        (d.stream, d.event_id) for d in outcome.deliveries if d.subscription == WEBHOOK
    )
    assert Counter(outcome.webhook_accepted) == expected
    assert len(expected) >= len(outcome.ledger.declared) * 2  # declared, noted, re-prioritised…


def test_webhook_events_take_effect_in_order_per_incident(outcome: Outcome) -> None:
    per_stream = defaultdict(list)
    for stream, event_id in outcome.webhook_accepted:
        per_stream[stream].append(event_id)
    assert all(ids == sorted(ids) for ids in per_stream.values())


def test_each_incident_has_one_chat_channel(outcome: Outcome) -> None:
    channels = sorted(name for name in outcome.channel_names if name.startswith("incident-"))
    assert channels == sorted(f"incident-{number}" for number in outcome.numbers)


def test_each_chat_post_appears_exactly_once(outcome: Outcome) -> None:
    repeated = {post: n for post, n in Counter(outcome.chat_posts).items() if n > 1}
    assert not repeated
    assert len(outcome.chat_posts) >= len(outcome.numbers)  # at least each summary


def delivery_event(outcome: Outcome, delivery_id: int) -> int:
    return next(d.event_id for d in outcome.deliveries if d.id == delivery_id)
