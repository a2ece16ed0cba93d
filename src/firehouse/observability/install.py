"""Wiring observability into one application: logging, the metrics route and middleware,
and the observers that feed the counters."""

from __future__ import annotations

from fastapi import FastAPI

from firehouse.alerts.batching import IngestBatcher
from firehouse.observability import metrics_api
from firehouse.observability.http_metrics import RequestMetrics
from firehouse.observability.logs import ensure_logging
from firehouse.observability.metrics import build_metrics
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.settings import Settings


def observed(
    app: FastAPI, settings: Settings, dispatcher: Dispatcher, alert_batcher: IngestBatcher
) -> FastAPI:
    """`app`, observed. Call it after every other middleware was added: the last one added
    runs outermost, and this one must also see the requests answered before routing."""
    ensure_logging(settings)
    metrics = build_metrics(dispatcher.db, dispatcher.clock)
    app.state.metrics = metrics
    app.include_router(metrics_api.router)
    app.add_middleware(RequestMetrics, metrics=metrics)
    dispatcher.observer = metrics.count_delivery
    alert_batcher.observer = metrics.count_alerts
    return app
