"""Postmortem use cases: started by itself when a critical incident is resolved, or by hand;
edited with an optimistic version; moved draft → in review → published; exported.

A postmortem is as private as its incident: every use case takes the caller's Sight, and an
incident the caller may not see has no postmortem either (the same NotFound as no incident).

Called from firehouse.guidance.hooks inside the recording transaction, so this module must
not import firehouse.incidents.recording or .service at module level (they import the hooks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from firehouse.catalog.model import OrganisationSetting
from firehouse.catalog.service import load_policy
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import postmortem
from firehouse.guidance.model import Postmortem
from firehouse.guidance.policy import POSTMORTEM_COMPLETED, POSTMORTEM_CREATED, from_settings
from firehouse.guidance.postmortem_facts import facts_of
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role
from firehouse.incidents.visibility import Sight, check, missing, visible
from firehouse.outbox.append import append
from firehouse.outbox.events import DomainEvent, EventType

DRAFT, IN_REVIEW, PUBLISHED = "draft", "in_review", "published"
STATES = (DRAFT, IN_REVIEW, PUBLISHED)
# Where each state may go: review can send a draft back; a published postmortem is final.
MOVES: dict[str, tuple[str, ...]] = {DRAFT: (IN_REVIEW,), IN_REVIEW: (DRAFT, PUBLISHED)}
DOCUMENT_LIMIT = 200_000
SYSTEM_ACTOR = "firehouse"


@dataclass(frozen=True)
class PostmortemView:
    incident: Incident
    postmortem: Postmortem


def on_entry(
    session: Session,
    incident: Incident,
    *,
    kind: str,  # noqa: ARG001 - the hook's signature
    event: str | None,
    data: dict[str, Any],  # noqa: ARG001 - the hook's signature
    actor: str,
    now: datetime,
) -> None:
    """Starts the postmortem when an incident whose level requires one is resolved.

    Only the domain event counts (an integration's own step has event None), which is also
    what keeps the timeline entry written below from coming back here."""
    if event != EventType.INCIDENT_RESOLVED.value or incident.training:
        return
    level = load_policy(session).levels.get(incident.priority)
    if level is None or not level.postmortem_required:
        return
    existing = _row_of(session, incident)
    if existing is None:
        _create(session, incident, actor=actor, now=now, why="required for this priority")
        return
    _refresh_on_resolve(session, incident, existing, now=now)


def get(session: Session, number: int, sight: Sight, *, lock: bool = False) -> PostmortemView:
    """`lock` for a change: concurrent edits queue on the row, then the version decides."""
    incident = _incident(session, number, sight)
    row = _row_of(session, incident, lock=lock)
    if row is None:
        raise NotFound(f"incident {number} has no postmortem yet", field="number")
    return PostmortemView(incident, row)


def find(session: Session, number: int, sight: Sight) -> tuple[Incident, Postmortem | None]:
    """For a page that offers to start one: the incident (missing if not visible), and its
    postmortem when there is one."""
    incident = _incident(session, number, sight)
    return incident, _row_of(session, incident)


def start(
    session: Session, number: int, *, sight: Sight, actor: str, now: datetime
) -> tuple[PostmortemView, bool]:
    """By hand, for any incident. Starting one that exists returns it (False: not new)."""
    incident = _incident(session, number, sight, lock=True)
    row = _row_of(session, incident)
    if row is not None:
        return PostmortemView(incident, row), False
    return PostmortemView(incident, _create(session, incident, actor=actor, now=now)), True


def edit(
    session: Session,
    number: int,
    document: str,
    *,
    expected_version: int,
    sight: Sight,
    actor: str,
    now: datetime,
) -> PostmortemView:
    view = get(session, number, sight, lock=True)
    row = view.postmortem
    _check_version(row, expected_version)
    if row.state == PUBLISHED:
        raise Conflict("a published postmortem cannot be edited", field="state")
    if not document.strip():
        raise InvalidInput("must not be empty", field="document")
    if len(document) > DOCUMENT_LIMIT:
        raise InvalidInput(f"must be at most {DOCUMENT_LIMIT} characters", field="document")
    row.document = document
    row.started_at = row.started_at or now
    _touched(session, view, now=now, change="edited", actor=actor)
    return view


def change_state(
    session: Session,
    number: int,
    state: str,
    *,
    sight: Sight,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> PostmortemView:
    if state not in STATES:
        raise InvalidInput(f"must be one of {', '.join(STATES)}", field="state")
    view = get(session, number, sight, lock=True)
    row = view.postmortem
    if expected_version is not None:
        _check_version(row, expected_version)
    if state == row.state:
        return view
    if state not in MOVES.get(row.state, ()):
        raise Conflict(f"a postmortem cannot go from {row.state} to {state}", field="state")
    row.state = state
    row.published_at = now if state == PUBLISHED else None
    _touched(session, view, now=now, change=state, actor=actor)
    _note(session, view.incident, f"Postmortem moved to {state.replace('_', ' ')}", actor, now)
    if state == PUBLISHED:
        _tick(session, view.incident, POSTMORTEM_COMPLETED, actor=actor, now=now)
    return view


def export(session: Session, number: int, sight: Sight, *, fmt: str) -> str:
    if fmt not in ("md", "html"):
        raise InvalidInput("must be md or html", field="format")
    view = get(session, number, sight)
    document = view.postmortem.document
    if fmt == "md":
        return document
    return postmortem.html_page(document, f"Postmortem: incident {number}")


def list_postmortems(
    session: Session,
    sight: Sight,
    *,
    now: datetime,
    state: str | None = None,
    overdue: bool | None = None,
) -> list[PostmortemView]:
    if state is not None and state not in STATES:
        raise InvalidInput(f"must be one of {', '.join(STATES)}", field="state")
    query = (
        select(Postmortem, Incident)
        .join(Incident, Incident.id == Postmortem.incident_id)
        .where(visible(sight))
        .order_by(Incident.number.desc())
    )
    if state is not None:
        query = query.where(Postmortem.state == state)
    views = [PostmortemView(incident, row) for row, incident in session.execute(query).all()]
    if overdue is None:
        return views
    return [view for view in views if is_overdue(view.postmortem, now) == overdue]


def is_overdue(row: Postmortem, now: datetime) -> bool:
    return row.state != PUBLISHED and row.due_at is not None and row.due_at < now


def _incident(session: Session, number: int, sight: Sight, *, lock: bool = False) -> Incident:
    query = select(Incident).where(Incident.number == number).options(selectinload(Incident.roles))
    if lock:
        query = query.with_for_update(of=Incident)
    incident = session.scalar(query)
    if incident is None:
        raise missing(number)
    return check(incident, sight)


def _row_of(session: Session, incident: Incident, *, lock: bool = False) -> Postmortem | None:
    query = select(Postmortem).where(Postmortem.incident_id == incident.id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def _due(session: Session, incident: Incident) -> datetime | None:
    if incident.resolved_at is None:
        return None
    setting = session.get(OrganisationSetting, "guidance")
    days = from_settings(getattr(setting, "value", None)).postmortem_due_business_days
    return postmortem.add_business_days(incident.resolved_at, days)


def _create(
    session: Session, incident: Incident, *, actor: str, now: datetime, why: str = "started"
) -> Postmortem:
    row = Postmortem(
        incident_id=incident.id,
        owner=next(iter(incident.holders(Role.COMMANDER)), None),
        due_at=_due(session, incident),
        state=DRAFT,
        document=postmortem.generate(facts_of(session, incident)),
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    due = f", due {postmortem.utc_text(row.due_at)}" if row.due_at else ""
    _note(session, incident, f"Postmortem draft created ({why}){due}", actor, now)
    _event(session, incident, row, change="created", actor=actor, now=now)
    _tick(session, incident, POSTMORTEM_CREATED, actor=actor, now=now)
    return row


def _refresh_on_resolve(
    session: Session, incident: Incident, row: Postmortem, *, now: datetime
) -> None:
    """A second resolve (after a reopen) never makes a second postmortem. A draft nobody has
    touched yet is rewritten so it tells the whole story; a started one is left alone."""
    changed = False
    if row.due_at is None:
        row.due_at = _due(session, incident)
        changed = True
    if row.owner is None:
        row.owner = next(iter(incident.holders(Role.COMMANDER)), None)
        changed = changed or row.owner is not None
    if row.state == DRAFT and row.started_at is None:
        row.document = postmortem.generate(facts_of(session, incident))
        changed = True
    if changed:
        row.version += 1
        row.updated_at = now
        _event(session, incident, row, change="regenerated", actor=SYSTEM_ACTOR, now=now)


def _check_version(row: Postmortem, expected: int) -> None:
    if expected != row.version:
        raise Conflict(
            f"the postmortem is at version {row.version}, not {expected}: it changed since "
            "you read it; reload and try again",
            field="version",
        )


def _touched(
    session: Session, view: PostmortemView, *, now: datetime, change: str, actor: str
) -> None:
    view.postmortem.version += 1
    view.postmortem.updated_at = now
    session.flush()
    _event(session, view.incident, view.postmortem, change=change, actor=actor, now=now)


def _note(session: Session, incident: Incident, text: str, actor: str, now: datetime) -> None:
    """Bookkeeping on the timeline: no version bump, no domain event (see the service)."""
    from firehouse.incidents.service import record_integration_step  # noqa: PLC0415 - cycle

    record_integration_step(
        session, incident.number, kind="postmortem", text=text, actor=actor, now=now
    )


def _event(
    session: Session, incident: Incident, row: Postmortem, *, change: str, actor: str, now: datetime
) -> None:
    from firehouse.incidents.recording import snapshot  # noqa: PLC0415 - import cycle

    data = {
        "incident": snapshot(incident),
        "postmortem": {
            "change": change,
            "state": row.state,
            "owner": row.owner,
            "due_at": row.due_at.isoformat() if row.due_at else None,
            "version": row.version,
            "actor": actor,
        },
    }
    event = DomainEvent(
        EventType.POSTMORTEM_CHANGED, stream=f"incident:{incident.number}", data=data
    )
    append(session, event, now=now)


def _tick(session: Session, incident: Incident, key: str, *, actor: str, now: datetime) -> None:
    """The checklist item, when the checklist module offers `tick` (it is written alongside)."""
    from firehouse.guidance import checklist_progress  # noqa: PLC0415 - hooks import cycle

    tick = getattr(checklist_progress, "tick", None)
    if tick is not None:
        tick(session, incident, key, actor=actor, now=now, note="postmortem")
