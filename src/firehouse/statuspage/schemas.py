"""API shapes of the status page's admin and responder routes (`/api/v1/statuspage`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from firehouse.httpapi.types import Id, LongText, Moment, Title
from firehouse.statuspage.model import (
    Component,
    Maintenance,
    PublicIncident,
    PublicUpdate,
)

ComponentStatusName = Literal[
    "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"
]
IncidentComponentStatus = Literal[
    "operational", "degraded_performance", "partial_outage", "major_outage"
]
ImpactName = Literal["none", "minor", "major", "critical"]
OpenStatus = Literal["investigating", "identified", "monitoring"]
IncidentStatusName = Literal["investigating", "identified", "monitoring", "resolved", "postmortem"]
MaintenanceStatusName = Literal["scheduled", "in_progress", "verifying", "completed"]
Name = Annotated[Title, StringConstraints(min_length=1)]
Message = Annotated[LongText, StringConstraints(min_length=1)]
ComponentStatuses = Annotated[
    dict[Id, IncidentComponentStatus],
    Field(max_length=200, description="Component id → the status this incident gives it."),
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComponentPatch(_Input):
    status: ComponentStatusName


class IncidentIn(_Input):
    name: Name
    status: OpenStatus = "investigating"
    impact: ImpactName | None = Field(
        default=None, description="Omitted: follows from the components' statuses."
    )
    components: ComponentStatuses = Field(default_factory=dict)
    body: Message | None = Field(default=None, description="The first update's message.")
    publish: StrictBool = Field(default=False, description="Publish at once instead of a draft.")


class IncidentPatch(_Input):
    name: Name | None = None
    impact: ImpactName | None = None
    component_statuses: ComponentStatuses | None = None


class PublishIn(_Input):
    message: Message | None = Field(
        default=None, description="An update posted with the publication; needed if none yet."
    )


class UpdateIn(_Input):
    status: IncidentStatusName
    message: Message
    component_statuses: ComponentStatuses | None = None


class ResolveIn(_Input):
    message: Message


class MaintenanceIn(_Input):
    name: Name
    scheduled_for: Moment
    scheduled_until: Moment
    component_ids: list[Id] = Field(default_factory=list, max_length=200)
    body: Message | None = None


class MaintenancePatch(_Input):
    status: MaintenanceStatusName | None = None
    message: Message | None = None
    name: Name | None = None
    scheduled_for: Moment | None = None
    scheduled_until: Moment | None = None
    component_ids: list[Id] | None = Field(default=None, max_length=200)


class ComponentOut(BaseModel):
    id: str
    name: str
    description: str
    group: str | None
    position: int
    status: str
    updated_at: datetime


class AffectedComponentOut(BaseModel):
    code: str
    name: str
    old_status: str
    new_status: str


class UpdateOut(BaseModel):
    id: str
    status: str
    body: str
    affected_components: list[AffectedComponentOut]
    author: str
    created_at: datetime


class IncidentComponentOut(BaseModel):
    id: str
    status: str


class IncidentOut(BaseModel):
    id: str
    name: str
    status: str
    impact: str
    published: bool
    incident: int | None = Field(description="The linked internal incident's number, if any.")
    components: list[IncidentComponentOut]
    updates: list[UpdateOut] = Field(description="Newest first.")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    monitoring_at: datetime | None
    resolved_at: datetime | None
    resolution_proposed_at: datetime | None = Field(
        description="When the internal incident was resolved and this one became due."
    )


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")


class MaintenanceOut(BaseModel):
    id: str
    name: str
    status: str
    scheduled_for: datetime
    scheduled_until: datetime
    component_ids: list[str]
    updates: list[UpdateOut] = Field(description="Newest first.")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


def component_out(component: Component) -> ComponentOut:
    return ComponentOut(
        id=component.id,
        name=component.name,
        description=component.description,
        group=component.group_name,
        position=component.position,
        status=component.status,
        updated_at=component.updated_at,
    )


def update_out(update: PublicUpdate) -> UpdateOut:
    return UpdateOut(
        id=update.id,
        status=update.status,
        body=update.body,
        affected_components=[
            AffectedComponentOut.model_validate(item) for item in update.affected_components
        ],
        author=update.author,
        created_at=update.created_at,
    )


def incident_out(incident: PublicIncident, number: int | None) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        name=incident.name,
        status=incident.status,
        impact=incident.impact,
        published=incident.published_at is not None,
        incident=number,
        components=[
            IncidentComponentOut(id=link.component_id, status=link.status)
            for link in incident.components
        ],
        updates=[update_out(update) for update in incident.updates],
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        published_at=incident.published_at,
        monitoring_at=incident.monitoring_at,
        resolved_at=incident.resolved_at,
        resolution_proposed_at=incident.resolution_proposed_at,
    )


def maintenance_out(maintenance: Maintenance) -> MaintenanceOut:
    return MaintenanceOut(
        id=maintenance.id,
        name=maintenance.name,
        status=maintenance.status,
        scheduled_for=maintenance.scheduled_for,
        scheduled_until=maintenance.scheduled_until,
        component_ids=list(maintenance.component_ids),
        updates=[update_out(update) for update in maintenance.updates],
        created_at=maintenance.created_at,
        updated_at=maintenance.updated_at,
        started_at=maintenance.started_at,
        completed_at=maintenance.completed_at,
    )
