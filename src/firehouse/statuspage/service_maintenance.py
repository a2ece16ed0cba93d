"""Use cases of scheduled maintenance: schedule a window, change it, and let time move it.

A maintenance goes scheduled → in_progress → verifying → completed (verifying may go back to
in_progress; any state may end in completed). While it is in progress or verifying, its
components are under maintenance unless an incident holds them worse. `advance_maintenances`
starts and completes windows whose times have passed; the worker loop calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.incidents.recording import required_text
from firehouse.outbox.events import EventType
from firehouse.statuspage import events
from firehouse.statuspage.ids import new_id
from firehouse.statuspage.model import Maintenance, PublicUpdate
from firehouse.statuspage.policy import MaintenanceStatus
from firehouse.statuspage.service_components import (
    ComponentChange,
    active_component,
    recompute,
)

SYSTEM_ACTOR = "firehouse"
NAME_LIMIT = 300
Status = MaintenanceStatus

_NEXT: dict[Status, frozenset[Status]] = {
    Status.SCHEDULED: frozenset({Status.IN_PROGRESS, Status.COMPLETED}),
    Status.IN_PROGRESS: frozenset({Status.VERIFYING, Status.COMPLETED}),
    Status.VERIFYING: frozenset({Status.IN_PROGRESS, Status.COMPLETED}),
    Status.COMPLETED: frozenset(),
}

# Statuspage's own wording for the updates it posts when nobody writes one.
DEFAULT_MESSAGES = {
    Status.SCHEDULED: "Scheduled maintenance.",
    Status.IN_PROGRESS: (
        "Scheduled maintenance is currently in progress. We will provide updates as necessary."
    ),
    Status.VERIFYING: "Verification is currently underway for the maintenance items.",
    Status.COMPLETED: "The scheduled maintenance has been completed.",
}


def create_maintenance(
    session: Session,
    *,
    name: str,
    scheduled_for: datetime,
    scheduled_until: datetime,
    component_ids: Sequence[str],
    actor: str,
    now: datetime,
    body: str | None = None,
) -> Maintenance:
    """Scheduled, with a first update. A window that has already begun starts at once (and
    one already over is recorded as completed), with that one update."""
    title = required_text(name, "name", NAME_LIMIT)
    _check_window(scheduled_for, scheduled_until)
    components = _components(session, component_ids)
    status = _due_status(Status.SCHEDULED, scheduled_for, scheduled_until, now)
    text = required_text(body, "body") if body is not None else DEFAULT_MESSAGES[status]
    maintenance = Maintenance(
        id=new_id(),
        name=title,
        status=status.value,
        scheduled_for=scheduled_for,
        scheduled_until=scheduled_until,
        component_ids=components,
        created_at=now,
        updated_at=now,
        started_at=now if status is not Status.SCHEDULED else None,
        completed_at=now if status is Status.COMPLETED else None,
    )
    session.add(maintenance)
    update = _add_update(maintenance, status, text, actor=actor, now=now)
    changes = recompute(session, components, now=now)
    update.affected_components = _affected(changes)
    session.flush()
    payload = events.maintenance_payload(
        session, maintenance, update=update, component_changes=changes, now=now
    )
    events.emit(session, EventType.STATUSPAGE_MAINTENANCE_SCHEDULED, payload, now=now)
    return maintenance


def _due_status(current: Status, start: datetime, end: datetime, now: datetime) -> Status:
    """Where time alone takes a maintenance; a responder's explicit status otherwise holds."""
    if current is not Status.COMPLETED and now >= end:
        return Status.COMPLETED
    if current is Status.SCHEDULED and now >= start:
        return Status.IN_PROGRESS
    return current


def update_maintenance(
    session: Session,
    maintenance_id: str,
    *,
    actor: str,
    now: datetime,
    status: str | None = None,
    message: str | None = None,
    name: str | None = None,
    scheduled_for: datetime | None = None,
    scheduled_until: datetime | None = None,
    component_ids: Sequence[str] | None = None,
) -> Maintenance:
    """A change of status posts an update (with `message`, or the default wording)."""
    maintenance = _load_for_change(session, maintenance_id)
    if Status(maintenance.status) is Status.COMPLETED:
        raise Conflict(f"maintenance {maintenance_id} is completed", field="status")
    target = _parse_status(status) if status is not None else None
    text = required_text(message, "message") if message is not None else None
    touched = set(maintenance.component_ids)
    if name is not None:
        maintenance.name = required_text(name, "name", NAME_LIMIT)
    if scheduled_for is not None or scheduled_until is not None:
        start = scheduled_for or maintenance.scheduled_for
        end = scheduled_until or maintenance.scheduled_until
        _check_window(start, end)
        maintenance.scheduled_for, maintenance.scheduled_until = start, end
    if component_ids is not None:
        maintenance.component_ids = _components(session, component_ids)
        touched |= set(maintenance.component_ids)
    maintenance.updated_at = now
    if target is not None and target.value != maintenance.status:
        return _move(session, maintenance, target, text, actor=actor, now=now, touched=touched)
    update = (
        _add_update(maintenance, Status(maintenance.status), text, actor=actor, now=now)
        if text
        else None
    )
    _announce(session, maintenance, update, recompute(session, touched, now=now), now)
    return maintenance


