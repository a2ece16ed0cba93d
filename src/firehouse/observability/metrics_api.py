"""`GET /metrics`: the Prometheus text exposition, for any API token (viewer and up).

A token rather than an open endpoint: the gauges tell how many P1 incidents are open right
now, which is not for the public. Prometheus sends it with `authorization: {credentials: …}`
in its scrape config (docs/observability.md). A plain `def`, so the gauges' database queries
run in the thread pool, not on the event loop. Text format 0.0.4, which every Prometheus
version reads (all names here are plain ASCII, so the newer format would say the same).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from firehouse.httpapi.deps import Viewer
from firehouse.httpapi.errors import documented
from firehouse.observability.metrics import Metrics

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}, "description": "Prometheus text format"},
        **documented(401, 403),
    },
    summary="Metrics in the Prometheus text format (any API token)",
)
def prometheus_metrics(request: Request, _caller: Viewer) -> Response:
    metrics: Metrics = request.app.state.metrics
    return Response(
        content=generate_latest(metrics.registry),
        media_type=CONTENT_TYPE_PLAIN_0_0_4,
        headers={"Cache-Control": "no-store"},
    )
