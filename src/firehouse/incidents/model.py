"""Tables of the incident lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column, relationship

from firehouse.db import Base, BigId


class IncidentCounter(Base):
    """The next incident number. Incremented in the declaring transaction, so numbers are
    consecutive, and a row lock (PostgreSQL) or the write lock (SQLite) serialises them."""

    __tablename__ = "incident_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


# Seeded with the table (the migration does the same), so the first two concurrent declares
# never race to insert the counter.
@event.listens_for(IncidentCounter.__table__, "after_create")
def _seed_counter(table: Table, connection: Connection, **_: Any) -> None:
    connection.execute(table.insert().values(name="incidents", value=0))


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_status_number", "status", "number"),
        Index("ix_incidents_service_number", "service_id", "number"),
        Index("ix_incidents_priority_number", "priority", "number"),
        # The dashboard: open incidents most urgent first, and their count per priority.
        Index("ix_incidents_status_priority_number", "status", "priority", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    message: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    reporter: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    training: Mapped[bool] = mapped_column(Boolean, default=False)
    # Visible only to its participants (reporter, role holders) and admins; see issue 7.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    close_reason: Mapped[str | None] = mapped_column(Text)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    detected_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="incident", order_by="RoleAssignment.id", cascade="all"
    )
    links: Mapped[list[IncidentLink]] = relationship(
        back_populates="incident", order_by="IncidentLink.id", cascade="all"
    )

    __mapper_args__ = {"version_id_col": version}

    def holders(self, role: str) -> list[str]:
        return [assignment.person_id for assignment in self.roles if assignment.role == role]


class RoleAssignment(Base):
    __tablename__ = "incident_roles"
    __table_args__ = (UniqueConstraint("incident_id", "role", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(200))

    incident: Mapped[Incident] = relationship(back_populates="roles")


class TimelineEntry(Base):
    """Append-only: nothing updates or deletes these rows; a correction is a new entry."""

    __tablename__ = "timeline_entries"
    __table_args__ = (Index("ix_timeline_entries_incident_occurred", "incident_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IncidentLink(Base):
    __tablename__ = "incident_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300), default="")
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(200))

    incident: Mapped[Incident] = relationship(back_populates="links")
