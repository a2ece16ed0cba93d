"""Deduplication: each event becomes a new alert, a repeat of the open one, or the end of it.

The hot path is the repeat (monitoring resends what still fires): one UPDATE … RETURNING on
the open key, with no read before it and no routing. A trigger that finds nothing open inserts
inside a SAVEPOINT; if a concurrent delivery inserted the same open key first, the UNIQUE
constraint refuses the second row, the savepoint rolls back, and the event counts as a repeat.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    Update,
    bindparam,
    case,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firehouse.alerts.events import AlertEvent, IngestResult, Outcome
from firehouse.alerts.fingerprint import (
    MAX_FINGERPRINT,
    MAX_SCOPE,
    bounded,
    is_id_reference,
    open_key,
    referenced_alert_id,
)
from firehouse.alerts.model import Alert
from firehouse.db import UTCDateTime
from firehouse.incidents.model import Incident

MAX_RAW_BYTES = 64 * 1024
MAX_SUMMARY = 1000

Router = Callable[[Alert, AlertEvent], int | None]
"""Routes a new alert (sets its action, rule, incident) and returns its incident's number."""


def key_of(event: AlertEvent) -> str:
    return open_key(event.source.value, event.scope, event.fingerprint)


def trigger(
    session: Session,
    event: AlertEvent,
    *,
    now: datetime,
    build: Callable[[], Alert],
    route: Router,
) -> IngestResult:
    key = key_of(event)
    repeated = count_repeat(session, key, event, now=now)
    if repeated is not None:
        return repeated
    alert = build()
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        repeated = count_repeat(session, key, event, now=now)
        if repeated is None:
            raise
        return repeated
    number = route(alert, event)
    return IngestResult(Outcome.CREATED, event.fingerprint, alert.id, number)


# Built once: this is the statement of nearly every alert delivery, and building it (with its
# cache key) cost more than running it. It is a Core statement on the table, not an ORM one:
# an ORM UPDATE afterwards looks for the updated rows among the session's objects to refresh
# them, which took 40% of the intake's time, and the intake holds no Alert objects to refresh.
ALERTS = cast(Table, Alert.__table__)


def counting_update(*where: ColumnElement[bool]) -> Update:
    """The UPDATE that counts one more delivery of an open alert and takes its newest
    content, from the values `repeat_values` binds; `where` picks the row."""
    return (
        update(ALERTS)
        .where(*where)
        .values(
            count=ALERTS.c.count + 1,
            last_seen_at=bindparam("p_now", type_=UTCDateTime()),
            summary=bindparam("p_summary"),
            description=bindparam("p_description"),
            severity=bindparam("p_severity"),
            priority=bindparam("p_priority"),
            labels=bindparam("p_labels", type_=JSON()),
            details=case(
                (ALERTS.c.action == "dropped", ALERTS.c.details),
                else_=bindparam("p_details", type_=JSON()),
            ),
            links=bindparam("p_links", type_=JSON()),
        )
    )


_REPEAT = counting_update(ALERTS.c.open_key == bindparam("p_key")).returning(
    ALERTS.c.id, ALERTS.c.incident_id
)


def count_repeat(
    session: Session, key: str, event: AlertEvent, *, now: datetime
) -> IngestResult | None:
    """Count one more delivery of the open alert and take its newest content; None when
    nothing is open under this key."""
    row = session.execute(_REPEAT, {"p_key": key, **repeat_values(event, now)}).first()
    if row is None:
        return None
    return IngestResult(Outcome.REPEATED, event.fingerprint, row[0], _number(session, row[1]))


def repeat_values(event: AlertEvent, now: datetime) -> dict[str, Any]:
    """The bound values of a repeat: the newest content of the alert, and when it came."""
    return {
        "p_now": now,
        "p_summary": _summary(event),
        "p_description": event.description,
        "p_severity": _severity(event),
        "p_priority": event.priority,
        "p_labels": event.labels,
        "p_details": event.details,
        "p_links": event.links,
    }


