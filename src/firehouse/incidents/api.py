"""HTTP routes of the incident lifecycle. Each one parses, authorises, calls one use case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Response
from sqlalchemy.orm import Session

from firehouse.auth.service import Principal
from firehouse.chat.model import IncidentChannel
from firehouse.chat.queries import channels_of
from firehouse.errors import InvalidInput
from firehouse.httpapi.deps import (
    Responder,
    RuntimeDep,
    Viewer,
    is_ascii_number,
    parse_if_match,
)
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.httpapi.types import Id
from firehouse.incidents import privacy, queries, roles, service
from firehouse.incidents.model import Incident
from firehouse.incidents.schemas import (
    ChannelOut,
    CloseIn,
    DeclareIn,
    IncidentOut,
    IncidentPage,
    LinkIn,
    LinkOut,
    PatchIn,
    Priority,
    ReopenIn,
    ResolveIn,
    RoleIn,
    StatuspageLinkOut,
    TimelineEntryOut,
    TimelineIn,
    entry_out,
    incident_out,
    link_out,
)
from firehouse.incidents.visibility import ensure_visible, sight_of
from firehouse.statuspage.linking import linked_to
from firehouse.statuspage.model import PublicIncident

router = APIRouter(
    prefix="/api/v1/incidents",
    tags=["incidents"],
    responses=documented(400, 401, 403, 404, 409, 422, 503),
)

Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]
IfMatch = Annotated[
    str | None,
    Header(description="The incident's ETag; the change applies only at that version."),
]
Change = Callable[[Session, datetime], Incident]


def _apply(
    runtime: Runtime,
    response: Response,
    change: Change,
    *,
    number: int | None = None,
    caller: Principal | None = None,
) -> IncidentOut:
    """With `number` (every change but declare), a private incident the caller may not see
    is missing before anything else is checked, so no 409 or 422 hints that it exists.
    Without it, a just-declared incident has no channel or public incident yet (integrations
    create them later), so the lookups are skipped."""
    with runtime.db.write() as session:
        new = number is None
        if number is not None and caller is not None:
            ensure_visible(session, number, sight_of(caller))
        incident = change(session, runtime.clock.now())
        channels = {} if new else channels_of(session, [incident.id])
        public = {} if new else linked_to(session, [incident.id])
        out = _out(incident, runtime, channels, public)
    response.headers["ETag"] = f'"{out.version}"'
    return out


def _out(
    incident: Incident,
    runtime: Runtime,
    channels: dict[int, IncidentChannel],
    public: dict[int, PublicIncident],
) -> IncidentOut:
    row = channels.get(incident.id)
    channel = (
        ChannelOut(provider=row.provider, id=row.channel_id, name=row.name, url=row.url)
        if row is not None
        else None
    )
    linked = public.get(incident.id)
    statuspage = (
        StatuspageLinkOut(
            id=linked.id,
            status=linked.status,
            impact=linked.impact,
            published=linked.published_at is not None,
        )
        if linked is not None
        else None
    )
    return incident_out(incident, runtime.settings.base_url, channel, statuspage)


@router.post("", status_code=201)
def declare(
    body: DeclareIn, runtime: RuntimeDep, caller: Responder, response: Response
) -> IncidentOut:
    declaration = service.Declaration(
        service=body.service,
        message=body.message,
        priority=body.priority,
        description=body.description,
        source_url=body.source_url,
        tags=tuple(body.tags),
        commander=body.commander,
        reporter=body.reporter or caller.person_id,
        training=body.training,
        detected_at=body.detected_at,
        private=body.private,
    )
    out = _apply(
        runtime,
        response,
        lambda s, now: service.declare(s, declaration, actor=caller.actor, now=now),
    )
    response.headers["Location"] = f"/api/v1/incidents/{out.number}"
    return out


@router.get("")
def list_incidents(
    runtime: RuntimeDep,
    caller: Viewer,
    status: Annotated[str | None, Query(max_length=20)] = None,
    priority: Priority | None = None,
    service_id: Annotated[Id | None, Query(alias="service")] = None,
    cursor: Annotated[str | None, Query(max_length=12, description="From next_cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
) -> IncidentPage:
    if cursor is not None and not (is_ascii_number(cursor) and 0 < int(cursor) <= 2_147_483_647):
        raise InvalidInput("must be a next_cursor value from a previous page", field="cursor")
    criteria = queries.IncidentFilter(
        status=status,
        priority=priority,
        service=service_id,
        before_number=int(cursor) if cursor else None,
        limit=limit,
    )
    with runtime.db.read() as session:
        page, next_number = queries.list_incidents(session, criteria, sight_of(caller))
        ids = [incident.id for incident in page]
        channels, public = channels_of(session, ids), linked_to(session, ids)
        items = [_out(incident, runtime, channels, public) for incident in page]
    return IncidentPage(items=items, next_cursor=str(next_number) if next_number else None)


@router.get("/{number}")
def get_incident(
    number: Number, runtime: RuntimeDep, caller: Viewer, response: Response
) -> IncidentOut:
    with runtime.db.read() as session:
        incident = queries.get_incident(session, number, sight_of(caller))
        ids = [incident.id]
        out = _out(incident, runtime, channels_of(session, ids), linked_to(session, ids))
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.patch("/{number}")
def patch_incident(
    number: Number,
    body: PatchIn,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentOut:
    version = parse_if_match(if_match)
    changes = service.Changes(
        message=body.message,
        description=body.description,
        priority=body.priority,
        service=body.service,
        tags=tuple(body.tags) if body.tags is not None else None,
    )

    def change(session: Session, now: datetime) -> Incident:
        incident = service.update(
            session, number, changes, actor=caller.actor, now=now, expected_version=version
        )
        if body.private is None:
            return incident
        # The version was checked above; this step is part of the same PATCH.
        return privacy.set_private(
            session, number, body.private, sight=sight_of(caller), actor=caller.actor, now=now
        )

    return _apply(runtime, response, change, number=number, caller=caller)


@router.post("/{number}/roles")
def assign_role(
    number: Number,
    body: RoleIn,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentOut:
    version = parse_if_match(if_match)
    return _apply(
        runtime,
        response,
        lambda s, now: roles.assign_role(
            s, number, body.role, body.person, actor=caller.actor, now=now, expected_version=version
        ),
        number=number,
        caller=caller,
    )


@router.delete("/{number}/roles")
def remove_role(
    number: Number,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    body: Annotated[RoleIn | None, Body()] = None,
    role: Annotated[str | None, Query(max_length=40)] = None,
    person: Annotated[Id | None, Query()] = None,
    if_match: IfMatch = None,
) -> IncidentOut:
    """Takes `{role, person}` as a JSON body, or as query parameters."""
    chosen_role = body.role if body else role
    chosen_person = body.person if body else person
    if not chosen_role:
        raise InvalidInput("is required (body or query)", field="role")
    if not chosen_person:
        raise InvalidInput("is required (body or query)", field="person")
    version = parse_if_match(if_match)
    return _apply(
        runtime,
        response,
        lambda s, now: roles.remove_role(
            s,
            number,
            chosen_role,
            chosen_person,
            actor=caller.actor,
            now=now,
            expected_version=version,
        ),
        number=number,
        caller=caller,
    )


@router.get("/{number}/timeline")
def get_timeline(number: Number, runtime: RuntimeDep, caller: Viewer) -> list[TimelineEntryOut]:
    with runtime.db.read() as session:
        return [entry_out(e) for e in queries.timeline(session, number, sight_of(caller))]


@router.post("/{number}/timeline", status_code=201)
def add_timeline_entry(
    number: Number, body: TimelineIn, runtime: RuntimeDep, caller: Responder
) -> TimelineEntryOut:
    with runtime.db.write() as session:
        ensure_visible(session, number, sight_of(caller))
        entry = service.add_timeline_entry(
            session,
            number,
            body.text,
            actor=caller.actor,
            now=runtime.clock.now(),
            occurred_at=body.occurred_at,
        )
        return entry_out(entry)


@router.post("/{number}/links", status_code=201)
def add_link(number: Number, body: LinkIn, runtime: RuntimeDep, caller: Responder) -> LinkOut:
    with runtime.db.write() as session:
        ensure_visible(session, number, sight_of(caller))
        link = service.add_link(
            session,
            number,
            body.url,
            kind=body.kind,
            title=body.title,
            actor=caller.actor,
            now=runtime.clock.now(),
        )
        return link_out(link)


@router.post("/{number}/acknowledge")
def acknowledge(
    number: Number, runtime: RuntimeDep, caller: Responder, response: Response
) -> IncidentOut:
    return _apply(
        runtime,
        response,
        lambda s, now: roles.acknowledge(s, number, actor=caller.actor, now=now),
        number=number,
        caller=caller,
    )


@router.post("/{number}/resolve")
def resolve(
    number: Number,
    body: ResolveIn,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentOut:
    version = parse_if_match(if_match)
    return _apply(
        runtime,
        response,
        lambda s, now: service.resolve(
            s, number, body.note, actor=caller.actor, now=now, expected_version=version
        ),
        number=number,
        caller=caller,
    )


@router.post("/{number}/close")
def close(
    number: Number,
    body: CloseIn,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentOut:
    version = parse_if_match(if_match)
    return _apply(
        runtime,
        response,
        lambda s, now: service.close(
            s,
            number,
            body.reason,
            actor=caller.actor,
            now=now,
            bug_links=tuple(body.bug_links),
            expected_version=version,
        ),
        number=number,
        caller=caller,
    )


@router.post("/{number}/reopen")
def reopen(
    number: Number,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    body: Annotated[ReopenIn | None, Body()] = None,
    if_match: IfMatch = None,
) -> IncidentOut:
    version = parse_if_match(if_match)
    reason = body.reason if body else None
    return _apply(
        runtime,
        response,
        lambda s, now: service.reopen(
            s, number, actor=caller.actor, now=now, reason=reason, expected_version=version
        ),
        number=number,
        caller=caller,
    )
