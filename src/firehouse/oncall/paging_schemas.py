"""API shapes of pages: what a caller sends to raise or escalate, and what it reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from firehouse.httpapi.types import Id, LongText
from firehouse.oncall.model import Page, PageNotification

PageStatus = Literal["triggered", "acknowledged", "exhausted", "cancelled"]
Message = Annotated[
    LongText, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
IncidentNumber = Annotated[int, Field(ge=1, le=2_147_483_647)]
LayerName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]
TARGETS = ("person", "service", "escalation_policy", "schedule")


class PageIn(BaseModel):
    """Exactly one of `person`, `service` (its escalation policy, else its point-people),
    `escalation_policy` or `schedule` (with `layer`, only that layer's person on call)."""

    model_config = ConfigDict(extra="forbid")

    message: Message
    person: Id | None = None
    service: Id | None = None
    escalation_policy: Id | None = None
    schedule: Id | None = None
    layer: LayerName | None = None
    incident: IncidentNumber | None = None

    @model_validator(mode="after")
    def _one_target(self) -> PageIn:
        named = [name for name in TARGETS if getattr(self, name) is not None]
        if len(named) != 1:
            raise ValueError("name exactly one of person, service, escalation_policy or schedule")
        if self.layer is not None and self.schedule is None:
            raise ValueError("layer is only allowed together with schedule")
        return self


class EscalateIn(BaseModel):
    """Page a service's point-people (default: the incident's service), or one person."""

    model_config = ConfigDict(extra="forbid")

    service: Id | None = None
    person: Id | None = None
    message: Message | None = None


class AckIn(BaseModel):
    """How the caller acknowledged, for the record: `firehouse pages ack` says "cli"."""

    model_config = ConfigDict(extra="forbid")

    via: Literal["api", "cli"] = "api"


class NotificationOut(BaseModel):
    id: int
    round: int
    step: int
    person: str
    method: str
    target: str
    state: str
    due_at: datetime
    queued_at: datetime | None
    sent_at: datetime | None
    error: str | None


class PageOut(BaseModel):
    id: int
    status: PageStatus
    reason: str
    message: str
    incident: int | None
    escalation_policy: str | None
    targets: list[dict[str, Any]]
    step: int
    round: int
    next_step_at: datetime | None
    created_by: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledged_via: str | None
    ended_at: datetime | None


class PageDetailOut(PageOut):
    """The page with every notification it wrote, in order of round and step."""

    notifications: list[NotificationOut]


def page_out(page: Page, numbers: dict[int, int]) -> PageOut:
    return PageOut(**_fields(page, numbers))


def page_detail_out(
    page: Page, numbers: dict[int, int], notifications: list[PageNotification]
) -> PageDetailOut:
    rows = [notification_out(row) for row in notifications]
    return PageDetailOut(**_fields(page, numbers), notifications=rows)


def notification_out(row: PageNotification) -> NotificationOut:
    return NotificationOut(
        id=row.id,
        round=row.round,
        step=row.step,
        person=row.person_id,
        method=row.method,
        target=row.target,
        state=row.state,
        due_at=row.due_at,
        queued_at=row.queued_at,
        sent_at=row.sent_at,
        error=row.error,
    )


def _fields(page: Page, numbers: dict[int, int]) -> dict[str, Any]:
    return {
        "id": page.id,
        "status": page.status,
        "reason": page.reason,
        "message": page.message,
        "incident": numbers.get(page.incident_id) if page.incident_id is not None else None,
        "escalation_policy": page.escalation_policy_id,
        "targets": [dict(target) for target in page.targets],
        "step": page.step,
        "round": page.round,
        "next_step_at": page.next_step_at,
        "created_by": page.created_by,
        "created_at": page.created_at,
        "acknowledged_at": page.acknowledged_at,
        "acknowledged_by": page.acknowledged_by,
        "acknowledged_via": page.acknowledged_via,
        "ended_at": page.ended_at,
    }
