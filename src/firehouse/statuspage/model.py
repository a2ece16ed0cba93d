"""Tables of the public status page: components, public incidents and their updates,
scheduled maintenance, and subscribers.

Public incidents are separate rows from internal incidents on purpose: their text is written
for users and partners, and nothing internal (description, timeline, responders) is stored
here, so nothing internal can be rendered by mistake.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from firehouse.db import Base, BigId


class Component(Base):
    __tablename__ = "statuspage_components"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    group_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(30), default="operational")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PublicIncident(Base):
    """`published_at` None means a draft: prepared for responders, invisible to the public."""

    __tablename__ = "public_incidents"
    __table_args__ = (Index("ix_public_incidents_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    impact: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution_proposed_at: Mapped[datetime | None]

    components: Mapped[list[PublicIncidentComponent]] = relationship(
        order_by="PublicIncidentComponent.component_id", cascade="all, delete-orphan"
    )
    updates: Mapped[list[PublicUpdate]] = relationship(
        primaryjoin="PublicIncident.id == PublicUpdate.public_incident_id",
        order_by="PublicUpdate.created_at.desc()",
        cascade="all",
    )


class PublicIncidentComponent(Base):
    """A component an incident affects, with the status the incident puts it in."""

    __tablename__ = "public_incident_components"

    public_incident_id: Mapped[str] = mapped_column(
        ForeignKey("public_incidents.id"), primary_key=True
    )
    component_id: Mapped[str] = mapped_column(
        ForeignKey("statuspage_components.id"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(30))


class Maintenance(Base):
    __tablename__ = "statuspage_maintenances"
    __table_args__ = (Index("ix_statuspage_maintenances_scheduled_for", "scheduled_for"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    scheduled_for: Mapped[datetime]
    scheduled_until: Mapped[datetime]
    component_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    updates: Mapped[list[PublicUpdate]] = relationship(
        primaryjoin="Maintenance.id == PublicUpdate.maintenance_id",
        order_by="PublicUpdate.created_at.desc()",
        cascade="all",
    )


class PublicUpdate(Base):
    """One update of a public incident or of a maintenance (exactly one of the two is set)."""

    __tablename__ = "public_updates"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    public_incident_id: Mapped[str | None] = mapped_column(
        ForeignKey("public_incidents.id"), index=True
    )
    maintenance_id: Mapped[str | None] = mapped_column(
        ForeignKey("statuspage_maintenances.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    affected_components: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Subscriber(Base):
    """Someone told of changes: by email (after confirming) or by a signed webhook.

    Confirmation and unsubscribe links carry random tokens; only their SHA-256 is stored.
    A webhook subscriber's signing secret must be kept to sign with, so it is stored as given.
    """

    __tablename__ = "statuspage_subscribers"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(2000))
    component_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    unsubscribe_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signing_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


class SubscriberNotification(Base):
    """One status page event owed to one subscriber: the guard against telling anyone twice.

    The fan-out inserts a row per (event, subscriber) before queueing the message, and the
    unique pair means a retried fan-out queues nothing new. `sent_at` is set once the mail or
    webhook was accepted, so a redelivered message is dropped instead of sent again. No
    foreign key to the subscriber: removing one must not have to rewrite this history.
    """

    __tablename__ = "statuspage_notifications"
    __table_args__ = (UniqueConstraint("event_id", "subscriber_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    subscriber_id: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
