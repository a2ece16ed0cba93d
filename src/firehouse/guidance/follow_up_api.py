"""Follow-ups over HTTP, and the trackers' webhooks that keep their status in sync."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from firehouse.guidance import follow_ups
from firehouse.guidance.model import FollowUp
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.incidents.visibility import sight_of
from firehouse.integrations.trackers import inbound

router = APIRouter(tags=["follow-ups"], responses=documented(400, 401, 403, 404, 409, 422))

Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]
FollowUpId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The follow-up id.")]


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=follow_ups.MAX_TITLE)
    description: str = Field(default="", max_length=follow_ups.MAX_DESCRIPTION)
    tracker: Literal["builtin", "jira", "github"] | None = Field(
        default=None, description="Where the ticket lives; the configured default when left out."
    )


class FollowUpOut(BaseModel):
    id: int
    title: str
    description: str
    tracker: str
    status: str
    external_key: str | None
    external_status: str | None
    url: str | None
    created_by: str
    created_at: datetime
    closed_at: datetime | None


class WebhookOut(BaseModel):
    changed: bool


def out(row: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=row.id,
        title=row.title,
        description=row.description,
        tracker=row.tracker,
        status=row.status,
        external_key=row.external_key,
        external_status=row.external_status,
        url=row.url,
        created_by=row.created_by,
        created_at=row.created_at,
        closed_at=row.closed_at,
    )


@router.get("/api/v1/incidents/{number}/follow-ups")
def list_follow_ups(number: Number, runtime: RuntimeDep, caller: Viewer) -> list[FollowUpOut]:
    with runtime.db.read() as session:
        return [out(row) for row in follow_ups.list_for(session, number, sight_of(caller))]


@router.post("/api/v1/incidents/{number}/follow-ups", status_code=201)
def add_follow_up(
    number: Number, body: FollowUpIn, runtime: RuntimeDep, caller: Responder
) -> FollowUpOut:
    with runtime.db.write() as session:
        row = follow_ups.create(
            session,
            number,
            body.title,
            description=body.description,
            tracker=body.tracker,
            actor=caller.actor,
            now=runtime.clock.now(),
            sight=sight_of(caller),
        )
        return out(row)


@router.post("/api/v1/follow-ups/{follow_up_id}/done")
def mark_done(follow_up_id: FollowUpId, runtime: RuntimeDep, caller: Responder) -> FollowUpOut:
    with runtime.db.write() as session:
        now = runtime.clock.now()
        row = follow_ups.mark_done(
            session, follow_up_id, actor=caller.actor, now=now, sight=sight_of(caller)
        )
        return out(row)


@router.post("/api/v1/follow-ups/{follow_up_id}/reopen")
def reopen(follow_up_id: FollowUpId, runtime: RuntimeDep, caller: Responder) -> FollowUpOut:
    with runtime.db.write() as session:
        now = runtime.clock.now()
        row = follow_ups.reopen(
            session, follow_up_id, actor=caller.actor, now=now, sight=sight_of(caller)
        )
        return out(row)


@router.post("/api/v1/integrations/github/webhook")
async def github_webhook(
    request: Request,
    runtime: RuntimeDep,
    x_hub_signature_256: Annotated[str | None, Header()] = None,
    x_github_event: Annotated[str | None, Header()] = None,
) -> WebhookOut:
    """GitHub's `issues` events (closed, reopened), signed with the webhook secret."""
    body = await request.body()
    try:
        changed = inbound.github_event(
            runtime.db,
            body,
            signed=x_hub_signature_256,
            event=x_github_event,
            now=runtime.clock.now(),
            environ=os.environ,
        )
    except inbound.NotSigned as refusal:
        raise HTTPException(status_code=401, detail=str(refusal)) from refusal
    return WebhookOut(changed=changed)


@router.post("/api/v1/integrations/jira/webhook")
async def jira_webhook(
    request: Request,
    runtime: RuntimeDep,
    x_hub_signature: Annotated[str | None, Header()] = None,
    secret: Annotated[str | None, Query(max_length=500)] = None,
) -> WebhookOut:
    """Jira's issue events, signed (`X-Hub-Signature`) or carrying `?secret=`."""
    body = await request.body()
    try:
        changed = inbound.jira_event(
            runtime.db,
            body,
            signed=x_hub_signature,
            query_secret=secret,
            now=runtime.clock.now(),
            environ=os.environ,
        )
    except inbound.NotSigned as refusal:
        raise HTTPException(status_code=401, detail=str(refusal)) from refusal
    return WebhookOut(changed=changed)
