"""Use cases of the checklist: read an incident's items, and settle or reopen one by hand.

A hand-made change is a change of the incident: it lands on the timeline (kind `checklist`)
and in the outbox as `checklist.item_changed`, in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import InvalidInput
from firehouse.guidance import checklist, checklist_progress
from firehouse.guidance.model import ChecklistItem
from firehouse.guidance.policy import SEVERITY_CONFIRMED
from firehouse.incidents import queries
from firehouse.incidents.model import Incident
from firehouse.incidents.recording import load_for_change, record
from firehouse.incidents.visibility import Sight, ensure_visible
from firehouse.outbox.events import EventType
from firehouse.statuspage.model import PublicIncident

TIMELINE_KIND = "checklist"
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class ItemView:
    key: str
    label: str
    state: str
    note: str
    automatic: bool
    completed_at: datetime | None
    completed_by: str | None


@dataclass(frozen=True)
class Checklist:
    """`done` counts settled items: done, or set aside with a reason."""

    items: list[ItemView]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.state != checklist.OPEN)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def next_open(self) -> ItemView | None:
        return next((item for item in self.items if item.state == checklist.OPEN), None)

    def summary(self) -> str:
        """One line for chat and the CLI: `Checklist: 5/11 done, next: …`."""
        line = f"Checklist: {self.done}/{self.total} done"
        upcoming = self.next_open
        return line + (f", next: {upcoming.label}" if upcoming else "")


def incident_checklist(session: Session, number: int, sight: Sight) -> Checklist:
    """Read-only. Shows the public incident's progress at once, even before the next entry
    records it (publishing on the status page writes no internal entry)."""
    incident = queries.get_incident(session, number, sight)
    return checklist_of(session, incident)


def checklist_of(session: Session, incident: Incident) -> Checklist:
    """For a caller that already loaded (and checked the sight of) the incident."""
    rows = list(checklist_progress.items_of(session, incident.id).values())
    if not rows:  # declared before the checklist existed: its items come at its next change
        return Checklist(
            [_planned(key) for key in checklist_progress.wanted_items(session, incident)]
        )
    public = session.scalar(select(PublicIncident).where(PublicIncident.incident_id == incident.id))
    derived = set(checklist_progress.public_keys(public)) if public is not None else set()
    moment = (public.resolved_at or public.published_at) if public is not None else None
    return Checklist([_view(row, derived, moment) for row in rows])


def change_item(
    session: Session,
    number: int,
    key: str,
    state: str,
    note: str | None,
    *,
    actor: str,
    now: datetime,
    sight: Sight,
) -> ItemView:
    """done needs a note (what was done), not_applicable a reason; open reopens a settled
    item. Setting an item to the state it has already changes nothing."""
    ensure_visible(session, number, sight)
    if state not in checklist.STATES:
        allowed = ", ".join(checklist.STATES)
        raise InvalidInput(f"unknown state '{state}'; use one of {allowed}", field="state")
    incident = load_for_change(session, number, None)
    items = checklist_progress.ensure_items(session, incident, now=now)
    item = items.get(key)
    if item is None:
        carried = ", ".join(items) or "none"
        raise InvalidInput(
            f"incident {number} has no checklist item '{key}'; its items: {carried}", field="key"
        )
    text = _note_for(item, state, note, incident)
    if item.state == state and state == checklist.OPEN:
        return _view(item, set(), None)
    item.state = state
    item.automatic = False
    item.note = text
    item.completed_at = None if state == checklist.OPEN else now
    item.completed_by = None if state == checklist.OPEN else actor
    record(
        session,
        incident,
        kind=TIMELINE_KIND,
        text=_entry_text(item, state, text),
        actor=actor,
        now=now,
        event=EventType.CHECKLIST_ITEM_CHANGED,
        data={"key": key, "state": state, "note": text},
    )
    return _view(item, set(), None)


def _note_for(item: ChecklistItem, state: str, note: str | None, incident: Incident) -> str:
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        raise InvalidInput(f"must be at most {NOTE_LIMIT} characters", field="note")
    if text or state == checklist.OPEN:
        return text
    if state == checklist.DONE and item.key == SEVERITY_CONFIRMED:
        return f"Severity confirmed at {incident.priority}"  # the explicit "confirm" action
    if state == checklist.DONE:
        raise InvalidInput("is required: say what was done", field="note")
    raise InvalidInput("is required: give the reason it does not apply", field="note")


def _entry_text(item: ChecklistItem, state: str, note: str) -> str:
    label = checklist.label(item.key)
    if state == checklist.DONE:
        return f"Checklist: {label} done: {note}"
    if state == checklist.NOT_APPLICABLE:
        return f"Checklist: {label} not applicable: {note}"
    return f"Checklist: {label} reopened" + (f": {note}" if note else "")


def _planned(key: str) -> ItemView:
    return ItemView(key, checklist.label(key), checklist.OPEN, "", False, None, None)


def _view(row: ChecklistItem, derived: set[str], moment: datetime | None) -> ItemView:
    if row.state == checklist.OPEN and row.key in derived:
        return ItemView(
            row.key, checklist.label(row.key), checklist.DONE, "", True, moment, "statuspage"
        )
    return ItemView(
        key=row.key,
        label=checklist.label(row.key),
        state=row.state,
        note=row.note,
        automatic=row.automatic,
        completed_at=row.completed_at,
        completed_by=row.completed_by,
    )
