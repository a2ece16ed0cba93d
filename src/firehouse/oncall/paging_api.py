"""HTTP routes of pages: raise one, list and read them, acknowledge, cancel, and escalate an
incident to point-people. Each route parses, authorises, calls one use case; the answer to
a new page already lists who its first step notified."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.incidents.visibility import sight_of
from firehouse.oncall import paging, paging_queries
from firehouse.oncall.model import Page
from firehouse.oncall.paging_schemas import (
    AckIn,
    EscalateIn,
    PageDetailOut,
    PageIn,
    PageOut,
    PageStatus,
    page_detail_out,
    page_out,
)

router = APIRouter(
    prefix="/api/v1",
    tags=["paging"],
    responses=documented(400, 401, 403, 404, 409, 422, 503),
)

PageId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The page's id.")]
Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]


def _detail(session: Session, page: Page) -> PageDetailOut:
    numbers = paging_queries.incident_numbers(session, [page])
    return page_detail_out(page, numbers, paging_queries.notifications_of(session, page.id))


@router.post("/pages", status_code=201)
def create_page(body: PageIn, runtime: RuntimeDep, caller: Responder) -> PageDetailOut:
    """Page a person, a service (its escalation policy, else its point-people), an
    escalation policy or a schedule (layer), optionally for an incident."""
    request = paging.PageRequest(
        message=body.message,
        person=body.person,
        service=body.service,
        escalation_policy=body.escalation_policy,
        schedule=body.schedule,
        layer=body.layer,
        incident=body.incident,
    )
    with runtime.db.write() as session:
        page = paging.create_page(session, request, actor=caller.actor, now=runtime.clock.now())
        return _detail(session, page)


@router.get("/pages")
def list_pages(
    runtime: RuntimeDep,
    caller: Viewer,
    status: PageStatus | None = None,
    incident: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Annotated[int, Query(ge=1, le=paging_queries.MAX_LIST)] = 50,
) -> list[PageOut]:
    """Newest first."""
    with runtime.db.read() as session:
        pages = paging_queries.list_pages(
            session, status=status, incident=incident, limit=limit, sight=sight_of(caller)
        )
        numbers = paging_queries.incident_numbers(session, pages)
    return [page_out(page, numbers) for page in pages]


@router.get("/pages/{page_id}")
def get_page(page_id: PageId, runtime: RuntimeDep, caller: Viewer) -> PageDetailOut:
    with runtime.db.read() as session:
        return _detail(session, paging_queries.get_page(session, page_id, sight_of(caller)))


@router.post("/pages/{page_id}/acknowledge")
def acknowledge(
    page_id: PageId, runtime: RuntimeDep, caller: Responder, body: AckIn | None = None
) -> PageDetailOut:
    """Stops the escalation; also the incident's acknowledgement. Asking twice is harmless."""
    with runtime.db.write() as session:
        page = paging.acknowledge_page(
            session,
            page_id,
            person_id=caller.person_id,
            actor=caller.actor,
            via=(body or AckIn()).via,
            now=runtime.clock.now(),
        )
        return _detail(session, page)


@router.post("/pages/{page_id}/cancel")
def cancel(page_id: PageId, runtime: RuntimeDep, caller: Responder) -> PageDetailOut:
    with runtime.db.write() as session:
        page = paging.cancel_page(session, page_id, actor=caller.actor, now=runtime.clock.now())
        return _detail(session, page)


@router.post(
    "/incidents/{number}/escalate",
    status_code=201,
    responses={200: {"model": PageDetailOut, "description": "The page already escalating"}},
)
def escalate(
    number: Number,
    runtime: RuntimeDep,
    caller: Responder,
    response: Response,
    body: EscalateIn | None = None,
) -> PageDetailOut:
    """Page point-people for the incident (the service's, default the incident's own, or one
    person); the chat flow invites them to its channel. While that page is still escalating,
    asking again answers 200 with it."""
    wanted = body or EscalateIn()
    with runtime.db.write() as session:
        newest = paging_queries.latest_page_id(session)
        page = paging.escalate_to_point_people(
            session,
            number,
            service_id=wanted.service,
            person_id=wanted.person,
            message=wanted.message,
            actor=caller.actor,
            now=runtime.clock.now(),
        )
        if page.id <= newest:
            response.status_code = 200
        return _detail(session, page)
