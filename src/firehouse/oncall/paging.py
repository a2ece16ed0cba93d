"""Use cases of pages: raise one, acknowledge it, cancel it, escalate an incident to
point-people. Each runs in the caller's transaction and leaves the first step's
notifications, timeline entries and events behind it (see oncall.escalation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.catalog.service import active_person, active_service
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.incidents import roles
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Role
from firehouse.incidents.recording import required_text
from firehouse.oncall import escalation
from firehouse.oncall.directory import escalation_policy_for
from firehouse.oncall.model import EscalationPolicy, Page, Schedule
from firehouse.outbox.events import EventType

ACK_MEANS = ("link", "api", "cli", "slack")


@dataclass(frozen=True)
class PageRequest:
    """Exactly one of person, service, escalation_policy, schedule (with an optional layer),
    or `targets` already resolved by the caller (the paging flow's everyone-on-call)."""

    message: str
    person: str | None = None
    service: str | None = None
    escalation_policy: str | None = None
    schedule: str | None = None
    layer: str | None = None
    incident: int | None = None
    alert_id: int | None = None
    targets: list[dict[str, Any]] = field(default_factory=list)
    reason: str = "manual"
    trigger_key: str | None = None


def create_page(session: Session, request: PageRequest, *, actor: str, now: datetime) -> Page:
    """Idempotent by `trigger_key`: asking again for the same cause returns the first page."""
    if request.trigger_key is not None:
        existing = session.scalar(select(Page).where(Page.trigger_key == request.trigger_key))
        if existing is not None:
            return existing
    policy_id, targets = _what_to_page(session, request)
    incident_id = _incident_id(session, request.incident)
    page = Page(
        trigger_key=request.trigger_key or f"{request.reason}:{uuid.uuid4().hex}",
        incident_id=incident_id,
        alert_id=request.alert_id,
        escalation_policy_id=policy_id,
        targets=targets,
        message=required_text(request.message, "message", limit=2000),
        reason=request.reason,
        status="triggered",
        step=0,
        round=0,
        created_by=actor,
        created_at=now,
    )
    session.add(page)
    session.flush()
    escalation.start(session, page, now=now)
    return page


def acknowledge_page(
    session: Session, page_id: int, *, person_id: str | None, actor: str, via: str, now: datetime
) -> Page:
    """Stops the escalation and counts as the incident's acknowledgement. A second
    acknowledgement returns the page as the first left it."""
    if via not in ACK_MEANS:
        raise InvalidInput(f"unknown means '{via}'; use {', '.join(ACK_MEANS)}", field="via")
    page = _locked(session, page_id)
    if page.status == "acknowledged":
        return page
    if page.status == "cancelled":
        raise Conflict(f"page {page_id} was cancelled; there is nothing to acknowledge")
    who = person_id or actor
    page.status = "acknowledged"
    page.acknowledged_at = now
    page.acknowledged_by = who
    page.acknowledged_via = via
    page.ended_at = page.ended_at or now
    page.next_step_at = None
    escalation.skip_scheduled(session, page)
    escalation.record_step(
        session,
        page,
        kind="page.acknowledged",
        text=f"{_name(session, who)} acknowledged the page (via {via})",
        actor=who,
        now=now,
        data={"page": page.id, "via": via},
    )
    escalation.emit(session, page, EventType.PAGE_ACKNOWLEDGED, {"by": who, "via": via}, now)
    number = escalation.incident_number(session, page)
    if number is not None:
        roles.acknowledge(session, number, actor=who, now=now)
        if person_id is not None:
            _join_private(session, number, person_id, now=now)
    return page


def _join_private(session: Session, number: int, person_id: str, *, now: datetime) -> None:
    """Whoever acknowledges a page of a private incident joins it as a responder: the page
    told them nothing (see oncall.flow.page_message), and only participants may see it."""
    incident = session.scalar(select(Incident).where(Incident.number == number))
    if incident is None or not incident.private or incident.status != "open":
        return
    if any(assignment.person_id == person_id for assignment in incident.roles):
        return
    roles.assign(session, incident, Role.RESPONDER, person_id, actor=person_id, now=now)


def cancel_page(session: Session, page_id: int, *, actor: str, now: datetime) -> Page:
    """Stop a page raised by mistake. Cancelling twice is harmless; an acknowledged or
    exhausted page has already ended and stays as it ended."""
    page = _locked(session, page_id)
    if page.status == "cancelled":
        return page
    if page.status != "triggered":
        raise Conflict(f"page {page_id} is already {page.status}", field="status")
    page.status = "cancelled"
    page.ended_at = now
    page.next_step_at = None
    escalation.skip_scheduled(session, page)
    escalation.record_step(
        session,
        page,
        kind="page.cancelled",
        text=f"{_name(session, actor)} cancelled the page: {page.message}",
        actor=actor,
        now=now,
        data={"page": page.id},
    )
    return page


def escalate_to_point_people(
    session: Session,
    number: int,
    *,
    service_id: str | None = None,
    person_id: str | None = None,
    message: str | None = None,
    actor: str,
    now: datetime,
) -> Page:
    """Page a service's point-people (default: the incident's service), or one person, for
    an incident; the chat flow also invites them to its channel. While such a page is still
    escalating, asking again returns it rather than paging the same people twice."""
    if service_id and person_id:
        raise InvalidInput("name a service or a person, not both", field="person")
    incident = session.scalar(select(Incident).where(Incident.number == number))
    if incident is None:
        raise NotFound(f"no incident {number}", field="number")
    if person_id:
        active_person(session, person_id)
        targets: list[dict[str, Any]] = [{"person": person_id}]
    else:
        service = active_service(session, service_id or incident.service_id)
        if not service.point_people:
            raise InvalidInput(f"service '{service.id}' has no point-people", field="service")
        targets = [{"service": service.id}]
    open_page = _open_point_person_page(session, incident.id, targets)
    if open_page is not None:
        return open_page
    text = (message or "").strip() or f"Incident #{number} needs you: {incident.message}"
    request = PageRequest(message=text, incident=number, targets=targets, reason="point_person")
    return create_page(session, request, actor=actor, now=now)


def _what_to_page(
    session: Session, request: PageRequest
) -> tuple[str | None, list[dict[str, Any]]]:
    """The escalation policy to follow, or the single step's targets."""
    named = [
        name
        for name in ("person", "service", "escalation_policy", "schedule")
        if getattr(request, name)
    ]
    if request.targets and not named:
        return None, list(request.targets)
    if len(named) != 1:
        raise InvalidInput(
            "name exactly one of person, service, escalation_policy or schedule", field="person"
        )
    if request.layer and not request.schedule:
        raise InvalidInput("a layer is only allowed together with a schedule", field="layer")
    if request.person:
        active_person(session, request.person)
        return None, [{"person": request.person}]
    if request.service:
        return _service_page(session, request.service)
    if request.escalation_policy:
        policy = session.get(EscalationPolicy, request.escalation_policy)
        if policy is None or not policy.active:
            raise InvalidInput(
                f"unknown escalation policy '{request.escalation_policy}'",
                field="escalation_policy",
            )
        return policy.id, []
    return None, [_schedule_target(session, str(request.schedule), request.layer)]


def _service_page(session: Session, service_id: str) -> tuple[str | None, list[dict[str, Any]]]:
    service = active_service(session, service_id)
    policy = escalation_policy_for(session, service.id)
    if policy is not None:
        return policy.id, []
    if not service.point_people:
        raise InvalidInput(
            f"service '{service.id}' has no escalation policy and no point-people",
            field="service",
        )
    return None, [{"service": service.id}]


def _schedule_target(session: Session, schedule_id: str, layer: str | None) -> dict[str, Any]:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or not schedule.active:
        raise InvalidInput(f"unknown schedule '{schedule_id}'", field="schedule")
    if layer is None:
        return {"schedule": schedule.id}
    layers = [str(each.get("name")) for each in schedule.layers]
    if layer not in layers:
        raise InvalidInput(
            f"schedule '{schedule.id}' has no layer '{layer}'; it has {', '.join(layers)}",
            field="layer",
        )
    return {"schedule": schedule.id, "layer": layer}


def _incident_id(session: Session, number: int | None) -> int | None:
    if number is None:
        return None
    incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
    if incident_id is None:
        raise InvalidInput(f"no incident {number}", field="incident")
    return int(incident_id)


def _open_point_person_page(
    session: Session, incident_id: int, targets: list[dict[str, Any]]
) -> Page | None:
    pages = session.scalars(
        select(Page).where(
            Page.incident_id == incident_id,
            Page.reason == "point_person",
            Page.status == "triggered",
        )
    )
    return next((page for page in pages if page.targets == targets), None)


def _locked(session: Session, page_id: int) -> Page:
    """Locked so an acknowledgement and a worker advancing the page take turns."""
    page = session.scalar(select(Page).where(Page.id == page_id).with_for_update())
    if page is None:
        raise NotFound(f"no page {page_id}", field="page")
    return page


def _name(session: Session, who: str) -> str:
    person = session.get(Person, who)
    return person.name if person is not None else who


__all__ = [
    "PageRequest",
    "acknowledge_page",
    "cancel_page",
    "create_page",
    "escalate_to_point_people",
]
