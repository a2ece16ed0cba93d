"""Components: reading them, changing one by hand, and deriving their status from what holds them.

A component's status is live state with one rule: it follows the worst status that the
unresolved *published* incidents affecting it give it, and `under_maintenance` while a
maintenance window covering it is in progress (an outage outranks maintenance, as on
Statuspage). When nothing holds it any more it returns to operational. A responder may also
set a status by hand; that holds until the next incident or maintenance touching the
component recomputes it. Drafts hold nothing: they are invisible to the public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import InvalidInput, NotFound
from firehouse.outbox.events import EventType
from firehouse.statuspage import events
from firehouse.statuspage.model import (
    Component,
    Maintenance,
    PublicIncident,
    PublicIncidentComponent,
)
from firehouse.statuspage.policy import ComponentStatus, IncidentStatus, MaintenanceStatus

# The order in which statuses hold a component: the last one present wins.
SEVERITY = (
    ComponentStatus.OPERATIONAL,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
)
FINAL_STATUSES = tuple(s.value for s in IncidentStatus if s.is_final)
ACTIVE_MAINTENANCE = tuple(s.value for s in MaintenanceStatus if s.is_active)


@dataclass(frozen=True)
class ComponentChange:
    """A component's public status moving; what subscribers are told."""

    component: Component
    old_status: str
    new_status: str


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The status that holds a component; operational when nothing holds it."""
    return max(statuses, key=SEVERITY.index, default=ComponentStatus.OPERATIONAL)


def parse_status(value: str, field: str, *, maintenance_allowed: bool = True) -> ComponentStatus:
    try:
        status = ComponentStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ComponentStatus)
        raise InvalidInput(f"'{value}' is not one of {allowed}", field=field) from None
    if status is ComponentStatus.UNDER_MAINTENANCE and not maintenance_allowed:
        raise InvalidInput(
            "under_maintenance is set by a maintenance window, not by an incident", field=field
        )
    return status


def list_components(session: Session, *, include_inactive: bool = False) -> list[Component]:
    query = select(Component).order_by(Component.position, Component.id)
    if not include_inactive:
        query = query.where(Component.active.is_(True))
    return list(session.scalars(query))


def active_component(session: Session, component_id: str, *, field: str) -> Component:
    component = session.get(Component, component_id)
    if component is None or not component.active:
        raise InvalidInput(f"unknown component '{component_id}'", field=field)
    return component


def get_component(session: Session, component_id: str) -> Component:
    component = session.get(Component, component_id)
    if component is None or not component.active:
        raise NotFound(f"no component '{component_id}'", field="id")
    return component


def set_status(session: Session, component_id: str, status: str, *, now: datetime) -> Component:
    """A responder's direct change. It emits `statuspage.component_changed` when it changes
    anything; setting the status a component already has is a no-op."""
    component = get_component(session, component_id)
    new = parse_status(status, "status")
    old = component.status
    if old == new.value:
        return component
    component.status = new.value
    component.updated_at = now
    session.flush()
    change = ComponentChange(component, old, new.value)
    events.emit(
        session,
        EventType.STATUSPAGE_COMPONENT_CHANGED,
        events.component_payload(session, change, now=now),
        now=now,
    )
    return component


def recompute(
    session: Session, component_ids: Iterable[str], *, now: datetime
) -> list[ComponentChange]:
    """Set each named component to the status that what holds it says; returns the moves."""
    ids = sorted(set(component_ids))
    if not ids:
        return []
    session.flush()
    held = _holders(session, ids)
    changes: list[ComponentChange] = []
    for component in session.scalars(select(Component).where(Component.id.in_(ids))):
        new = worst(held.get(component.id, ())).value
        if component.status != new:
            changes.append(ComponentChange(component, component.status, new))
            component.status = new
            component.updated_at = now
    return sorted(changes, key=lambda change: change.component.position)


def _holders(session: Session, ids: list[str]) -> dict[str, list[ComponentStatus]]:
    held: dict[str, list[ComponentStatus]] = {}
    rows = session.execute(
        select(PublicIncidentComponent.component_id, PublicIncidentComponent.status)
        .join(PublicIncident, PublicIncident.id == PublicIncidentComponent.public_incident_id)
        .where(
            PublicIncidentComponent.component_id.in_(ids),
            PublicIncident.published_at.is_not(None),
            PublicIncident.status.not_in(FINAL_STATUSES),
        )
    )
    for component_id, status in rows:
        held.setdefault(component_id, []).append(ComponentStatus(status))
    maintenances = session.scalars(
        select(Maintenance).where(Maintenance.status.in_(ACTIVE_MAINTENANCE))
    )
    for maintenance in maintenances:
        for component_id in maintenance.component_ids:
            if component_id in ids:
                held.setdefault(component_id, []).append(ComponentStatus.UNDER_MAINTENANCE)
    return held
