"""Tables of the guidance: checklist items, reminders sent, scheduler leases, postmortems,
follow-ups and drill steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base


class ChecklistItem(Base):
    """One duty of one incident. `state`: open, done or not_applicable. Done automatically by
    the matching event (`automatic`), or by hand with a note; not applicable with a reason."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("incident_id", "key", name="uq_checklist_items_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    automatic: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class ReminderSent(Base):
    """A nudge that fired. The unique key (incident, reminder, due time) is what makes a
    reminder fire once however many workers look at it at the same moment."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("incident_id", "reminder", "due_at", name="uq_reminders_sent_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    reminder: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime]


class ReminderSnooze(Base):
    __tablename__ = "reminder_snoozes"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    reminder: Mapped[str] = mapped_column(String(40), primary_key=True)
    until: Mapped[datetime]
    snoozed_by: Mapped[str] = mapped_column(String(100))


class SchedulerLease(Base):
    """One row per scheduled job: whoever holds the lease runs it; a lease that expires (its
    worker died) is taken over, and `last_run_at` lets the next holder catch up."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


class Postmortem(Base):
    """`state`: draft, in_review, published. `document` is Markdown."""

    __tablename__ = "postmortems"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    owner: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(20), default="draft")
    document: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    started_at: Mapped[datetime | None]  # first edit by a person: the postmortem is started
    published_at: Mapped[datetime | None]


class FollowUp(Base):
    """Work an incident leaves behind. `tracker`: builtin, jira or github; an external ticket
    is created through the outbox, and `request_key` lets a lost answer be found, not doubled."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_tracker_key", "tracker", "external_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    tracker: Mapped[str] = mapped_column(String(20), default="builtin")
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    external_key: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, done
    external_status: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class DrillStep(Base):
    """A scripted step of a training drill, run by the scheduler when its time comes."""

    __tablename__ = "drill_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))  # alert, message, note
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done_at: Mapped[datetime | None]
