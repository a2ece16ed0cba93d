"""Use cases of public incidents: create, publish, post an update, patch, resolve.

Each runs inside the caller's transaction, checks its input (naming the field at fault),
writes the rows, recomputes the components the change touches, and — once the incident is
published — appends one `statuspage.*` event. A draft changes nothing the public sees, so it
emits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.incidents.recording import required_text
from firehouse.outbox.events import EventType
from firehouse.statuspage import events
from firehouse.statuspage.ids import new_id
from firehouse.statuspage.model import (
    Component,
    PublicIncident,
    PublicIncidentComponent,
    PublicUpdate,
)
from firehouse.statuspage.policy import (
    ComponentStatus,
    Impact,
    IncidentStatus,
    impact_from_components,
)
from firehouse.statuspage.service_components import (
    SEVERITY,
    ComponentChange,
    active_component,
    parse_status,
    recompute,
)

OPEN_STATUSES = tuple(s for s in IncidentStatus if not s.is_final)
NAME_LIMIT = 300
IMPACT_ORDER = tuple(Impact)

Statuses = Mapping[str, str]


def create_incident(
    session: Session,
    *,
    name: str,
    actor: str,
    now: datetime,
    status: str = IncidentStatus.INVESTIGATING.value,
    impact: str | None = None,
    components: Statuses | None = None,
    body: str | None = None,
    publish: bool = False,
    incident_id: int | None = None,
) -> PublicIncident:
    """A draft unless `publish`; `body` becomes its first update. Without an impact, the
    impact follows from the components' statuses."""
    title = required_text(name, "name", NAME_LIMIT)
    chosen = _open_status(status)
    wanted = _parse_components(session, components or {}, "components")
    level = parse_impact(impact) if impact is not None else impact_from_components(wanted.values())
    text = required_text(body, "body") if body is not None else None
    incident = PublicIncident(
        id=new_id(),
        name=title,
        status=chosen.value,
        impact=level.value,
        incident_id=incident_id,
        created_at=now,
        updated_at=now,
        published_at=None,
        monitoring_at=now if chosen is IncidentStatus.MONITORING else None,
    )
    session.add(incident)
    for component_id, component_status in wanted.items():
        incident.components.append(
            PublicIncidentComponent(component_id=component_id, status=component_status.value)
        )
    session.flush()
    if text is not None:
        _add_update(session, incident, chosen.value, text, dict(wanted), actor=actor, now=now)
    if publish:
        publish_incident(session, incident.id, actor=actor, now=now)
    return incident


def publish_incident(
    session: Session, public_id: str, *, actor: str, now: datetime, message: str | None = None
) -> PublicIncident:
    """Draft → published. `message` adds an update; it is required when there is none yet."""
    incident = load_for_change(session, public_id)
    if incident.published_at is not None:
        raise Conflict(f"public incident {public_id} is already published", field="id")
    text = required_text(message, "message") if message is not None else None
    if text is None and not incident.updates:
        raise InvalidInput(
            "is required: the incident has no update to publish yet", field="message"
        )
    incident.published_at = now
    incident.updated_at = now
    named = {link.component_id: link.status for link in incident.components}
    before = _page_statuses(session, named)
    changes = recompute(session, named, now=now)
    if text is not None:
        _add_update(session, incident, incident.status, text, {}, actor=actor, now=now)
    update = incident.updates[0]
    update.affected_components = _affected(session, incident, named, before)
    _announce(
        session,
        incident,
        EventType.STATUSPAGE_INCIDENT_PUBLISHED,
        update,
        changed=[],
        component_changes=changes,
        now=now,
    )
    return incident


