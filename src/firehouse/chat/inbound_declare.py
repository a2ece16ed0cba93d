"""Declaring from a chat form: what the form offers, and turning its answers into an incident.

The form itself is the provider's business (Slack's Block Kit lives in the integration); this
module only knows the fields: service, priority, message, description and, when the form was
opened from a message, that message's permalink as the incident's source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.catalog.service import list_services, load_policy
from firehouse.chat import identity
from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.incidents import service
from firehouse.incidents.policy import PriorityLevel

FORM_FIELDS = ("service", "priority", "message", "description", "source_url")


@dataclass(frozen=True)
class FormChoices:
    """What the declare form offers: active services and the policy's levels, in order."""

    services: tuple[tuple[str, str], ...]
    levels: tuple[PriorityLevel, ...]


@dataclass(frozen=True)
class DeclareForm:
    service: str | None
    priority: str | None
    message: str | None
    description: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Declared:
    number: int
    learn: tuple[str, ...] = ()


def form_choices(session: Session) -> FormChoices:
    services = tuple((s.id, s.name) for s in list_services(session))
    return FormChoices(services=services, levels=tuple(load_policy(session).ordered()))


def declare_from_form(
    db: Database,
    form: DeclareForm,
    *,
    provider: str,
    user_id: str,
    handle: str | None,
    now: datetime,
) -> Declared:
    """Raises DomainError naming one of FORM_FIELDS, so the form can show it by the field."""
    for name in ("service", "priority"):
        if not getattr(form, name):
            raise InvalidInput("choose one", field=name)
    declaration = service.Declaration(
        service=form.service or "",
        priority=form.priority or "",
        message=form.message or "",
        description=form.description or "",
        source_url=form.source_url,
    )
    with db.write() as session:
        who = identity.caller(session, provider, user_id, handle)
        incident = service.declare(session, declaration, actor=who.actor, now=now)
        number = incident.number
    return Declared(number, () if who.person_id else (user_id,))
