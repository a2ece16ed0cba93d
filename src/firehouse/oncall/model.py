"""Tables of on-call: schedules and escalation policies (applied from firehouse.yaml), the
overrides people create, and pages with the notifications each one sent.

A page is the durable record of "someone must answer": it escalates step by step until it is
acknowledged. Each notification is a row before it is an outbox event, and its unique key
(page, round, step, person, method) is what makes a step's notifications exactly-once even
when two workers advance the same page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base, BigId


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # One mapping per layer, as firehouse.yaml writes it (see catalog.config_oncall.LayerConfig).
    layers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class ScheduleOverride(Base):
    """`person` covers `layer` of `schedule` from `starts_at` to `ends_at`: for all of it, or,
    with `covers_for`, only where that person was on call."""

    __tablename__ = "schedule_overrides"
    __table_args__ = (Index("ix_schedule_overrides_window", "schedule_id", "ends_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id"))
    layer: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[str] = mapped_column(String(64))
    covers_for: Mapped[str | None] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(200))


class EscalationPolicy(Base):
    __tablename__ = "escalation_policies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # One mapping per step: its `notify` targets and `wait_minutes` (EscalationStepConfig).
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Page(Base):
    """Status: triggered (escalating), acknowledged, exhausted (every step and repeat done with
    no acknowledgement), cancelled. `trigger_key` makes the cause of a page idempotent: a
    redelivered `incident.declared` finds the page it already created."""

    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("trigger_key"),
        Index("ix_pages_due", "status", "next_step_at"),
        Index("ix_pages_incident", "incident_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    trigger_key: Mapped[str] = mapped_column(String(200))
    incident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("incidents.id"))
    alert_id: Mapped[int | None] = mapped_column(BigId)
    escalation_policy_id: Mapped[str | None] = mapped_column(String(64))
    # Without a policy: the targets of the single step, e.g. [{"person": "maya"}].
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40))  # declared, point_person, manual, alert
    status: Mapped[str] = mapped_column(String(20), default="triggered")
    step: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    next_step_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_via: Mapped[str | None] = mapped_column(String(20))
    ended_at: Mapped[datetime | None]


class PageNotification(Base):
    """One message to one person by one method. State: scheduled (due later, by the person's
    notify rules), queued (handed to the outbox), sent, failed, skipped (acknowledged first)."""

    __tablename__ = "page_notifications"
    __table_args__ = (
        UniqueConstraint("page_id", "round", "step", "person_id", "method"),
        Index("ix_page_notifications_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    page_id: Mapped[int] = mapped_column(BigId, ForeignKey("pages.id"))
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    # Why this person: "schedule engineering/primary", "point-person of payments", ...
    target: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    due_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
