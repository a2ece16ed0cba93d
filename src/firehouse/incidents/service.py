"""Use cases of the incident lifecycle: declare, edit, note, link, resolve, close, reopen.

Each function runs inside the caller's unit of work, checks the rules, changes the rows and
records a timeline entry and an outbox event through `recording.record`. None of them talks to
a third party: integrations react to the events later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.service import active_person, active_service, load_policy
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.guidance import hooks as guidance_hooks
from firehouse.incidents import roles
from firehouse.incidents.model import Incident, IncidentLink, TimelineEntry
from firehouse.incidents.policy import (
    LinkKind,
    PriorityPolicy,
    Role,
    Status,
    can_transition,
    is_training,
    transition_refusal,
)
from firehouse.incidents.recording import (
    load_for_change,
    next_number,
    not_in_future,
    record,
    required_text,
)
from firehouse.outbox.events import EventType

MAX_TAGS = 50


@dataclass(frozen=True)
class Declaration:
    service: str
    message: str
    priority: str
    description: str = ""
    source_url: str | None = None
    tags: tuple[str, ...] = ()
    commander: str | None = None
    reporter: str | None = None
    training: bool | None = None
    detected_at: datetime | None = None
    private: bool = False


@dataclass(frozen=True)
class Changes:
    """Fields a PATCH may change; None means "leave as it is"."""

    message: str | None = None
    description: str | None = None
    priority: str | None = None
    service: str | None = None
    tags: tuple[str, ...] | None = field(default=None)


def declare(session: Session, declaration: Declaration, *, actor: str, now: datetime) -> Incident:
    policy = load_policy(session)
    priority = _known_priority(policy, declaration.priority)
    service = active_service(session, declaration.service)
    message = required_text(declaration.message, "message", limit=300)
    if declaration.commander:
        active_person(session, declaration.commander, field="commander")
    detected = declaration.detected_at or now
    not_in_future(detected, now, "detected_at")
    if declaration.private and not (declaration.reporter or declaration.commander):
        raise InvalidInput(
            "a private incident is visible only to its participants: name its reporter or "
            "commander (a token acting for a person is its reporter)",
            field="private",
        )
    incident = Incident(
        number=next_number(session),
        message=message,
        description=(declaration.description or "").strip(),
        service_id=service.id,
        priority=priority,
        status=Status.OPEN.value,
        reporter=declaration.reporter or actor,
        source_url=_optional_url(declaration.source_url, "source_url"),
        tags=_clean_tags(declaration.tags),
        training=is_training(policy, priority, declaration.training),
        private=declaration.private,
        created_at=now,
        updated_at=now,
        detected_at=min(detected, now),
        roles=[],  # a new incident has none: saying so spares two lazy-load SELECTs
        links=[],
    )
    session.add(incident)
    session.flush()
    level = policy.level(priority)
    record(
        session,
        incident,
        kind="declared",
        text=f"Declared {level.label} on {service.name}: {message}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_DECLARED,
        data={"priority": priority, "service": service.id},
        bump_version=False,
    )
    if declaration.commander:
        roles.assign(session, incident, Role.COMMANDER, declaration.commander, actor=actor, now=now)
    return incident


def update(
    session: Session,
    number: int,
    changes: Changes,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    incident = load_for_change(session, number, expected_version)
    if changes.priority is not None and changes.priority != incident.priority:
        _change_priority(session, incident, changes.priority, actor=actor, now=now)
    edited: dict[str, tuple[object, object]] = {}
    if changes.service is not None and changes.service != incident.service_id:
        service = active_service(session, changes.service)
        edited["service"] = (incident.service_id, service.id)
        incident.service_id = service.id
    if changes.message is not None:
        message = required_text(changes.message, "message", limit=300)
        if message != incident.message:
            edited["message"] = (incident.message, message)
            incident.message = message
    if changes.description is not None and changes.description.strip() != incident.description:
        edited["description"] = (incident.description, changes.description.strip())
        incident.description = changes.description.strip()
    if changes.tags is not None and _clean_tags(changes.tags) != list(incident.tags):
        edited["tags"] = (list(incident.tags), _clean_tags(changes.tags))
        incident.tags = _clean_tags(changes.tags)
    if edited:
        record(
            session,
            incident,
            kind="updated",
            text="Updated " + ", ".join(_describe_edit(name, *edited[name]) for name in edited),
            actor=actor,
            now=now,
            event=EventType.INCIDENT_UPDATED,
            data={"fields": sorted(edited)},
        )
    return incident


def change_priority(
    session: Session,
    number: int,
    priority: str,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    return update(
        session,
        number,
        Changes(priority=priority),
        actor=actor,
        now=now,
        expected_version=expected_version,
    )


def add_timeline_entry(
    session: Session,
    number: int,
    text: str,
    *,
    actor: str,
    now: datetime,
    occurred_at: datetime | None = None,
) -> TimelineEntry:
    incident = load_for_change(session, number, None)
    body = required_text(text, "text")
    when = not_in_future(occurred_at, now, "occurred_at") if occurred_at else now
    return record(
        session,
        incident,
        kind="note",
        text=body,
        actor=actor,
        now=now,
        event=EventType.INCIDENT_TIMELINE_ENTRY_ADDED,
        occurred_at=when,
    )


def record_integration_step(
    session: Session,
    number: int,
    *,
    kind: str,
    text: str,
    actor: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """An integration's own step on the timeline ("created #incident-12", "invited 4 people").

    Not a change of the incident: its version stays (so automation never turns a responder's
    If-Match into a 409) and no event is emitted (so integrations do not react to each other's
    bookkeeping). The entry is there for the record and the postmortem.
    """
    incident = session.scalar(select(Incident).where(Incident.number == number))
    if incident is None:
        raise NotFound(f"no incident {number}", field="number")
    entry = TimelineEntry(
        incident_id=incident.id,
        kind=kind,
        text=required_text(text, "text"),
        actor=actor,
        occurred_at=now,
        recorded_at=now,
        data=data or {},
    )
    session.add(entry)
    session.flush()
    guidance_hooks.after_record(
        session, incident, kind=kind, event=None, data=data or {}, actor=actor, now=now
    )
    return entry


def add_link(
    session: Session,
    number: int,
    url: str,
    *,
    kind: str,
    actor: str,
    now: datetime,
    title: str | None = None,
) -> IncidentLink:
    incident = load_for_change(session, number, None)
    return _link(session, incident, url, kind=kind, title=title, actor=actor, now=now)


def resolve(
    session: Session,
    number: int,
    note: str,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    incident = load_for_change(session, number, expected_version)
    _check_transition(incident, Status.RESOLVED)
    text = required_text(note, "note")
    incident.status = Status.RESOLVED.value
    incident.resolved_at = now
    incident.resolution_note = text
    record(
        session,
        incident,
        kind="resolved",
        text=f"Resolved: {text}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_RESOLVED,
        data={"from": Status.OPEN.value, "to": "resolved"},
    )
    return incident


def close(
    session: Session,
    number: int,
    reason: str,
    *,
    actor: str,
    now: datetime,
    bug_links: tuple[str, ...] = (),
    expected_version: int | None = None,
) -> Incident:
    incident = load_for_change(session, number, expected_version)
    _check_transition(incident, Status.CLOSED)
    text = required_text(reason, "reason")
    for index, url in enumerate(bug_links):
        _optional_url(url, f"bug_links[{index}]")
    for url in bug_links:
        _link(session, incident, url, kind=LinkKind.BUG, title=None, actor=actor, now=now)
    previous = incident.status
    incident.status = Status.CLOSED.value
    incident.closed_at = now
    incident.close_reason = text
    record(
        session,
        incident,
        kind="closed",
        text=f"Closed: {text}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_CLOSED,
        data={"from": previous, "to": "closed"},
    )
    return incident


def reopen(
    session: Session,
    number: int,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Incident:
    incident = load_for_change(session, number, expected_version)
    _check_transition(incident, Status.OPEN)
    previous = incident.status
    incident.status = Status.OPEN.value
    incident.resolved_at = None
    incident.closed_at = None
    why = (reason or "").strip()
    record(
        session,
        incident,
        kind="reopened",
        text=f"Reopened (was {previous})" + (f": {why}" if why else ""),
        actor=actor,
        now=now,
        event=EventType.INCIDENT_REOPENED,
        data={"from": previous, "to": "open"},
    )
    return incident


def _change_priority(
    session: Session, incident: Incident, priority: str, *, actor: str, now: datetime
) -> None:
    policy = load_policy(session)
    new = _known_priority(policy, priority)
    old = incident.priority
    incident.priority = new
    if policy.level(new).training_only:
        incident.training = True
    record(
        session,
        incident,
        kind="priority_changed",
        text=f"Priority changed from {policy.level(old).label} to {policy.level(new).label}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_PRIORITY_CHANGED,
        data={"from": old, "to": new},
    )


def _link(
    session: Session,
    incident: Incident,
    url: str,
    *,
    kind: str,
    title: str | None,
    actor: str,
    now: datetime,
) -> IncidentLink:
    if kind not in {k.value for k in LinkKind}:
        allowed = ", ".join(k.value for k in LinkKind)
        raise InvalidInput(f"unknown link kind '{kind}'; use one of {allowed}", field="kind")
    target = _optional_url(url, "url")
    if target is None:
        raise InvalidInput("must not be empty", field="url")
    for existing in incident.links:
        if existing.url == target and existing.kind == kind:
            return existing
    link = IncidentLink(
        kind=str(kind), url=target, title=(title or "").strip()[:300], added_at=now, added_by=actor
    )
    incident.links.append(link)
    label = f"{link.title} ({target})" if link.title else target
    record(
        session,
        incident,
        kind="link_added",
        text=f"Linked {str(kind).replace('_', '-')}: {label}",
        actor=actor,
        now=now,
        event=EventType.INCIDENT_LINK_ADDED,
        data={"link_kind": str(kind), "url": target},
    )
    return link


def _check_transition(incident: Incident, target: Status) -> None:
    current = Status(incident.status)
    if not can_transition(current, target):
        raise Conflict(transition_refusal(current, target), field="status")


def _known_priority(policy: PriorityPolicy, priority: str) -> str:
    if priority not in policy.levels:
        known = ", ".join(policy.levels)
        raise InvalidInput(f"unknown priority '{priority}'; use one of {known}", field="priority")
    return priority


def _optional_url(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 2000:
        raise InvalidInput("must be an http(s) URL of at most 2000 characters", field=field)
    return url


def _clean_tags(tags: tuple[str, ...] | list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    if len(cleaned) > MAX_TAGS or any(len(t) > 100 for t in cleaned):
        raise InvalidInput(f"at most {MAX_TAGS} tags of at most 100 characters", field="tags")
    return cleaned


def _describe_edit(name: str, old: object, new: object) -> str:
    if name == "description":
        return "description"
    return f"{name} from {old!r} to {new!r}"
