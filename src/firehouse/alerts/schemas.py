"""API shapes of alerts and silences, and firehouse's own intake answer."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from firehouse.alerts.events import IngestResult
from firehouse.alerts.model import Alert, AlertSilence
from firehouse.catalog.config_types import Pattern
from firehouse.httpapi.types import LongText, Moment, Tag

SourceName = Literal["alertmanager", "opsgenie", "pagerduty", "generic"]
StatusName = Literal["open", "acknowledged", "resolved"]
MAX_SILENCE = timedelta(days=365)
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
Reason = Annotated[LongText, StringConstraints(strip_whitespace=True, min_length=1)]


# intake ----------------------------------------------------------------------------------------
class IntakeResultOut(BaseModel):
    fingerprint: str
    outcome: Literal["created", "repeated", "acknowledged", "resolved", "ignored"]
    alert_id: int | None
    incident_number: int | None


class IntakeOut(BaseModel):
    """What Alertmanager and the generic endpoint answer, once the alerts are committed."""

    alerts: list[IntakeResultOut]
    truncated_alerts: int = 0


def intake_out(results: Sequence[IngestResult], truncated: int = 0) -> dict[str, Any]:
    """A plain dict (no model validation on the hot path); its shape is IntakeOut's."""
    return {
        "alerts": [
            {
                "fingerprint": r.fingerprint,
                "outcome": r.outcome.value,
                "alert_id": r.alert_id,
                "incident_number": r.incident_number,
            }
            for r in results
        ],
        "truncated_alerts": truncated,
    }


# alerts ----------------------------------------------------------------------------------------
class AlertOut(BaseModel):
    id: int
    status: str
    source: str
    integration: str
    fingerprint: str
    summary: str
    description: str
    priority: str | None
    severity: str | None
    service: str | None
    labels: dict[str, Any]
    details: dict[str, Any]
    links: dict[str, Any]
    count: int
    first_seen_at: datetime
    last_seen_at: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    action: str = Field(description="How it was routed: incident, channel, record, dropped, …")
    rule: str | None
    route_note: str
    silenced_by: int | None
    incident_number: int | None


class AlertDetailOut(AlertOut):
    raw: dict[str, Any]
    raw_truncated: bool


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


def alert_fields(alert: Alert, incident_number: int | None) -> dict[str, Any]:
    return {
        "id": alert.id,
        "status": alert.status,
        "source": alert.source,
        "integration": alert.integration,
        "fingerprint": alert.fingerprint,
        "summary": alert.summary,
        "description": alert.description,
        "priority": alert.priority,
        "severity": alert.severity,
        "service": alert.service_id,
        "labels": alert.labels,
        "details": alert.details,
        "links": alert.links,
        "count": alert.count,
        "first_seen_at": alert.first_seen_at,
        "last_seen_at": alert.last_seen_at,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "resolved_at": alert.resolved_at,
        "resolved_by": alert.resolved_by,
        "action": alert.action,
        "rule": alert.rule,
        "route_note": alert.route_note,
        "silenced_by": alert.silenced_by,
        "incident_number": incident_number,
    }


def alert_out(alert: Alert, numbers: Mapping[int, int]) -> AlertOut:
    number = numbers.get(alert.incident_id) if alert.incident_id is not None else None
    return AlertOut(**alert_fields(alert, number))


def alert_detail_out(alert: Alert, numbers: Mapping[int, int]) -> AlertDetailOut:
    number = numbers.get(alert.incident_id) if alert.incident_id is not None else None
    fields = alert_fields(alert, number)
    return AlertDetailOut(**fields, raw=alert.raw, raw_truncated=alert.raw_truncated)


# silences --------------------------------------------------------------------------------------
class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchersIn(_Input):
    """Like a routing rule's match: every condition must hold (the service refuses none)."""

    labels: dict[Tag, Tag] = Field(default_factory=dict, max_length=50)
    regex: dict[Tag, Pattern] = Field(default_factory=dict, max_length=50)
    present: list[Tag] = Field(default_factory=list, max_length=50)
    source: SourceName | None = None


def parse_duration(text: str) -> timedelta:
    """`90m`, `2h`, `1d`, `1w`: a number and one unit."""
    found = _DURATION.match(text)
    if found is None:
        raise ValueError("must be a number and a unit, e.g. 30m, 2h, 1d")
    return timedelta(seconds=int(found[1]) * _UNIT_SECONDS[found[2]])


class SilenceIn(_Input):
    """From `starts_at` (default now) until `ends_at`, or for `duration` (e.g. "2h")."""

    matchers: MatchersIn
    reason: Reason
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    duration: Annotated[str, StringConstraints(max_length=20)] | None = None

    @field_validator("duration")
    @classmethod
    def _sensible_length(cls, value: str | None) -> str | None:
        if value is not None and not timedelta(0) < parse_duration(value) <= MAX_SILENCE:
            raise ValueError("must be more than 0 and at most 365 days")
        return value

    @model_validator(mode="after")
    def _one_end(self) -> SilenceIn:
        if (self.ends_at is None) == (self.duration is None):
            raise ValueError("give either ends_at or duration")
        return self

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        starts = self.starts_at or now
        if self.duration is not None:
            return starts, starts + parse_duration(self.duration)
        return starts, self.ends_at or starts  # the validator saw to it: ends_at is set


class SilenceOut(BaseModel):
    id: int
    matchers: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    author: str
    reason: str
    created_at: datetime
    expired_at: datetime | None
    expired_by: str | None
    active: bool


def silence_out(silence: AlertSilence, now: datetime) -> SilenceOut:
    return SilenceOut(
        id=silence.id,
        matchers=silence.matchers,
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        author=silence.author,
        reason=silence.reason,
        created_at=silence.created_at,
        expired_at=silence.expired_at,
        expired_by=silence.expired_by,
        active=silence.starts_at <= now < silence.ends_at,
    )


# the senders' own shapes, documented for clients and fuzzers -----------------------------------
class PagerDutyAccepted(BaseModel):
    status: Literal["success"]
    message: str
    dedup_key: str


class PagerDutyError(BaseModel):
    status: str
    message: str
    errors: list[str]


class OpsGenieAccepted(BaseModel):
    result: str
    took: float
    requestId: str  # noqa: N815 - OpsGenie's field name


class OpsGenieError(BaseModel):
    message: str
    errors: dict[str, str] | None = Field(default=None, description="422 only: field → problem")
    took: float
    requestId: str  # noqa: N815 - OpsGenie's field name


class OpsGenieRequestData(BaseModel):
    success: bool
    isSuccess: bool  # noqa: N815 - OpsGenie's field names, here and below
    action: str
    processedAt: str  # noqa: N815
    integrationId: str  # noqa: N815
    status: str
    alertId: str  # noqa: N815
    alias: str


class OpsGenieRequestStatus(BaseModel):
    data: OpsGenieRequestData
    took: float
    requestId: str  # noqa: N815


def shaped(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses`: these statuses answer with `model`."""
    return {status: {"model": model, "description": "refused"} for status in statuses}
