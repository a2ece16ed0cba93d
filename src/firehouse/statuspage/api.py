"""Admin and responder routes of the status page: components, public incidents, maintenance.

Viewers read (drafts included: they are the team's own work in progress); responders change.
Each route parses, authorises, calls one use case and renders the result.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response
from sqlalchemy.orm import Session

from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.incidents.visibility import EVERYTHING, Sight, sight_of
from firehouse.statuspage import (
    linking,
    queries,
    service_components,
    service_incidents,
    service_maintenance,
)
from firehouse.statuspage.model import PublicIncident
from firehouse.statuspage.schemas import (
    ComponentOut,
    ComponentPatch,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentPatch,
    IncidentStatusName,
    MaintenanceIn,
    MaintenanceOut,
    MaintenancePatch,
    MaintenanceStatusName,
    PublishIn,
    ResolveIn,
    UpdateIn,
    component_out,
    incident_out,
    maintenance_out,
)

router = APIRouter(
    prefix="/api/v1/statuspage",
    tags=["status page"],
    responses=documented(400, 401, 403, 404, 409, 422, 503),
)

PublicId = Annotated[
    str, Path(min_length=1, max_length=64, description="The public incident's id.")
]
ComponentId = Annotated[str, Path(min_length=1, max_length=64, description="The component's id.")]
MaintenanceId = Annotated[
    str, Path(min_length=1, max_length=64, description="The maintenance's id.")
]
Change = Callable[[Session, datetime], PublicIncident]


def _rendered(
    session: Session, incidents: list[PublicIncident], sight: Sight = EVERYTHING
) -> list[IncidentOut]:
    ids = [incident.incident_id for incident in incidents]
    numbers = linking.numbers_of(session, ids, sight)
    return [
        incident_out(incident, numbers.get(incident.incident_id or 0)) for incident in incidents
    ]


def _change(runtime: Runtime, change: Change) -> IncidentOut:
    with runtime.db.write() as session:
        incident = change(session, runtime.clock.now())
        return _rendered(session, [incident])[0]


# -- components --------------------------------------------------------------------------------


@router.get("/components")
def list_components(runtime: RuntimeDep, _caller: Viewer) -> list[ComponentOut]:
    """The page's components in page order, with their live status."""
    with runtime.db.read() as session:
        return [component_out(c) for c in service_components.list_components(session)]


@router.patch("/components/{component_id}")
def patch_component(
    component_id: ComponentId, body: ComponentPatch, runtime: RuntimeDep, _caller: Responder
) -> ComponentOut:
    """Set a component's status by hand; it holds until an incident or maintenance touching
    the component recomputes it."""
    with runtime.db.write() as session:
        component = service_components.set_status(
            session, component_id, body.status, now=runtime.clock.now()
        )
        return component_out(component)


# -- public incidents --------------------------------------------------------------------------


@router.get("/incidents")
def list_incidents(
    runtime: RuntimeDep,
    caller: Viewer,
    status: IncidentStatusName | None = None,
    published: Annotated[bool | None, Query(description="Only published, or drafts.")] = None,
    pending_resolution: Annotated[
        bool | None,
        Query(description="Only those whose internal incident ended and that are unresolved."),
    ] = None,
    incident: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="The internal incident's number.")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=64, description="From next_cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
) -> IncidentPage:
    """Public incidents, drafts included, newest first."""
    criteria = queries.IncidentFilter(
        status=status,
        published=published,
        pending_resolution=pending_resolution,
        incident=incident,
        cursor=cursor,
        limit=limit,
        sight=sight_of(caller),
    )
    with runtime.db.read() as session:
        page, next_cursor = queries.list_incidents(session, criteria)
        items = _rendered(session, page, criteria.sight)
        return IncidentPage(items=items, next_cursor=next_cursor)


@router.post("/incidents", status_code=201)
def create_incident(
    body: IncidentIn, runtime: RuntimeDep, caller: Responder, response: Response
) -> IncidentOut:
    """A draft (or, with `publish`, a published incident) not linked to an internal one."""
    out = _change(
        runtime,
        lambda s, now: service_incidents.create_incident(
            s,
            name=body.name,
            status=body.status,
            impact=body.impact,
            components=body.components,
            body=body.body,
            publish=body.publish,
            actor=caller.actor,
            now=now,
        ),
    )
    response.headers["Location"] = f"/api/v1/statuspage/incidents/{out.id}"
    return out


