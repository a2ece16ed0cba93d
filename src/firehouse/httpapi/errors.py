"""One error shape for every 4xx: `{"error", "detail", "errors": [{"field", "problem"}]}`.

`detail` is a single readable line naming the field, so a human or a script's log says what
to fix without parsing anything.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from firehouse.errors import DomainError

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "unavailable",
}


class Problem(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    """What every 4xx answer carries; documented so clients and fuzzers know the shape."""

    error: str
    detail: str
    errors: list[Problem]


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a router: these statuses answer with an ErrorBody."""
    return {status: {"model": ErrorBody, "description": _CODES[status]} for status in statuses}


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def error_body(
    status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {"error": _CODES.get(status, "error"), "detail": detail, "errors": errors or []}


def _field_of(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _describe(problem: dict[str, Any]) -> dict[str, str]:
    if problem.get("type") == "json_invalid":
        # Its location is a character offset, not a field: the whole body is at fault.
        reason = (problem.get("ctx") or {}).get("error", "")
        return {"field": "body", "problem": f"is not valid JSON ({reason})".replace(" ()", "")}
    message = str(problem.get("msg", "is invalid")).removeprefix("Value error, ")
    return {"field": _field_of(problem.get("loc", ())), "problem": message}


async def _on_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for problem in exc.errors():
        errors.append(_describe(problem))
    if not errors:
        errors = [{"field": "body", "problem": "is invalid"}]
    detail = "; ".join(f"{e['field']}: {e['problem']}" for e in errors[:5])
    return JSONResponse(status_code=422, content=error_body(422, detail, errors))


async def _on_domain(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, DomainError):  # registered for DomainError only
        return await _on_unexpected(_request, exc)
    errors = [{"field": exc.field, "problem": exc.message}] if exc.field else []
    detail = f"{exc.field}: {exc.message}" if exc.field else exc.message
    headers = {"Retry-After": "1"} if exc.status == 503 else None
    return JSONResponse(
        status_code=exc.status, content=error_body(exc.status, detail, errors), headers=headers
    )


def _allowed_methods(request: Request) -> str:
    """Every method served at this path. Starlette names only those of the first route that
    matched the path, and FastAPI makes one route per method, so it would list just one."""
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    )


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # registered for HTTP exceptions only
        return await _on_unexpected(request, exc)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    errors = None
    if exc.status_code == 400:  # FastAPI's only 400: a body it cannot decode
        errors = [{"field": "body", "problem": "is not a readable JSON document"}]
        detail = "body: is not a readable JSON document"
    return JSONResponse(
        status_code=exc.status_code,
        content=error_body(exc.status_code, detail, errors),
        headers=headers or None,
    )


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse(status_code=500, content=error_body(500, "internal error; see server log"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
