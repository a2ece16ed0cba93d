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
from starlette.exceptions import HTTPException as StarletteHTTPException

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


def error_body(
    status: int, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {"error": _CODES.get(status, "error"), "detail": detail, "errors": errors or []}


def _field_of(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _on_validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for problem in exc.errors():
        message = str(problem.get("msg", "is invalid"))
        message = message.removeprefix("Value error, ")
        errors.append({"field": _field_of(problem.get("loc", ())), "problem": message})
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


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # registered for HTTP exceptions only
        return await _on_unexpected(_request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return JSONResponse(
        status_code=exc.status_code,
        content=error_body(exc.status_code, detail),
        headers=getattr(exc, "headers", None),
    )


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse(status_code=500, content=error_body(500, "internal error; see server log"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
