"""Postmortems over HTTP: read, start, edit, move between states, export, list.

A postmortem is as private as its incident: every route passes the caller's Sight, so an
outsider gets the same 404 as for an incident that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from firehouse.guidance import postmortem_service as service
from firehouse.guidance.postmortem_service import PostmortemView
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.incidents.visibility import sight_of

router = APIRouter(tags=["postmortems"], responses=documented(400, 401, 403, 404, 409, 422, 503))

Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]
BASE = "/api/v1/incidents/{number}/postmortem"


class PostmortemOut(BaseModel):
    incident: int
    incident_message: str
    owner: str | None
    state: str
    due_at: datetime | None
    overdue: bool
    version: int
    document: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    published_at: datetime | None


class PostmortemList(BaseModel):
    items: list[PostmortemOut]


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: Annotated[str, Field(min_length=1, max_length=service.DOCUMENT_LIMIT)]
    version: Annotated[int, Field(ge=1, description="The version you edited (optimistic lock).")]


class StateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["draft", "in_review", "published"]
    version: Annotated[int | None, Field(ge=1)] = None


def out(view: PostmortemView, now: datetime) -> PostmortemOut:
    row = view.postmortem
    return PostmortemOut(
        incident=view.incident.number,
        incident_message=view.incident.message,
        owner=row.owner,
        state=row.state,
        due_at=row.due_at,
        overdue=service.is_overdue(row, now),
        version=row.version,
        document=row.document,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        published_at=row.published_at,
    )


@router.get(BASE)
def get_postmortem(number: Number, runtime: RuntimeDep, caller: Viewer) -> PostmortemOut:
    with runtime.db.read() as session:
        return out(service.get(session, number, sight_of(caller)), runtime.clock.now())


@router.post(
    BASE,
    status_code=201,
    responses={200: {"description": "It existed already: returned as it is."}},
)
def start_postmortem(
    number: Number, runtime: RuntimeDep, caller: Responder, response: Response
) -> PostmortemOut:
    """Starts one by hand; when it exists already, answers 200 with it."""
    now = runtime.clock.now()
    with runtime.db.write() as session:
        view, new = service.start(
            session, number, sight=sight_of(caller), actor=caller.actor, now=now
        )
        result = out(view, now)
    if not new:
        response.status_code = 200
    return result


@router.put(BASE)
def edit_postmortem(
    number: Number, body: DocumentIn, runtime: RuntimeDep, caller: Responder
) -> PostmortemOut:
    now = runtime.clock.now()
    with runtime.db.write() as session:
        view = service.edit(
            session,
            number,
            body.document,
            expected_version=body.version,
            sight=sight_of(caller),
            actor=caller.actor,
            now=now,
        )
        return out(view, now)


@router.post(BASE + "/state")
def change_state(
    number: Number, body: StateIn, runtime: RuntimeDep, caller: Responder
) -> PostmortemOut:
    now = runtime.clock.now()
    with runtime.db.write() as session:
        view = service.change_state(
            session,
            number,
            body.state,
            sight=sight_of(caller),
            actor=caller.actor,
            now=now,
            expected_version=body.version,
        )
        return out(view, now)


@router.get(BASE + ".md", response_class=Response)
def export_markdown(number: Number, runtime: RuntimeDep, caller: Viewer) -> Response:
    with runtime.db.read() as session:
        text = service.export(session, number, sight_of(caller), fmt="md")
    return _download(text, "text/markdown; charset=utf-8", f"postmortem-{number}.md")


@router.get(BASE + ".html", response_class=Response)
def export_html(number: Number, runtime: RuntimeDep, caller: Viewer) -> Response:
    with runtime.db.read() as session:
        text = service.export(session, number, sight_of(caller), fmt="html")
    return _download(text, "text/html; charset=utf-8", f"postmortem-{number}.html")


@router.get("/api/v1/postmortems")
def list_postmortems(
    runtime: RuntimeDep,
    caller: Viewer,
    state: Annotated[Literal["draft", "in_review", "published"] | None, Query()] = None,
    overdue: Annotated[bool | None, Query()] = None,
) -> PostmortemList:
    now = runtime.clock.now()
    with runtime.db.read() as session:
        views = service.list_postmortems(
            session, sight_of(caller), now=now, state=state, overdue=overdue
        )
        return PostmortemList(items=[out(view, now) for view in views])


def _download(text: str, media_type: str, filename: str) -> Response:
    """An attachment, and a sandboxing CSP so an opened HTML export runs nothing."""
    return Response(
        content=text,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )
