"""GET /api/v1/incidents/{number}/checklist and its changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from firehouse.guidance import checklist_service
from firehouse.guidance.checklist_service import Checklist, ItemView
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.incidents.visibility import sight_of

router = APIRouter(
    prefix="/api/v1/incidents",
    tags=["checklist"],
    responses=documented(400, 401, 403, 404, 422, 503),
)

Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]
Key = Annotated[str, Path(min_length=1, max_length=40, description="The item's key.")]


class ItemOut(BaseModel):
    key: str
    label: str
    state: str
    note: str
    automatic: bool
    completed_at: datetime | None
    completed_by: str | None


class ChecklistOut(BaseModel):
    items: list[ItemOut]
    done: int = Field(description="Items settled: done, or not applicable with a reason.")
    total: int


class ItemChangeIn(BaseModel):
    state: Literal["done", "not_applicable", "open"]
    note: str | None = Field(
        default=None,
        max_length=2000,
        description="What was done (done) or why it does not apply (not_applicable).",
    )


def item_out(item: ItemView) -> ItemOut:
    return ItemOut(**item.__dict__)


def checklist_out(found: Checklist) -> ChecklistOut:
    return ChecklistOut(
        items=[item_out(item) for item in found.items], done=found.done, total=found.total
    )


@router.get("/{number}/checklist")
def get_checklist(number: Number, runtime: RuntimeDep, caller: Viewer) -> ChecklistOut:
    with runtime.db.read() as session:
        found = checklist_service.incident_checklist(session, number, sight_of(caller))
        return checklist_out(found)


@router.post("/{number}/checklist/{key}")
def change_item(
    number: Number, key: Key, body: ItemChangeIn, runtime: RuntimeDep, caller: Responder
) -> ItemOut:
    with runtime.db.write() as session:
        item = checklist_service.change_item(
            session,
            number,
            key,
            body.state,
            body.note,
            actor=caller.actor,
            now=runtime.clock.now(),
            sight=sight_of(caller),
        )
        return item_out(item)
