"""HTTP routes for people and scripts working with alerts and silences (API tokens and roles:
a viewer reads, a responder acts). The intake endpoints senders call are in `intake_api`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.alerts import queries, service, silences
from firehouse.alerts.model import Alert
from firehouse.alerts.schemas import (
    AlertDetailOut,
    AlertOut,
    AlertPage,
    SilenceIn,
    SilenceOut,
    SourceName,
    StatusName,
    alert_detail_out,
    alert_out,
    silence_out,
)
from firehouse.auth.service import Principal
from firehouse.errors import InvalidInput
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.httpapi.types import Id
from firehouse.incidents.model import Incident
from firehouse.incidents.visibility import sight_of, visible

router = APIRouter(
    prefix="/api/v1",
    tags=["alerts"],
    responses=documented(400, 401, 403, 404, 409, 422, 503),
)

AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The alert's id.")]
ISO_MOMENT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
SilenceId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The silence's id.")]


def _moment(text: str | None, field: str) -> datetime | None:
    """Text, never a bare number (which pydantic would read as seconds since 1970)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "must be an ISO 8601 time, e.g. 2026-11-26T03:00:00Z", field=field
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field=field)
    return moment


def _numbers(session: Session, alerts: Iterable[Alert], caller: Principal) -> dict[int, int]:
    """Incident id → number for the incidents these alerts belong to (one query), leaving out
    private incidents the caller may not see: their alerts show no incident at all."""
    ids = {alert.incident_id for alert in alerts if alert.incident_id is not None}
    if not ids:
        return {}
    query = select(Incident.id, Incident.number).where(
        Incident.id.in_(ids), visible(sight_of(caller))
    )
    return {row.id: row.number for row in session.execute(query)}


@router.get("/alerts")
def list_alerts(
    runtime: RuntimeDep,
    caller: Viewer,
    status: StatusName | None = None,
    source: SourceName | None = None,
    service_id: Annotated[Id | None, Query(alias="service")] = None,
    since: Annotated[
        str | None,
        Query(
            pattern=ISO_MOMENT,
            max_length=40,
            description="Last seen at or after: ISO 8601 with a zone, e.g. 2026-11-26T03:00:00Z.",
        ),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=18, description="From next_cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
) -> AlertPage:
    """Newest first."""
    criteria = queries.AlertFilter(
        status=status,
        source=source,
        service=service_id,
        since=_moment(since, "since"),
        cursor=cursor,
        limit=limit,
    )
    with runtime.db.read() as session:
        page, next_cursor = queries.list_alerts(session, criteria)
        numbers = _numbers(session, page, caller)
    return AlertPage(items=[alert_out(a, numbers) for a in page], next_cursor=next_cursor)


@router.get("/alerts/{alert_id}")
def get_alert(alert_id: AlertId, runtime: RuntimeDep, caller: Viewer) -> AlertDetailOut:
    """One alert, with the payload it last arrived in."""
    with runtime.db.read() as session:
        alert = queries.get_alert(session, alert_id)
        return alert_detail_out(alert, _numbers(session, [alert], caller))


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(alert_id: AlertId, runtime: RuntimeDep, caller: Responder) -> AlertOut:
    with runtime.db.write() as session:
        alert = service.acknowledge(session, alert_id, actor=caller.actor, now=runtime.clock.now())
        return alert_out(alert, _numbers(session, [alert], caller))


@router.post("/alerts/{alert_id}/resolve")
def resolve(alert_id: AlertId, runtime: RuntimeDep, caller: Responder) -> AlertOut:
    with runtime.db.write() as session:
        alert = service.resolve(session, alert_id, actor=caller.actor, now=runtime.clock.now())
        return alert_out(alert, _numbers(session, [alert], caller))


@router.get("/silences")
def list_silences(
    runtime: RuntimeDep,
    _caller: Viewer,
    active: Annotated[bool, Query(description="Only those in force now.")] = True,
) -> list[SilenceOut]:
    now = runtime.clock.now()
    with runtime.db.read() as session:
        found = silences.list_silences(session, active_only=active, now=now)
        return [silence_out(s, now) for s in found]


@router.post("/silences", status_code=201)
def create_silence(body: SilenceIn, runtime: RuntimeDep, caller: Responder) -> SilenceOut:
    now = runtime.clock.now()
    starts_at, ends_at = body.window(now)
    with runtime.db.write() as session:
        silence = silences.create_silence(
            session,
            matchers=body.matchers.model_dump(exclude_defaults=True),
            starts_at=starts_at,
            ends_at=ends_at,
            author=caller.actor,
            reason=body.reason,
            now=now,
        )
        return silence_out(silence, now)


@router.delete("/silences/{silence_id}")
def expire_silence(silence_id: SilenceId, runtime: RuntimeDep, caller: Responder) -> SilenceOut:
    """Ends the silence now; it stays listed (with `active=false`) as the record."""
    now = runtime.clock.now()
    with runtime.db.write() as session:
        silence = silences.expire_silence(session, silence_id, actor=caller.actor, now=now)
        return silence_out(silence, now)
