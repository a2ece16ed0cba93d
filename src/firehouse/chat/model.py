"""What the chat flow remembers, so that every step happens once however often it is retried.

A retried delivery reads these rows first and skips whatever is already done; a step's row is
written only after the provider confirmed it. For the one gap that leaves (the provider did it,
the answer was lost), posts carry a key the provider can be searched for, and a channel created
by a lost attempt is adopted because this app created it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base, BigId


class IncidentChannel(Base):
    """The incident's chat channel and how far setting it up has got."""

    __tablename__ = "incident_channels"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    channel_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    url: Mapped[str] = mapped_column(String(2000))
    private: Mapped[bool] = mapped_column(default=False)
    steps_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    invited: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary_ts: Mapped[str | None] = mapped_column(String(64))
    archive_due_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ChatPost(Base):
    """A message posted for an incident under a key: `summary`, `handoff`, `event:<id>`."""

    __tablename__ = "chat_posts"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    key: Mapped[str] = mapped_column(String(100))
    channel_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime]


class ChatEventReceipt(Base):
    """Inbound events already handled (Slack's event_id), so a redelivery is a no-op."""

    __tablename__ = "chat_event_receipts"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime]


class ChatIdentity(Base):
    """A chat user as firehouse knows them: matched to a person, or only by their own id."""

    __tablename__ = "chat_identities"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    handle: Mapped[str | None] = mapped_column(String(100))
    display_name: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]
