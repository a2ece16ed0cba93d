"""Tables of the organisation as declared in firehouse.yaml: teams, people, services, policy.

Rows are never deleted by `config apply`, only deactivated, because incidents keep pointing
at the service and people they had.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_responders: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalation_policy_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    chat_handle: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    # [{"method": "slack", "after_minutes": 0}, ...]; None: the default rules (oncall.contact).
    notify: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"))
    point_people: Mapped[list[str]] = mapped_column(JSON, default=list)
    playbook_url: Mapped[str | None] = mapped_column(String(2000))
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalation_policy_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PriorityLevelRow(Base):
    """One level of the priority policy; the policy is data, applied from firehouse.yaml."""

    __tablename__ = "priority_levels"

    priority: Mapped[str] = mapped_column(String(2), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    guidance: Mapped[str] = mapped_column(Text)
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    statuspage_impact: Mapped[str] = mapped_column(String(20))
    statuspage_update_expected: Mapped[bool] = mapped_column(Boolean)
    postmortem_required: Mapped[bool] = mapped_column(Boolean)
    training_only: Mapped[bool] = mapped_column(Boolean)
    statuspage_component_status: Mapped[str | None] = mapped_column(String(30))
    statuspage_publish: Mapped[str] = mapped_column(String(20), default="confirm")
    page: Mapped[str] = mapped_column(String(20), default="none", server_default="none")


class OrganisationSetting(Base):
    """Small organisation-wide values from firehouse.yaml (its name, the config's source)."""

    __tablename__ = "organisation_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
