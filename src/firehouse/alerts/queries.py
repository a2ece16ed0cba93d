"""Read use cases for alerts: one by id, a filtered page (newest first), and the plain picture
of an alert that events and the API carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.alerts.events import Source
from firehouse.alerts.model import Alert
from firehouse.errors import InvalidInput, NotFound

MAX_PAGE = 200
STATUSES = ("open", "acknowledged", "resolved")


@dataclass(frozen=True)
class AlertFilter:
    """`cursor` is the `next_cursor` of the previous page (an alert id, as text)."""

    status: str | None = None
    source: str | None = None
    service: str | None = None
    since: datetime | None = None
    cursor: str | None = None
    limit: int = 50

    def validate(self) -> int | None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(
                f"unknown status '{self.status}'; use {', '.join(STATUSES)}", field="status"
            )
        if self.source is not None and self.source not in {s.value for s in Source}:
            known = ", ".join(s.value for s in Source)
            raise InvalidInput(f"unknown source '{self.source}'; use {known}", field="source")
        if self.since is not None and self.since.tzinfo is None:
            raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field="since")
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidInput(f"must be between 1 and {MAX_PAGE}", field="limit")
        if self.cursor is None:
            return None
        if not self.cursor.isdigit() or len(self.cursor) > 18:
            raise InvalidInput("is not a cursor this API returned", field="cursor")
        return int(self.cursor)


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}", field="id")
    return alert


def list_alerts(session: Session, criteria: AlertFilter) -> tuple[list[Alert], str | None]:
    """Newest first; `since` keeps alerts last seen at or after it. Returns the page and the
    cursor for the next one, if there is one."""
    before = criteria.validate()
    conditions: list[Any] = []
    if criteria.status:
        conditions.append(Alert.status == criteria.status)
    if criteria.source:
        conditions.append(Alert.source == criteria.source)
    if criteria.service:
        conditions.append(Alert.service_id == criteria.service)
    if criteria.since is not None:
        conditions.append(Alert.last_seen_at >= criteria.since)
    if before is not None:
        conditions.append(Alert.id < before)
    query = select(Alert).where(*conditions).order_by(Alert.id.desc()).limit(criteria.limit + 1)
    rows = list(session.scalars(query))
    page = rows[: criteria.limit]
    more = len(rows) > criteria.limit
    return page, (str(page[-1].id) if more and page else None)


def alert_snapshot(alert: Alert) -> dict[str, Any]:
    """A plain, JSON-ready picture of the alert, as integrations and the API receive it
    (the raw payload is left out: it can be large, and only the alert's page shows it)."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": alert.id,
        "source": alert.source,
        "integration": alert.integration,
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "summary": alert.summary,
        "description": alert.description,
        "priority": alert.priority,
        "severity": alert.severity,
        "service": alert.service_id,
        "labels": dict(alert.labels),
        "details": dict(alert.details),
        "links": dict(alert.links),
        "count": alert.count,
        "action": alert.action,
        "rule": alert.rule,
        "incident_id": alert.incident_id,
        "first_seen_at": when(alert.first_seen_at),
        "last_seen_at": when(alert.last_seen_at),
        "acknowledged_at": when(alert.acknowledged_at),
        "resolved_at": when(alert.resolved_at),
    }
