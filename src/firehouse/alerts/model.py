"""Tables of alert intake: alerts, the groups that tie alerts to the incident a rule raised,
and silences.

`Alert.open_key` is the deduplication guarantee: it holds source:scope:fingerprint while the
alert is open and NULL once it is resolved. It is UNIQUE, and NULLs are distinct on SQLite and
PostgreSQL alike, so any number of resolved alerts share a fingerprint while at most one is
open, and two concurrent first deliveries cannot both insert. `AlertGroup.open_key` does the
same for "one incident per rule and service at a time".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base, BigId


class AlertSilence(Base):
    """Alerts matching `matchers` (a route match) between starts_at and ends_at are recorded
    but not routed. Expiring one moves its end to now; rows are kept for the record."""

    __tablename__ = "alert_silences"
    __table_args__ = (Index("ix_alert_silences_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matchers: Mapped[dict[str, Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    expired_at: Mapped[datetime | None]
    expired_by: Mapped[str | None] = mapped_column(String(200))


class AlertGroup(Base):
    """The incident one rule raised for one service, and the alerts attached to it since.

    Open (open_key set) while its incident is open; the next alert after the incident was
    resolved closes it and raises a new incident. The counters drive the coalesced timeline
    entries and the one "every attached alert has resolved" entry.
    """

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    alert_count: Mapped[int] = mapped_column(Integer, default=1)
    open_alerts: Mapped[int] = mapped_column(Integer, default=1)
    noted_count: Mapped[int] = mapped_column(Integer, default=1)
    all_resolved_noted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_status_id", "status", "id"),
        Index("ix_alerts_source_id", "source", "id"),
        Index("ix_alerts_service_id_id", "service_id", "id"),
        Index("ix_alerts_last_seen_at", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))
    integration: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(120), default="")
    open_key: Mapped[str | None] = mapped_column(String(450), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # open, acknowledged, resolved
    summary: Mapped[str] = mapped_column(String(1000), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str | None] = mapped_column(String(2))
    severity: Mapped[str | None] = mapped_column(String(50))
    service_id: Mapped[str | None] = mapped_column(String(200))  # as the sender named it
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    links: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    raw_truncated: Mapped[bool] = mapped_column(default=False)
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    # How it was routed when it opened: incident, channel, record, dropped or silenced.
    action: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(64))
    route_note: Mapped[str] = mapped_column(Text, default="")
    silenced_by: Mapped[int | None] = mapped_column(ForeignKey("alert_silences.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