def post_update(
    session: Session,
    public_id: str,
    *,
    status: str,
    message: str,
    actor: str,
    now: datetime,
    component_statuses: Statuses | None = None,
) -> PublicUpdate:
    """An update: a status, a message for the public, and optionally component statuses.

    `resolved` ends the incident; its components return to operational unless another
    incident or a maintenance holds them. `postmortem` may follow `resolved`; nothing else can.
    """
    incident = load_for_change(session, public_id)
    new_status = parse_incident_status(status)
    text = required_text(message, "message")
    _check_transition(incident, new_status)
    wanted = _parse_components(session, component_statuses or {}, "component_statuses")
    named: dict[str, str] = {cid: s.value for cid, s in wanted.items()}
    if new_status.is_final:
        named = {link.component_id: link.status for link in incident.components} | named
    before = _page_statuses(session, named)
    _set_components(incident, wanted)
    _set_status(incident, new_status, now)
    changes = recompute(session, _component_ids(incident), now=now)
    update = _add_update(session, incident, new_status.value, text, {}, actor=actor, now=now)
    update.affected_components = _affected(session, incident, named, before)
    changed = ["status"] + (["components"] if wanted else [])
    _announce(
        session,
        incident,
        EventType.STATUSPAGE_INCIDENT_UPDATED,
        update,
        changed=changed,
        component_changes=changes,
        now=now,
    )
    return update


def resolve(
    session: Session, public_id: str, message: str, *, actor: str, now: datetime
) -> PublicUpdate:
    return post_update(
        session,
        public_id,
        status=IncidentStatus.RESOLVED.value,
        message=message,
        actor=actor,
        now=now,
    )


def patch_incident(
    session: Session,
    public_id: str,
    *,
    now: datetime,
    name: str | None = None,
    impact: str | None = None,
    component_statuses: Statuses | None = None,
) -> PublicIncident:
    """Corrections without an update: the name, the impact, the components' statuses."""
    incident = load_for_change(session, public_id)
    changed: list[str] = []
    if name is not None:
        title = required_text(name, "name", NAME_LIMIT)
        if title != incident.name:
            incident.name = title
            changed.append("name")
    if impact is not None:
        level = parse_impact(impact)
        if level.value != incident.impact:
            incident.impact = level.value
            changed.append("impact")
    wanted = _parse_components(session, component_statuses or {}, "component_statuses")
    if _set_components(incident, wanted):
        changed.append("components")
    if not changed:
        return incident
    incident.updated_at = now
    changes = recompute(session, _component_ids(incident), now=now)
    _announce(
        session,
        incident,
        EventType.STATUSPAGE_INCIDENT_UPDATED,
        None,
        changed=changed,
        component_changes=changes,
        now=now,
    )
    return incident


def raise_impact(
    session: Session, public_id: str, impact: str, component_status: str, *, now: datetime
) -> list[str]:
    """The flow's reaction to a raised priority: impact and component statuses go up, never
    down (a responder may have set them higher on purpose). Returns what changed."""
    incident = load_for_change(session, public_id)
    level = parse_impact(impact)
    changed: list[str] = []
    if IMPACT_ORDER.index(level) > IMPACT_ORDER.index(Impact(incident.impact)):
        incident.impact = level.value
        changed.append("impact")
    floor = parse_status(component_status, "component_status", maintenance_allowed=False)
    raised = {
        link.component_id: floor
        for link in incident.components
        if _rank(floor.value) > _rank(link.status)
    }
    if _set_components(incident, raised):
        changed.append("components")
    if changed and not IncidentStatus(incident.status).is_final:
        incident.updated_at = now
        changes = recompute(session, _component_ids(incident), now=now)
        event = EventType.STATUSPAGE_INCIDENT_UPDATED
        _announce(
            session, incident, event, None, changed=changed, component_changes=changes, now=now
        )
    return changed


def load_for_change(session: Session, public_id: str) -> PublicIncident:
    incident = session.scalar(
        select(PublicIncident)
        .where(PublicIncident.id == public_id)
        .options(selectinload(PublicIncident.components), selectinload(PublicIncident.updates))
        .with_for_update(of=PublicIncident)
    )
    if incident is None:
        raise NotFound(f"no public incident '{public_id}'", field="id")
    return incident


def parse_impact(value: str) -> Impact:
    try:
        return Impact(value)
    except ValueError:
        allowed = ", ".join(i.value for i in Impact)
        raise InvalidInput(f"'{value}' is not one of {allowed}", field="impact") from None


def parse_incident_status(value: str) -> IncidentStatus:
    try:
        return IncidentStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in IncidentStatus)
        raise InvalidInput(f"'{value}' is not one of {allowed}", field="status") from None


