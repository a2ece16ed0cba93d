"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from firehouse.httpapi.deps import RuntimeDep
from firehouse.migrate import migration_status

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(runtime: RuntimeDep) -> dict[str, Any] | JSONResponse:
    state = migration_status(runtime.db.engine)
    body = {"status": "ok" if state.ready else "unavailable", "database": state.describe()}
    if not state.ready:
        return JSONResponse(status_code=503, content=body)
    return body
