"""Follow-ups: the work an incident leaves behind, kept in firehouse or in Jira / GitHub.

A follow-up row is written at once, in the caller's transaction, whatever the tracker. For
Jira and GitHub the ticket itself is created later by the `trackers` outbox subscription
(firehouse.integrations.trackers), so a tracker outage delays the ticket and never refuses
the follow-up. Each row carries a fresh `request_key`; the ticket is labelled with it, so a
retry after a lost answer finds the ticket instead of opening a second one.

A built-in follow-up gets no incident link: it lives in firehouse and is shown in the
incident's follow-up panel, and a link needs an absolute http(s) URL the service layer does
not know. Creating it ticks the checklist's `follow_ups_linked` item straight away; an
external one ticks it once its ticket exists and is linked (see `record_ticket`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance.model import FollowUp
from firehouse.incidents import visibility
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import LinkKind
from firehouse.incidents.visibility import Sight
from firehouse.outbox.append import append_addressed
from firehouse.outbox.events import EventType

TRACKERS = ("builtin", "jira", "github")
EXTERNAL = frozenset({"jira", "github"})
OPEN, DONE = "open", "done"
SYNC_EVENT = "follow_up.sync"
SUBSCRIPTION = "trackers"
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
CHECKLIST_ITEM = "follow_ups_linked"
NAMES = {"builtin": "firehouse", "jira": "Jira", "github": "GitHub"}


def trackers_settings(session: Session) -> dict[str, Any]:
    """The applied `guidance.trackers` section, or {} when none is configured."""
    row = session.get(OrganisationSetting, "guidance")
    value = getattr(row, "value", None) or {}
    trackers = value.get("trackers") if isinstance(value, dict) else None
    return dict(trackers) if isinstance(trackers, dict) else {}


def default_tracker(session: Session) -> str:
    return str(trackers_settings(session).get("default") or "builtin")


def create(
    session: Session,
    number: int,
    title: str,
    *,
    actor: str,
    now: datetime,
    sight: Sight,
    description: str = "",
    tracker: str | None = None,
) -> FollowUp:
    """A follow-up of incident `number`; `tracker` None means the configured default."""
    visibility.ensure_visible(session, number, sight)
    name = _tracker(session, tracker)
    text = _title(title)
    body = (description or "").strip()
    if len(body) > MAX_DESCRIPTION:
        raise InvalidInput(f"at most {MAX_DESCRIPTION} characters", field="description")
    incident = _load(session, number)
    row = FollowUp(
        incident_id=incident.id,
        title=text,
        description=body,
        tracker=name,
        request_key=uuid.uuid4().hex,
        status=OPEN,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    where = "" if name == "builtin" else f" (a {NAMES[name]} ticket follows)"
    added = f"Follow-up added: {text}{where}"
    _record(session, incident, row, "follow_up_added", added, actor=actor, now=now)
    if name in EXTERNAL:
        data = {"follow_up": row.id, "action": "create"}
        stream = f"incident:{incident.number}"
        append_addressed(
            session, type=SYNC_EVENT, stream=stream, data=data, subscription=SUBSCRIPTION, now=now
        )
    else:
        tick_checklist(session, incident, actor=actor, now=now, note=f"Follow-up: {text}")
    return row


def mark_done(
    session: Session, follow_up_id: int, *, actor: str, now: datetime, sight: Sight
) -> FollowUp:
    """Built-in follow-ups only: an external ticket is closed in its tracker, which tells us."""
    row, incident = _visible(session, follow_up_id, sight)
    _builtin_only(row, "done")
    if row.status == DONE:
        return row
    row.status, row.closed_at, row.updated_at = DONE, now, now
    _record(
        session,
        incident,
        row,
        "follow_up_done",
        f"Follow-up done: {row.title}",
        actor=actor,
        now=now,
    )
    return row


def reopen(
    session: Session, follow_up_id: int, *, actor: str, now: datetime, sight: Sight
) -> FollowUp:
    row, incident = _visible(session, follow_up_id, sight)
    _builtin_only(row, "reopened")
    if row.status == OPEN:
        return row
    row.status, row.closed_at, row.updated_at = OPEN, None, now
    text = f"Follow-up reopened: {row.title}"
    _record(session, incident, row, "follow_up_reopened", text, actor=actor, now=now)
    return row


def list_for(session: Session, number: int, sight: Sight) -> list[FollowUp]:
    visibility.ensure_visible(session, number, sight)
    incident = _load(session, number)
    query = select(FollowUp).where(FollowUp.incident_id == incident.id).order_by(FollowUp.id)
    return list(session.scalars(query))


def get(session: Session, follow_up_id: int, sight: Sight) -> FollowUp:
    return _visible(session, follow_up_id, sight)[0]


def record_ticket(
    session: Session,
    follow_up_id: int,
    *,
    external_key: str,
    url: str,
    external_status: str | None,
    now: datetime,
) -> FollowUp | None:
    """The tracker created (or we found) the ticket: remember it, link it, tick the checklist.
    Idempotent: a redelivered sync finds the key recorded and changes nothing."""
    row = session.get(FollowUp, follow_up_id)
    if row is None or row.external_key is not None:
        return row
    incident = session.get_one(Incident, row.incident_id)
    row.external_key, row.url, row.updated_at = external_key, url, now
    row.external_status = external_status
    from firehouse.incidents.service import add_link  # noqa: PLC0415 -- hooks import cycle

    actor = row.tracker
    add_link(
        session,
        incident.number,
        url,
        kind=LinkKind.FOLLOW_UP,
        title=row.title,
        actor=actor,
        now=now,
    )
    tick_checklist(session, incident, actor=actor, now=now, note=f"{external_key}: {row.title}")
    return row


def sync_status(
    session: Session,
    tracker: str,
    external_key: str,
    *,
    done: bool,
    external_status: str | None,
    now: datetime,
) -> FollowUp | None:
    """A tracker says its ticket was closed or reopened (webhook or polling). Unknown tickets
    are ignored (None): trackers send events about every issue of a project."""
    row = session.scalar(
        select(FollowUp).where(FollowUp.tracker == tracker, FollowUp.external_key == external_key)
    )
    if row is None:
        return None
    row.external_status = external_status
    wanted = DONE if done else OPEN
    if row.status == wanted:
        return row
    row.status, row.updated_at = wanted, now
    row.closed_at = now if done else None
    incident = session.get_one(Incident, row.incident_id)
    verb = "closed" if done else "reopened"
    text = f"Follow-up {verb} in {NAMES[tracker]} ({external_key}): {row.title}"
    kind = "follow_up_done" if done else "follow_up_reopened"
    _record(session, incident, row, kind, text, actor=tracker, now=now)
    return row


def open_tickets(session: Session) -> list[FollowUp]:
    """External follow-ups whose ticket exists and is not known to be closed (for polling)."""
    query = select(FollowUp).where(
        FollowUp.tracker.in_(sorted(EXTERNAL)),
        FollowUp.external_key.is_not(None),
        FollowUp.status == OPEN,
    )
    return list(session.scalars(query.order_by(FollowUp.id)))


def tick_checklist(
    session: Session, incident: Incident, *, actor: str, now: datetime, note: str
) -> None:
    """The checklist owner's `tick`, when it exists: the checklist is another slice's."""
    from firehouse.guidance import checklist_progress  # noqa: PLC0415 -- hooks import cycle

    tick = getattr(checklist_progress, "tick", None)
    if tick is not None:
        tick(session, incident, CHECKLIST_ITEM, actor=actor, now=now, note=note)


def _record(
    session: Session,
    incident: Incident,
    row: FollowUp,
    kind: str,
    text: str,
    *,
    actor: str,
    now: datetime,
) -> None:
    from firehouse.incidents.recording import record  # noqa: PLC0415 -- hooks import cycle

    data = {"follow_up": row.id, "tracker": row.tracker, "status": row.status, "title": row.title}
    record(
        session,
        incident,
        kind=kind,
        text=text,
        actor=actor,
        now=now,
        event=EventType.FOLLOW_UP_CHANGED,
        data=data,
    )


def _load(session: Session, number: int) -> Incident:
    from firehouse.incidents.recording import load_for_change  # noqa: PLC0415 -- import cycle

    return load_for_change(session, number, None)


def _visible(session: Session, follow_up_id: int, sight: Sight) -> tuple[FollowUp, Incident]:
    row = session.get(FollowUp, follow_up_id)
    missing = NotFound(f"no follow-up {follow_up_id}", field="id")
    if row is None:
        raise missing
    incident = session.get_one(Incident, row.incident_id)
    if not visibility.can_see(incident, sight):
        raise missing
    return row, incident


def _builtin_only(row: FollowUp, action: str) -> None:
    if row.tracker != "builtin":
        raise Conflict(
            f"follow-up {row.id} is a {NAMES[row.tracker]} ticket: it is {action} in "
            f"{NAMES[row.tracker]}, and firehouse follows",
            field="id",
        )


def _tracker(session: Session, tracker: str | None) -> str:
    name = (tracker or "").strip().lower() or default_tracker(session)
    if name not in TRACKERS:
        raise InvalidInput(
            f"unknown tracker '{name}'; use one of builtin, jira, github", field="tracker"
        )
    if name in EXTERNAL and not trackers_settings(session).get(name):
        raise InvalidInput(f"no {NAMES[name]} tracker is configured", field="tracker")
    return name


def _title(title: str) -> str:
    text = (title or "").strip()
    if not text:
        raise InvalidInput("must not be empty", field="title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(f"at most {MAX_TITLE} characters", field="title")
    return text
