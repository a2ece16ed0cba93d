"""Keeps each incident's checklist in step with its timeline: creates the items when the
incident is declared, adjusts them when its priority changes, and ticks the item an entry
fulfils. Runs inside the transaction that wrote the entry (see firehouse.guidance.hooks).

Must not import firehouse.incidents.recording or .service at module level: they import this.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from firehouse.catalog.service import load_policy
from firehouse.guidance import checklist
from firehouse.guidance.model import ChecklistItem
from firehouse.guidance.settings import load_guidance
from firehouse.incidents.model import Incident
from firehouse.outbox.events import EventType
from firehouse.statuspage.model import Component, PublicIncident

FINAL_PUBLIC_STATUSES = frozenset({"resolved", "postmortem"})
# Made private (or public again): the status page duties go (or come back) as with a priority.
VISIBILITY_CHANGED = "visibility_changed"


def on_entry(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    event: str | None,
    data: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    """Called for every timeline entry (see firehouse.guidance.hooks)."""
    if event == EventType.CHECKLIST_ITEM_CHANGED:
        return  # our own entry: reacting to it would loop
    if event == EventType.INCIDENT_DECLARED:
        ensure_items(session, incident, now=now, new=True)
        return
    items = items_of(session, incident.id)
    if event == EventType.INCIDENT_PRIORITY_CHANGED or kind == VISIBILITY_CHANGED:
        items = _follow_priority(session, incident, items, now=now)
    if not items:
        items = ensure_items(session, incident, now=now)
    for key in checklist.completed_by_entry(kind, event, data):
        _tick(items.get(key), actor=actor, now=now, note="")
    _follow_public_incident(session, incident.id, items, now=now)


def tick(
    session: Session,
    incident: Incident,
    key: str,
    *,
    actor: str,
    now: datetime,
    note: str = "",
) -> bool:
    """For other parts of the guidance (follow-ups, postmortems): mark an item done because
    its action just happened. True when an open item was ticked; an item the incident does not
    carry, or one already settled, is left as it is."""
    item = session.scalar(
        select(ChecklistItem).where(
            ChecklistItem.incident_id == incident.id, ChecklistItem.key == key
        )
    )
    return _tick(item, actor=actor, now=now, note=note)


def items_of(session: Session, incident_id: int) -> dict[str, ChecklistItem]:
    rows = session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.incident_id == incident_id)
        .order_by(ChecklistItem.position)
    )
    return {row.key: row for row in rows}


def wanted_items(session: Session, incident: Incident, *, new: bool = False) -> tuple[str, ...]:
    level = load_policy(session).levels.get(incident.priority)
    if level is None:
        return ()
    facts = checklist.Facts(
        level=level,
        training=incident.training,
        private=incident.private,
        statuspage_in_use=_statuspage_in_use(session, None if new else incident.id),
    )
    return checklist.items_for(load_guidance(session), facts)


def ensure_items(
    session: Session, incident: Incident, *, now: datetime, new: bool = False
) -> dict[str, ChecklistItem]:
    """Creates what is missing (idempotent: an incident declared before the checklist existed
    gets its items at its next change). `new`: just declared, so it has no items and no public
    incident yet, and two queries can be skipped while the incident counter is locked."""
    items = {} if new else items_of(session, incident.id)
    current = {key: item.state for key, item in items.items()}
    for key in checklist.to_add(current, wanted_items(session, incident, new=new)):
        items[key] = _new_item(session, incident, key, now=now)
    session.flush()
    return items


def _statuspage_in_use(session: Session, incident_id: int | None) -> bool:
    """As the incident page decides it: components are configured, or a public incident is
    linked to this one already (`incident_id` None: a new incident, which has none)."""
    if session.scalar(select(exists().select_from(Component))):
        return True
    if incident_id is None:
        return False
    linked = select(PublicIncident.id).where(PublicIncident.incident_id == incident_id)
    return bool(session.scalar(select(exists(linked))))


def _follow_priority(
    session: Session, incident: Incident, items: dict[str, ChecklistItem], *, now: datetime
) -> dict[str, ChecklistItem]:
    wanted = wanted_items(session, incident)
    current = {key: item.state for key, item in items.items()}
    for key in checklist.to_remove(current, wanted):
        session.delete(items.pop(key))
    for key in checklist.to_add(current, wanted):
        items[key] = _new_item(session, incident, key, now=now)
    session.flush()
    return items


def _follow_public_incident(
    session: Session, incident_id: int, items: dict[str, ChecklistItem], *, now: datetime
) -> None:
    """Publishing or resolving the public incident writes no internal entry of its own, so
    any later entry catches up with it (and the read side shows it at once)."""
    if not any(
        items[key].state == checklist.OPEN for key in checklist.STATUSPAGE_ITEMS if key in items
    ):
        return
    public = session.scalar(select(PublicIncident).where(PublicIncident.incident_id == incident_id))
    if public is None:
        return
    for key in public_keys(public):
        _tick(items.get(key), actor="statuspage", now=now, note="")


def public_keys(public: PublicIncident) -> tuple[str, ...]:
    return checklist.completed_by_public_incident(
        published=public.published_at is not None,
        resolved=public.status in FINAL_PUBLIC_STATUSES,
    )


def _new_item(session: Session, incident: Incident, key: str, *, now: datetime) -> ChecklistItem:
    item = ChecklistItem(
        incident_id=incident.id,
        key=key,
        position=checklist.position(key),
        state=checklist.OPEN,
        note="",
        automatic=False,
        created_at=now,
    )
    session.add(item)
    return item


def _tick(item: ChecklistItem | None, *, actor: str, now: datetime, note: str) -> bool:
    if item is None or item.state != checklist.OPEN:
        return False
    item.state = checklist.DONE
    item.automatic = True
    item.note = note
    item.completed_at = now
    item.completed_by = actor
    return True
