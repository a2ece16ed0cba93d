"""Gauges of the deployment's shared state, read from the database at each scrape.

The outbox, the open incidents and the scheduler's leases belong to the whole deployment, not
to one process, so every process reports the same values (aggregate them with `max`, not
`sum`). Four small queries, each on an index or a tiny table, run in the scrape's thread.
A database that cannot be read gives `firehouse_database_up 0` instead of a failed scrape, so
the alert on it can fire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.errors import DomainError
from firehouse.guidance.model import SchedulerLease
from firehouse.incidents.model import Incident
from firehouse.outbox.model import OutboxDelivery, Subscription
from firehouse.outbox.queue import DEAD, PENDING

log = logging.getLogger(__name__)

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
REMOVED = "removed"  # deliveries whose subscription was deleted have no provider any more


class DatabaseGauges:
    """A prometheus_client collector (it needs only `collect`)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def collect(self) -> Iterable[Metric]:
        now = self.clock.now()
        try:
            with self.db.read() as session:
                families = list(_families(session, now))
        except (SQLAlchemyError, DomainError) as exc:
            log.warning("metrics: the database could not be read: %s", type(exc).__name__)
            families = []
        up = GaugeMetricFamily(
            "firehouse_database_up", "1 when this scrape could read the database, else 0."
        )
        up.add_metric([], 1 if families else 0)
        return [*families, up]


def _families(session: Session, now: datetime) -> Iterator[Metric]:
    yield _outbox_depth(session)
    yield _outbox_lag(session, now)
    yield _open_incidents(session)
    yield from _scheduler(session, now)


def _outbox_depth(session: Session) -> Metric:
    family = GaugeMetricFamily(
        "firehouse_outbox_depth",
        "Deliveries waiting (pending) or parked after failing (dead), by provider.",
        labels=["provider", "state"],
    )
    rows = session.execute(
        select(Subscription.kind, OutboxDelivery.state, func.count())
        .select_from(OutboxDelivery)
        .outerjoin(Subscription, Subscription.name == OutboxDelivery.subscription)
        .where(OutboxDelivery.state.in_((PENDING, DEAD)))
        .group_by(Subscription.kind, OutboxDelivery.state)
    ).all()
    for kind, state, count in rows:
        family.add_metric([kind or REMOVED, state], count)
    return family


def _outbox_lag(session: Session, now: datetime) -> Metric:
    oldest = session.scalar(
        select(func.min(OutboxDelivery.next_attempt_at)).where(
            OutboxDelivery.state == PENDING, OutboxDelivery.next_attempt_at <= now
        )
    )
    family = GaugeMetricFamily(
        "firehouse_outbox_lag_seconds",
        "How long the oldest due delivery has waited to go out; 0 when none is due.",
    )
    family.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    return family


def _open_incidents(session: Session) -> Metric:
    family = GaugeMetricFamily(
        "firehouse_open_incidents",
        "Incidents open now, by priority; training=true counts drills and exercises.",
        labels=["priority", "training"],
    )
    counts = {(priority, training): 0 for priority in PRIORITIES for training in (False, True)}
    rows = session.execute(
        select(Incident.priority, Incident.training, func.count())
        .where(Incident.status == "open")
        .group_by(Incident.priority, Incident.training)
    ).all()
    for priority, training, count in rows:
        counts[(priority, bool(training))] = count
    for (priority, training), count in counts.items():
        family.add_metric([priority, "true" if training else "false"], count)
    return family


def _scheduler(session: Session, now: datetime) -> Iterator[Metric]:
    lag = GaugeMetricFamily(
        "firehouse_scheduler_lag_seconds",
        "Time since each scheduled job last finished a run (absent until its first run).",
        labels=["job"],
    )
    held = GaugeMetricFamily(
        "firehouse_scheduler_lease_held",
        "1 while some worker holds the job's lease (is running it), else 0.",
        labels=["job"],
    )
    for lease in session.scalars(select(SchedulerLease).order_by(SchedulerLease.name)):
        if lease.last_run_at is not None:
            lag.add_metric([lease.name], max(0.0, (now - lease.last_run_at).total_seconds()))
        running = lease.holder is not None and (lease.expires_at is None or lease.expires_at > now)
        held.add_metric([lease.name], 1 if running else 0)
    yield lag
    yield held