@router.get("/incidents/{public_id}")
def get_incident(public_id: PublicId, runtime: RuntimeDep, caller: Viewer) -> IncidentOut:
    with runtime.db.read() as session:
        found = [queries.get_incident(session, public_id)]
        return _rendered(session, found, sight_of(caller))[0]


@router.patch("/incidents/{public_id}")
def patch_incident(
    public_id: PublicId, body: IncidentPatch, runtime: RuntimeDep, _caller: Responder
) -> IncidentOut:
    """Correct the name, the impact or the components' statuses without posting an update."""
    return _change(
        runtime,
        lambda s, now: service_incidents.patch_incident(
            s,
            public_id,
            name=body.name,
            impact=body.impact,
            component_statuses=body.component_statuses,
            now=now,
        ),
    )


@router.post("/incidents/{public_id}/publish")
def publish(
    public_id: PublicId,
    runtime: RuntimeDep,
    caller: Responder,
    body: Annotated[PublishIn | None, Body()] = None,
) -> IncidentOut:
    """Make a draft public. `message` posts an update with it (required if it has none)."""
    return _change(
        runtime,
        lambda s, now: service_incidents.publish_incident(
            s, public_id, message=body.message if body else None, actor=caller.actor, now=now
        ),
    )


@router.post("/incidents/{public_id}/updates", status_code=201)
def post_update(
    public_id: PublicId, body: UpdateIn, runtime: RuntimeDep, caller: Responder
) -> IncidentOut:
    """Post an update; answers with the incident, the new update first."""

    def change(session: Session, now: datetime) -> PublicIncident:
        service_incidents.post_update(
            session,
            public_id,
            status=body.status,
            message=body.message,
            component_statuses=body.component_statuses,
            actor=caller.actor,
            now=now,
        )
        return queries.get_incident(session, public_id)

    return _change(runtime, change)


@router.post("/incidents/{public_id}/resolve")
def resolve(
    public_id: PublicId, body: ResolveIn, runtime: RuntimeDep, caller: Responder
) -> IncidentOut:
    """A final update with status `resolved`; the components return to operational unless
    another incident or a maintenance holds them."""

    def change(session: Session, now: datetime) -> PublicIncident:
        service_incidents.resolve(session, public_id, body.message, actor=caller.actor, now=now)
        return queries.get_incident(session, public_id)

    return _change(runtime, change)


# -- maintenance -------------------------------------------------------------------------------


@router.get("/maintenances")
def list_maintenances(
    runtime: RuntimeDep,
    _caller: Viewer,
    status: MaintenanceStatusName | None = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 50,
) -> list[MaintenanceOut]:
    """Maintenance windows, the latest first."""
    with runtime.db.read() as session:
        found = queries.list_maintenances(session, status=status, limit=limit)
        return [maintenance_out(m) for m in found]


@router.post("/maintenances", status_code=201)
def create_maintenance(
    body: MaintenanceIn, runtime: RuntimeDep, caller: Responder, response: Response
) -> MaintenanceOut:
    """Schedule a window; it starts and completes on its own when its times pass."""
    with runtime.db.write() as session:
        maintenance = service_maintenance.create_maintenance(
            session,
            name=body.name,
            scheduled_for=body.scheduled_for,
            scheduled_until=body.scheduled_until,
            component_ids=body.component_ids,
            body=body.body,
            actor=caller.actor,
            now=runtime.clock.now(),
        )
        out = maintenance_out(maintenance)
    response.headers["Location"] = f"/api/v1/statuspage/maintenances/{out.id}"
    return out


@router.get("/maintenances/{maintenance_id}")
def get_maintenance(
    maintenance_id: MaintenanceId, runtime: RuntimeDep, _caller: Viewer
) -> MaintenanceOut:
    with runtime.db.read() as session:
        return maintenance_out(queries.get_maintenance(session, maintenance_id))


@router.patch("/maintenances/{maintenance_id}")
def patch_maintenance(
    maintenance_id: MaintenanceId, body: MaintenancePatch, runtime: RuntimeDep, caller: Responder
) -> MaintenanceOut:
    """Change the window, its components or its status (scheduled → in_progress → verifying →
    completed); a status change posts an update, with `message` or the default wording."""
    with runtime.db.write() as session:
        maintenance = service_maintenance.update_maintenance(
            session,
            maintenance_id,
            status=body.status,
            message=body.message,
            name=body.name,
            scheduled_for=body.scheduled_for,
            scheduled_until=body.scheduled_until,
            component_ids=body.component_ids,
            actor=caller.actor,
            now=runtime.clock.now(),
        )
        return maintenance_out(maintenance)