def _open_status(value: str) -> IncidentStatus:
    status = parse_incident_status(value)
    if status.is_final:
        allowed = ", ".join(s.value for s in OPEN_STATUSES)
        raise InvalidInput(f"a new incident starts as one of {allowed}", field="status")
    return status


def _check_transition(incident: PublicIncident, target: IncidentStatus) -> None:
    current = IncidentStatus(incident.status)
    if current.is_final and target is not IncidentStatus.POSTMORTEM:
        raise Conflict(
            f"public incident {incident.id} is {current.value}; only a postmortem may follow",
            field="status",
        )
    if target is IncidentStatus.POSTMORTEM and not current.is_final:
        raise Conflict("resolve the incident before posting its postmortem", field="status")


def _parse_components(
    session: Session, statuses: Statuses, field: str
) -> dict[str, ComponentStatus]:
    parsed = {}
    for component_id, status in statuses.items():
        where = f"{field}.{component_id}"
        active_component(session, component_id, field=where)
        parsed[component_id] = parse_status(status, where, maintenance_allowed=False)
    return parsed


def _set_components(incident: PublicIncident, wanted: Mapping[str, ComponentStatus]) -> bool:
    """Adds or changes the incident's components; True when anything differs."""
    links = {link.component_id: link for link in incident.components}
    changed = False
    for component_id, status in wanted.items():
        link = links.get(component_id)
        if link is None:
            incident.components.append(
                PublicIncidentComponent(component_id=component_id, status=status.value)
            )
            changed = True
        elif link.status != status.value:
            link.status = status.value
            changed = True
    return changed


def _set_status(incident: PublicIncident, status: IncidentStatus, now: datetime) -> None:
    incident.status = status.value
    incident.updated_at = now
    if status is IncidentStatus.MONITORING and incident.monitoring_at is None:
        incident.monitoring_at = now
    if status.is_final and incident.resolved_at is None:
        incident.resolved_at = now


def _component_ids(incident: PublicIncident) -> list[str]:
    return [link.component_id for link in incident.components]


def _rank(status: str) -> int:
    return SEVERITY.index(ComponentStatus(status))


def _page_statuses(session: Session, component_ids: Mapping[str, object]) -> dict[str, str]:
    session.flush()
    return {
        cid: component.status
        for cid in component_ids
        if (component := session.get(Component, cid)) is not None
    }


def _affected(
    session: Session, incident: PublicIncident, named: Mapping[str, str], before: dict[str, str]
) -> list[dict[str, str]]:
    """What an update says of its components: the status the public saw before and after it
    (for a draft, which the public does not see, the status the update asks for)."""
    published = incident.published_at is not None
    affected = []
    for component_id, requested in named.items():
        component = session.get(Component, component_id)
        if component is None:
            continue
        affected.append(
            {
                "code": component_id,
                "name": component.name,
                "old_status": before.get(component_id, component.status),
                "new_status": component.status if published else requested,
            }
        )
    return affected


def _add_update(
    session: Session,
    incident: PublicIncident,
    status: str,
    body: str,
    named: Mapping[str, ComponentStatus],
    *,
    actor: str,
    now: datetime,
) -> PublicUpdate:
    before = _page_statuses(session, named)
    update = PublicUpdate(
        id=new_id(),
        status=status,
        body=body,
        affected_components=_affected(
            session, incident, {cid: s.value for cid, s in named.items()}, before
        ),
        author=actor,
        created_at=now,
    )
    incident.updates.insert(0, update)
    session.flush()
    return update


def _announce(
    session: Session,
    incident: PublicIncident,
    event: EventType,
    update: PublicUpdate | None,
    *,
    changed: list[str],
    component_changes: list[ComponentChange],
    now: datetime,
) -> None:
    if incident.published_at is None:
        return  # a draft is invisible: nobody outside is told of it
    session.flush()
    payload = events.incident_payload(
        session,
        incident,
        update=update,
        changed=changed,
        component_changes=component_changes,
        now=now,
    )
    events.emit(session, event, payload, now=now)