def end_or_acknowledge(
    session: Session, event: AlertEvent, *, resolving: bool, actor: str, now: datetime
) -> tuple[IngestResult, tuple[Any, ...] | None]:
    """Resolve or acknowledge the open alert the event addresses (by open key, or by id for
    OpsGenie's identifierType=id). Returns the result and, when it resolved one, its row of
    (id, group_id, action, summary) for the follow-ups."""
    where = _addressed(event)
    if where is None:
        return IngestResult(Outcome.IGNORED, event.fingerprint), None
    if resolving:
        values: dict[str, Any] = {
            "open_key": None,
            "status": "resolved",
            "resolved_at": now,
            "resolved_by": actor,
            "ends_at": event.ends_at or now,
            "last_seen_at": now,
        }
        columns: tuple[Any, ...] = (Alert.id, Alert.incident_id, Alert.group_id, Alert.action)
    else:
        values = {
            "status": "acknowledged",
            "acknowledged_at": func.coalesce(Alert.acknowledged_at, literal(now, UTCDateTime())),
            "acknowledged_by": func.coalesce(Alert.acknowledged_by, actor),
        }
        columns = (Alert.id, Alert.incident_id)
    row = session.execute(update(Alert).where(where).values(**values).returning(*columns)).first()
    if row is None:
        return IngestResult(Outcome.IGNORED, event.fingerprint), None
    outcome = Outcome.RESOLVED if resolving else Outcome.ACKNOWLEDGED
    result = IngestResult(outcome, event.fingerprint, row[0], _number(session, row[1]))
    return result, (tuple(row) if resolving else None)


def _addressed(event: AlertEvent) -> ColumnElement[bool] | None:
    if not is_id_reference(event.fingerprint):
        return Alert.open_key == key_of(event)
    alert_id = referenced_alert_id(event.fingerprint)
    if alert_id is None:
        return None
    return (Alert.id == alert_id) & Alert.open_key.is_not(None)


def _number(session: Session, incident_id: int | None) -> int | None:
    if incident_id is None:
        return None
    return session.scalar(select(Incident.number).where(Incident.id == incident_id))


def new_alert(
    event: AlertEvent, *, integration: str, now: datetime, keep_payload: bool = True
) -> Alert:
    """The row for a first delivery. Dropped alerts keep no payload: only that they came."""
    raw, size, truncated = capped_raw(event.raw) if keep_payload else ({}, 0, False)
    return Alert(
        source=event.source.value,
        integration=integration[:64],
        fingerprint=bounded(event.fingerprint, MAX_FINGERPRINT),
        scope=bounded(event.scope, MAX_SCOPE),
        open_key=key_of(event),
        status="open",
        summary=_summary(event),
        description=event.description,
        priority=event.priority,
        severity=_severity(event),
        service_id=event.service[:200] if event.service else None,
        labels=dict(event.labels),
        details=dict(event.details) if keep_payload else {},
        links=dict(event.links),
        raw=raw,
        raw_size=size,
        raw_truncated=truncated,
        count=1,
        first_seen_at=now,
        last_seen_at=now,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        action="record",
        route_note="",
    )


def capped_raw(raw: dict[str, Any]) -> tuple[dict[str, Any], int, bool]:
    """The payload as sent, unless it is over MAX_RAW_BYTES as JSON: then its first
    MAX_RAW_BYTES of JSON text, kept as a string, with its full size noted beside it."""
    text = json.dumps(raw, separators=(",", ":"), default=str)
    size = len(text.encode())
    if size <= MAX_RAW_BYTES:
        return raw, size, False
    head = text.encode()[:MAX_RAW_BYTES].decode(errors="ignore")
    return {"truncated_json": head, "note": f"cut at {MAX_RAW_BYTES} of {size} bytes"}, size, True


def _summary(event: AlertEvent) -> str:
    summary = event.summary.strip()
    return summary if len(summary) <= MAX_SUMMARY else summary[: MAX_SUMMARY - 1] + "…"


def _severity(event: AlertEvent) -> str | None:
    return event.severity[:50] if event.severity else None
