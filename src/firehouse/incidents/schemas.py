"""API shapes of incidents: what clients send and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from firehouse.httpapi.types import Id, LongText, Moment, Tag, Title, Url
from firehouse.incidents.model import Incident, IncidentLink, TimelineEntry
from firehouse.incidents.policy import Role

Priority = Literal["P1", "P2", "P3", "P4", "P5"]
RoleName = Literal["commander", "communications_lead", "responder"]
LinkKindName = Literal["follow_up", "bug", "postmortem", "playbook", "other"]
Message = Annotated[Title, StringConstraints(min_length=1)]
Note = Annotated[LongText, StringConstraints(min_length=1)]


class _Input(BaseModel):
    # Unknown fields are refused by name rather than silently dropped.
    model_config = ConfigDict(extra="forbid")


class DeclareIn(_Input):
    service: Id
    message: Message
    priority: Priority
    description: LongText = ""
    source_url: Url | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    commander: Id | None = None
    reporter: Id | None = None
    training: StrictBool | None = None  # not "yes" or 1: the documented type only
    detected_at: Moment | None = None
    private: StrictBool = False


class PatchIn(_Input):
    message: Message | None = None
    description: LongText | None = None
    priority: Priority | None = None
    service: Id | None = None
    tags: list[Tag] | None = Field(default=None, max_length=50)
    private: StrictBool | None = None


class RoleIn(_Input):
    role: RoleName
    person: Id


class TimelineIn(_Input):
    text: Note
    occurred_at: Moment | None = None


class LinkIn(_Input):
    url: Annotated[Url, StringConstraints(min_length=1)]
    kind: LinkKindName
    title: Title | None = None


class ResolveIn(_Input):
    note: Note


class CloseIn(_Input):
    reason: Note
    bug_links: list[Url] = Field(default_factory=list, max_length=20)


class ReopenIn(_Input):
    reason: LongText | None = None


class LinkOut(BaseModel):
    kind: str
    url: str
    title: str
    added_at: datetime
    added_by: str


class ChannelOut(BaseModel):
    """The incident's chat channel, once the chat integration has created it."""

    provider: str
    id: str
    name: str
    url: str


class StatuspageLinkOut(BaseModel):
    """The public incident on the status page linked to this incident, once there is one."""

    id: str
    status: str
    impact: str
    published: bool


class IncidentOut(BaseModel):
    number: int
    message: str
    description: str
    service: str
    priority: str
    status: str
    reporter: str | None
    source_url: str | None
    tags: list[str]
    training: bool
    private: bool = Field(description="Visible only to participants and admins.")
    commander: str | None
    communications_lead: str | None
    responders: list[str]
    links: list[LinkOut]
    resolution_note: str | None
    close_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    detected_at: datetime
    declared_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    url: str
    channel: ChannelOut | None = None
    statuspage: StatuspageLinkOut | None = None


class IncidentPage(BaseModel):
    items: list[IncidentOut]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page.")


class TimelineEntryOut(BaseModel):
    id: int
    kind: str
    text: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]


def incident_out(
    incident: Incident,
    base_url: str,
    channel: ChannelOut | None = None,
    statuspage: StatuspageLinkOut | None = None,
) -> IncidentOut:
    return IncidentOut(
        number=incident.number,
        message=incident.message,
        description=incident.description,
        service=incident.service_id,
        priority=incident.priority,
        status=incident.status,
        reporter=incident.reporter,
        source_url=incident.source_url,
        tags=list(incident.tags),
        training=incident.training,
        private=incident.private,
        commander=next(iter(incident.holders(Role.COMMANDER)), None),
        communications_lead=next(iter(incident.holders(Role.COMMUNICATIONS_LEAD)), None),
        responders=incident.holders(Role.RESPONDER),
        links=[link_out(link) for link in incident.links],
        resolution_note=incident.resolution_note,
        close_reason=incident.close_reason,
        version=incident.version,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        detected_at=incident.detected_at,
        declared_at=incident.created_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        url=f"{base_url.rstrip('/')}/incidents/{incident.number}",
        channel=channel,
        statuspage=statuspage,
    )


def link_out(link: IncidentLink) -> LinkOut:
    return LinkOut(
        kind=link.kind,
        url=link.url,
        title=link.title,
        added_at=link.added_at,
        added_by=link.added_by,
    )


def entry_out(entry: TimelineEntry) -> TimelineEntryOut:
    return TimelineEntryOut(
        id=entry.id,
        kind=entry.kind,
        text=entry.text,
        actor=entry.actor,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        data=dict(entry.data),
    )
