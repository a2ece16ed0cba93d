"""The intake endpoints: Alertmanager, OpsGenie, PagerDuty and generic JSON, each in its
sender's own language, so existing monitoring points here by changing one URL.

Every request goes the same way: key (in memory), size, JSON, the format's parser (pure),
then one write transaction through `alerts.service.ingest`. The 2xx is sent only after that
transaction committed, so an acknowledged alert is never lost. Anything the sender got wrong
is a 4xx naming the field, with nothing stored; a busy or unreachable database is a 503,
never a 4xx, because Alertmanager drops a 4xx for good and retries a 5xx.

Errors take each sender's shape: firehouse's `{error, detail, errors}` for Alertmanager and
the generic endpoint, OpsGenie's `{message, took, requestId}` and PagerDuty's
`{status, message, errors}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from firehouse.alerts.batching import IngestBatcher
from firehouse.alerts.events import AlertEvent, IngestResult, Outcome, PayloadError
from firehouse.alerts.formats import alertmanager, generic, opsgenie, pagerduty
from firehouse.alerts.intake_auth import IntakeKey, IntakeKeys
from firehouse.alerts.intake_requests import RequestRecord, decode, encode
from firehouse.alerts.schemas import (
    IntakeOut,
    OpsGenieAccepted,
    OpsGenieError,
    OpsGenieRequestStatus,
    PagerDutyAccepted,
    PagerDutyError,
    intake_out,
    shaped,
)
from firehouse.errors import DomainError
from firehouse.httpapi.deps import RuntimeDep
from firehouse.httpapi.errors import documented, error_body
from firehouse.httpapi.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an Alertmanager group of a few thousand alerts fits
PAGERDUTY_MAX_BODY = 512 * 1024  # PagerDuty's own limit for one event
MAX_IDENTIFIER = 512  # OpsGenie's longest alias

router = APIRouter(tags=["alert intake"])

OPSGENIE_ERRORS = shaped(OpsGenieError, 400, 401, 404, 413, 422, 503)
ErrorRenderer = Callable[[int, str, str], JSONResponse]


class Refused(Exception):
    """The request is refused before anything is stored: `status` and the field at fault."""

    def __init__(self, status: int, problem: str, field: str = "body") -> None:
        super().__init__(f"{field}: {problem}")
        self.status, self.problem, self.field = status, problem, field


# the shared steps ----------------------------------------------------------------------------
def _intake_keys(request: Request, runtime: Runtime) -> IntakeKeys:
    keys: IntakeKeys | None = getattr(request.app.state, "intake_keys", None)
    if keys is None:  # made on first use; two racing requests make two, harmlessly
        keys = IntakeKeys.for_database(runtime.db)
        request.app.state.intake_keys = keys
    return keys


def _credential(request: Request, scheme: str) -> str:
    given, _, value = request.headers.get("authorization", "").partition(" ")
    if given.lower() != scheme.lower() or not value.strip():
        raise Refused(401, f"send '{scheme} <intake key>'", "Authorization")
    return value.strip()


async def _authorise(request: Request, runtime: Runtime, presented: str, field: str) -> IntakeKey:
    keys = _intake_keys(request, runtime)
    key = keys.match(presented) if keys.fresh else await run_in_threadpool(keys.match, presented)
    if key is None:
        raise Refused(401, "is not a configured intake key (see intake.keys)", field)
    return key


async def _body(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` bytes (chunked senders give no length)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise Refused(413, f"must be at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"must be at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(body: bytes, *, empty: Any = None) -> Any:
    if empty is not None and not body.strip():
        return empty
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Refused(400, "is not a valid JSON document") from None


async def _store(
    request: Request, events: Sequence[AlertEvent], integration: str
) -> list[IngestResult]:
    """Returns once the transaction holding `events` committed (see alerts/batching.py)."""
    batcher: IngestBatcher = request.app.state.alert_batcher
    return await asyncio.wrap_future(batcher.submit(events, integration))


async def _answer(work: Awaitable[Response], render: ErrorRenderer, invalid: int) -> Response:
    """`work`'s answer, or the sender's error shape; `invalid`: the status of a bad payload."""
    try:
        return await work
    except Refused as exc:
        return render(exc.status, exc.problem, exc.field)
    except PayloadError as exc:
        return render(invalid, exc.problem, exc.field)
    except DomainError as exc:  # Unavailable (503) above all: the sender will retry
        if exc.status >= 500:
            log.warning("alert intake refused with %s: %s", exc.status, exc.message)
        return render(exc.status, exc.message, exc.field or "body")


# firehouse's own shape: Alertmanager and generic ---------------------------------------------
def _firehouse_error(status: int, problem: str, field: str) -> JSONResponse:
    headers = {"Retry-After": "1"} if status == 503 else None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    body = error_body(status, f"{field}: {problem}", [{"field": field, "problem": problem}])
    return JSONResponse(status_code=status, content=body, headers=headers)


def _accepted(results: Sequence[IngestResult], truncated: int = 0) -> JSONResponse:
    return JSONResponse(status_code=202, content=intake_out(results, truncated))


@router.post(
    "/api/v1/integrations/alertmanager",
    status_code=202,
    response_model=IntakeOut,
    responses=documented(400, 401, 413, 422, 503),
    summary="Prometheus Alertmanager webhook (version 4); the intake key as a bearer token",
)
async def alertmanager_webhook(request: Request, runtime: RuntimeDep) -> Response:
    async def work() -> Response:
        key = await _authorise(request, runtime, _credential(request, "Bearer"), "Authorization")
        payload = _json(await _body(request, MAX_BODY))
        events = alertmanager.parse(payload)
        results = await _store(request, events, key.name)
        return _accepted(results, alertmanager.truncated(payload))

    return await _answer(work(), _firehouse_error, 422)


@router.post(
    "/api/v1/alerts",
    status_code=202,
    response_model=IntakeOut,
    responses=documented(400, 401, 413, 422, 503),
    summary="Generic JSON alerts (one, or {alerts: [...]}); the intake key as a bearer token",
)
async def generic_alerts(request: Request, runtime: RuntimeDep) -> Response:
    async def work() -> Response:
        key = await _authorise(request, runtime, _credential(request, "Bearer"), "Authorization")
        events = generic.parse(_json(await _body(request, MAX_BODY)))
        return _accepted(await _store(request, events, key.name))

    return await _answer(work(), _firehouse_error, 422)


# PagerDuty Events API v2 ---------------------------------------------------------------------
def _pagerduty_error(status: int, problem: str, field: str) -> JSONResponse:
    status_word, message = {
        400: ("invalid event", "Event object is invalid"),
        401: ("invalid event", "Invalid routing key"),
        413: ("invalid event", "Event object is too large"),
    }.get(status, ("error", "Event could not be processed; retry"))
    headers = {"Retry-After": "1"} if status >= 500 else None
    body = {"status": status_word, "message": message, "errors": [f"'{field}' {problem}"]}
    return JSONResponse(status_code=status, content=body, headers=headers)


@router.post(
    "/v2/enqueue",
    status_code=202,
    response_model=PagerDutyAccepted,
    responses=shaped(PagerDutyError, 400, 401, 413, 503),
    summary="PagerDuty Events API v2; the intake key is the event's routing_key",
)
async def pagerduty_enqueue(request: Request, runtime: RuntimeDep) -> Response:
    async def work() -> Response:
        payload = _json(await _body(request, PAGERDUTY_MAX_BODY))
        routing_key = payload.get("routing_key") if isinstance(payload, dict) else None
        if not isinstance(routing_key, str) or not routing_key.strip():
            raise Refused(400, "is missing or blank", "routing_key")
        key = await _authorise(request, runtime, routing_key, "routing_key")
        try:
            event = pagerduty.parse(payload)
        except pagerduty.InvalidEvent as exc:  # every problem at once, in PagerDuty's words
            body = {"status": "invalid event", "message": "Event object is invalid"}
            return JSONResponse(status_code=400, content=body | {"errors": list(exc.errors)})
        results = await _store(request, [event], key.name)
        dedup_key = results[0].fingerprint if results else event.fingerprint
        body = {"status": "success", "message": "Event processed", "dedup_key": dedup_key}
        return JSONResponse(status_code=202, content=body)

    return await _answer(work(), _pagerduty_error, 400)


# OpsGenie Alert API v2 -----------------------------------------------------------------------
def _took(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _opsgenie_error(started: float) -> ErrorRenderer:
    def render(status: int, problem: str, field: str) -> JSONResponse:
        body: dict[str, Any] = {"message": problem if status == 404 else f"{field}: {problem}"}
        if status == 401:
            body = {"message": "Could not authenticate"}
        elif status == 422:
            body = {
                "message": "Request body is not processable. Please check the errors.",
                "errors": {field: problem},
            }
        body |= {"took": _took(started), "requestId": str(uuid.uuid4())}
        headers = {"Retry-After": "1"} if status >= 500 else None
        return JSONResponse(status_code=status, content=body, headers=headers)

    return render


async def _opsgenie(
    request: Request,
    runtime: Runtime,
    action: str,
    parse: Callable[[Any], AlertEvent],
) -> Response:
    started = time.perf_counter()

    async def work() -> Response:
        key = await _authorise(request, runtime, _credential(request, "GenieKey"), "Authorization")
        event = parse(
            _json(await _body(request, MAX_BODY), empty={} if action != "Create" else None)
        )
        results = await _store(request, [event], key.name)
        request_id = encode(_record(action, event, results, key, runtime.clock.now()), key.value)
        body = {"result": "Request will be processed", "took": _took(started)}
        return JSONResponse(status_code=202, content=body | {"requestId": request_id})

    return await _answer(work(), _opsgenie_error(started), 422)


def _record(
    action: str, event: AlertEvent, results: Sequence[IngestResult], key: IntakeKey, now: datetime
) -> RequestRecord:
    result = results[0] if results else IngestResult(Outcome.IGNORED, event.fingerprint)
    return RequestRecord(
        action=action,
        outcome=result.outcome,
        alert_id=result.alert_id,
        alias=result.fingerprint,
        processed_at=now,
        integration=key.name,
    )


def _identified(identifier: str, identifier_type: str | None) -> tuple[str, str]:
    kind = (identifier_type or "id").strip().lower()
    if kind not in {"id", "alias"}:
        raise Refused(422, "must be id or alias", "identifierType")
    if not identifier.strip() or len(identifier) > MAX_IDENTIFIER:
        raise Refused(422, f"must be 1-{MAX_IDENTIFIER} characters", "identifier")
    return identifier, kind


@router.post(
    "/v2/alerts",
    status_code=202,
    response_model=OpsGenieAccepted,
    responses=OPSGENIE_ERRORS,
    summary="OpsGenie: create an alert (GenieKey)",
)
async def opsgenie_create(request: Request, runtime: RuntimeDep) -> Response:
    return await _opsgenie(request, runtime, "Create", opsgenie.parse_create)


@router.post(
    "/v2/alerts/{identifier}/close",
    status_code=202,
    response_model=OpsGenieAccepted,
    responses=OPSGENIE_ERRORS,
    summary="OpsGenie: close an alert",
)
async def opsgenie_close(
    identifier: str,
    request: Request,
    runtime: RuntimeDep,
    identifierType: str | None = None,  # noqa: N803 - OpsGenie's parameter name
) -> Response:
    def parse(payload: Any) -> AlertEvent:
        return opsgenie.parse_close(*_identified(identifier, identifierType), payload)

    return await _opsgenie(request, runtime, "Close", parse)


@router.post(
    "/v2/alerts/{identifier}/acknowledge",
    status_code=202,
    response_model=OpsGenieAccepted,
    responses=OPSGENIE_ERRORS,
    summary="OpsGenie: acknowledge an alert",
)
async def opsgenie_acknowledge(
    identifier: str,
    request: Request,
    runtime: RuntimeDep,
    identifierType: str | None = None,  # noqa: N803 - OpsGenie's parameter name
) -> Response:
    def parse(payload: Any) -> AlertEvent:
        return opsgenie.parse_acknowledge(*_identified(identifier, identifierType), payload)

    return await _opsgenie(request, runtime, "Acknowledge", parse)


_STATUS = {
    Outcome.CREATED: "Created alert",
    Outcome.REPEATED: "Alert already exists; count incremented",
    Outcome.ACKNOWLEDGED: "Acknowledged alert",
    Outcome.RESOLVED: "Closed alert",
    Outcome.IGNORED: "Alert does not exist",
}


@router.get(
    "/v2/alerts/requests/{request_id}",
    response_model=OpsGenieRequestStatus,
    responses=OPSGENIE_ERRORS,
    summary="OpsGenie: the outcome of an alert request",
)
async def opsgenie_request_status(
    request_id: str, request: Request, runtime: RuntimeDep
) -> Response:
    started = time.perf_counter()

    async def work() -> Response:
        key = await _authorise(request, runtime, _credential(request, "GenieKey"), "Authorization")
        record = decode(request_id, key.value)
        if record is None:
            raise Refused(404, "Request not found. It might not be processed, yet.", "requestId")
        success = record.outcome is not Outcome.IGNORED
        data = {
            "success": success,
            "isSuccess": success,
            "action": record.action,
            "processedAt": record.processed_at.isoformat().replace("+00:00", "Z"),
            "integrationId": record.integration,
            "status": _STATUS[record.outcome],
            "alertId": "" if record.alert_id is None else str(record.alert_id),
            "alias": record.alias,
        }
        body = {"data": data, "took": _took(started), "requestId": str(uuid.uuid4())}
        return JSONResponse(status_code=200, content=body)

    return await _answer(work(), _opsgenie_error(started), 422)
