"""The metrics of one application: what this process counted, plus the deployment's shared
state read from the database when Prometheus scrapes (db_gauges.py).

One registry per app, not prometheus_client's global one: tests build many apps in one
process, and each must start from zero. Other packages never import prometheus_client; they
are handed plain callables (`count_delivery`, `count_alerts`) that this module provides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Info, disable_created_metrics

from firehouse import __version__
from firehouse.alerts.events import AlertEvent, IngestResult, Outcome
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.observability.db_gauges import DatabaseGauges
from firehouse.observability.latency import LatencyHistogram

# Per-series `_created` timestamps double the series count and no dashboard uses them.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client


@dataclass
class Metrics:
    registry: CollectorRegistry
    request_duration: LatencyHistogram
    deliveries: Counter
    alerts_ingested: Counter
    alerts_deduplicated: Counter

    def count_delivery(self, provider: str, result: str) -> None:
        """The dispatcher's observer: one settled (or lost) delivery attempt."""
        self.deliveries.labels(provider=provider, result=result).inc()

    def count_alerts(self, events: Sequence[AlertEvent], results: Sequence[IngestResult]) -> None:
        """The intake batcher's observer: one request's alerts, after their commit."""
        for event, result in zip(events, results, strict=False):
            source = event.source.value
            self.alerts_ingested.labels(source=source).inc()
            if result.outcome is Outcome.REPEATED:
                self.alerts_deduplicated.labels(source=source).inc()


def build_metrics(db: Database, clock: Clock) -> Metrics:
    registry = CollectorRegistry()
    metrics = Metrics(
        registry=registry,
        request_duration=LatencyHistogram(),
        deliveries=Counter(
            "firehouse_outbox_deliveries",
            "Outbox delivery attempts this process made, by provider and result "
            "(delivered, retry, dead, lease_lost).",
            ["provider", "result"],
            registry=registry,
        ),
        alerts_ingested=Counter(
            "firehouse_alerts_ingested",
            "Alerts taken in and committed, by source: alertmanager, opsgenie, pagerduty, generic.",
            ["source"],
            registry=registry,
        ),
        alerts_deduplicated=Counter(
            "firehouse_alerts_deduplicated",
            "Alerts that repeated one already open and only raised its count, by source.",
            ["source"],
            registry=registry,
        ),
    )
    Info("firehouse_build", "The firehouse version this process runs.", registry=registry).info(
        {"version": __version__}
    )
    registry.register(metrics.request_duration)
    registry.register(DatabaseGauges(db, clock))
    return metrics