def advance_maintenances(session: Session, now: datetime) -> int:
    """Start the windows that have begun and complete those that have ended; returns how
    many maintenances moved. Safe to call as often as wanted: nothing due, nothing written."""
    due = session.scalars(
        select(Maintenance)
        .where(
            Maintenance.status != Status.COMPLETED.value,
            (Maintenance.scheduled_until <= now)
            | ((Maintenance.status == Status.SCHEDULED.value) & (Maintenance.scheduled_for <= now)),
        )
        .options(selectinload(Maintenance.updates))
        .with_for_update(of=Maintenance)
    ).all()
    return sum(1 for maintenance in due if _advance(session, maintenance, now))


def _advance(session: Session, maintenance: Maintenance, now: datetime) -> bool:
    current = Status(maintenance.status)
    due = _due_status(current, maintenance.scheduled_for, maintenance.scheduled_until, now)
    if due is current:
        return False
    _move(session, maintenance, due, None, actor=SYSTEM_ACTOR, now=now)
    return True


def _move(
    session: Session,
    maintenance: Maintenance,
    target: Status,
    text: str | None,
    *,
    actor: str,
    now: datetime,
    touched: set[str] | None = None,
) -> Maintenance:
    current = Status(maintenance.status)
    if target not in _NEXT[current]:
        allowed = ", ".join(sorted(s.value for s in _NEXT[current])) or "nothing"
        raise Conflict(
            f"cannot go from {current.value} to {target.value}; "
            f"from {current.value} only {allowed}",
            field="status",
        )
    maintenance.status = target.value
    maintenance.updated_at = now
    if target.is_active and maintenance.started_at is None:
        maintenance.started_at = now
    if target is Status.COMPLETED:
        maintenance.completed_at = now
    update = _add_update(
        maintenance, target, text or DEFAULT_MESSAGES[target], actor=actor, now=now
    )
    ids = (touched or set()) | set(maintenance.component_ids)
    changes = recompute(session, ids, now=now)
    update.affected_components = _affected(changes)
    _announce(session, maintenance, update, changes, now)
    return maintenance


def _affected(changes: list[ComponentChange]) -> list[dict[str, str]]:
    return [
        {
            "code": change.component.id,
            "name": change.component.name,
            "old_status": change.old_status,
            "new_status": change.new_status,
        }
        for change in changes
    ]


def _announce(
    session: Session,
    maintenance: Maintenance,
    update: PublicUpdate | None,
    changes: list[ComponentChange],
    now: datetime,
) -> None:
    session.flush()
    payload = events.maintenance_payload(
        session, maintenance, update=update, component_changes=changes, now=now
    )
    events.emit(session, EventType.STATUSPAGE_MAINTENANCE_UPDATED, payload, now=now)


def _add_update(
    maintenance: Maintenance, status: Status, text: str, *, actor: str, now: datetime
) -> PublicUpdate:
    update = PublicUpdate(
        id=new_id(),
        status=status.value,
        body=text,
        affected_components=[],
        author=actor,
        created_at=now,
    )
    maintenance.updates.insert(0, update)
    return update


def _load_for_change(session: Session, maintenance_id: str) -> Maintenance:
    maintenance = session.scalar(
        select(Maintenance)
        .where(Maintenance.id == maintenance_id)
        .options(selectinload(Maintenance.updates))
        .with_for_update(of=Maintenance)
    )
    if maintenance is None:
        raise NotFound(f"no maintenance '{maintenance_id}'", field="id")
    return maintenance


def _parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise InvalidInput(f"'{value}' is not one of {allowed}", field="status") from None


def _check_window(start: datetime, end: datetime) -> None:
    for moment, field in ((start, "scheduled_for"), (end, "scheduled_until")):
        if moment.tzinfo is None:
            raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field=field)
    if end <= start:
        raise InvalidInput("must be after scheduled_for", field="scheduled_until")


def _components(session: Session, component_ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(component_ids))
    for index, component_id in enumerate(unique):
        active_component(session, component_id, field=f"component_ids.{index}")
    return unique
