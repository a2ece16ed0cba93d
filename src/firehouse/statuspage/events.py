"""The status page's outbox events and their payloads.

A payload carries everything a subscriber notification or a mirror (Atlassian Statuspage)
needs — the public incident, the update, the components with their old and new status, the
page's name and address — and nothing internal: no internal incident number, message,
description, responder or timeline ever goes in, because subscribers are outside parties.

All status page events share one stream, so a mirror receives component and incident
changes in the order they happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting
from firehouse.outbox.append import append
from firehouse.outbox.events import DomainEvent, EventType
from firehouse.statuspage.model import Component, Maintenance, PublicIncident, PublicUpdate

if TYPE_CHECKING:
    from firehouse.statuspage.service_components import ComponentChange

STREAM = "statuspage"
DEFAULT_PAGE_NAME = "Status"

Json = dict[str, Any]


def emit(session: Session, event: EventType, payload: Json, *, now: datetime) -> None:
    append(session, DomainEvent(event, stream=STREAM, data=payload), now=now)


def when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def page(session: Session, now: datetime) -> Json:
    name = session.get(OrganisationSetting, "statuspage.name")
    url = session.get(OrganisationSetting, "statuspage.url")
    return {
        "name": str(name.value) if name and name.value else DEFAULT_PAGE_NAME,
        "url": str(url.value) if url and url.value else None,
        "updated_at": when(now),
    }


def component_out(component: Component) -> Json:
    return {
        "id": component.id,
        "name": component.name,
        "group": component.group_name,
        "status": component.status,
    }


def changes_out(changes: list[ComponentChange]) -> list[Json]:
    return [
        {
            "id": change.component.id,
            "name": change.component.name,
            "group": change.component.group_name,
            "old_status": change.old_status,
            "new_status": change.new_status,
        }
        for change in changes
    ]


def update_out(update: PublicUpdate | None) -> Json | None:
    if update is None:
        return None
    return {
        "id": update.id,
        "status": update.status,
        "body": update.body,
        "created_at": when(update.created_at),
        "affected_components": [dict(item) for item in update.affected_components],
    }


def incident_out(session: Session, incident: PublicIncident) -> Json:
    components = []
    for link in incident.components:
        component = session.get(Component, link.component_id)
        components.append(
            {
                "id": link.component_id,
                "name": component.name if component else link.component_id,
                "status": link.status,
            }
        )
    return {
        "id": incident.id,
        "name": incident.name,
        "status": incident.status,
        "impact": incident.impact,
        "created_at": when(incident.created_at),
        "updated_at": when(incident.updated_at),
        "published_at": when(incident.published_at),
        "monitoring_at": when(incident.monitoring_at),
        "resolved_at": when(incident.resolved_at),
        "components": components,
    }


def incident_payload(
    session: Session,
    incident: PublicIncident,
    *,
    update: PublicUpdate | None,
    changed: list[str],
    component_changes: list[ComponentChange],
    now: datetime,
) -> Json:
    """`changed` names the incident's fields this change touched (e.g. ["impact"])."""
    return {
        "page": page(session, now),
        "incident": incident_out(session, incident),
        "update": update_out(update),
        "changed": changed,
        "component_changes": changes_out(component_changes),
    }


def component_payload(session: Session, change: ComponentChange, *, now: datetime) -> Json:
    return {
        "page": page(session, now),
        "component": {
            **component_out(change.component),
            "description": change.component.description,
            "updated_at": when(change.component.updated_at),
        },
        "component_changes": changes_out([change]),
    }


def maintenance_payload(
    session: Session,
    maintenance: Maintenance,
    *,
    update: PublicUpdate | None,
    component_changes: list[ComponentChange],
    now: datetime,
) -> Json:
    components = [session.get(Component, cid) for cid in maintenance.component_ids]
    return {
        "page": page(session, now),
        "maintenance": {
            "id": maintenance.id,
            "name": maintenance.name,
            "status": maintenance.status,
            "impact": "maintenance",
            "scheduled_for": when(maintenance.scheduled_for),
            "scheduled_until": when(maintenance.scheduled_until),
            "started_at": when(maintenance.started_at),
            "completed_at": when(maintenance.completed_at),
            "created_at": when(maintenance.created_at),
            "updated_at": when(maintenance.updated_at),
            "components": [component_out(c) for c in components if c is not None],
        },
        "update": update_out(update),
        "component_changes": changes_out(component_changes),
    }
