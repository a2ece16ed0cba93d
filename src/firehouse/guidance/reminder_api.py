"""GET /api/v1/incidents/{number}/reminders and snoozing one of them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from firehouse.guidance import reminder_service
from firehouse.guidance.policy import REMINDERS
from firehouse.guidance.reminder_service import MAX_SNOOZE_MINUTES, ReminderState
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.incidents.visibility import sight_of

router = APIRouter(
    prefix="/api/v1/incidents",
    tags=["reminders"],
    responses=documented(400, 401, 403, 404, 422, 503),
)

Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The incident number.")]
Reminder = Annotated[
    str, Path(min_length=1, max_length=40, description="One of: " + ", ".join(REMINDERS))
]


class ReminderOut(BaseModel):
    reminder: str
    due_at: datetime | None = Field(description="Due now and not sent yet: since when.")
    snoozed_until: datetime | None
    last_sent_at: datetime | None
    last_due_at: datetime | None = Field(description="The due time of the last one sent.")


class RemindersOut(BaseModel):
    reminders: list[ReminderOut]


class SnoozeIn(BaseModel):
    minutes: int = Field(ge=1, le=MAX_SNOOZE_MINUTES, description="How long to hold it back.")


class SnoozeOut(BaseModel):
    reminder: str
    snoozed_until: datetime
    snoozed_by: str


def reminder_out(state: ReminderState) -> ReminderOut:
    return ReminderOut(**state.__dict__)


@router.get("/{number}/reminders")
def get_reminders(number: Number, runtime: RuntimeDep, caller: Viewer) -> RemindersOut:
    with runtime.db.read() as session:
        states = reminder_service.reminders_of(
            session, number, now=runtime.clock.now(), sight=sight_of(caller)
        )
        return RemindersOut(reminders=[reminder_out(state) for state in states])


@router.post("/{number}/reminders/{reminder}/snooze")
def snooze_reminder(
    number: Number, reminder: Reminder, body: SnoozeIn, runtime: RuntimeDep, caller: Responder
) -> SnoozeOut:
    with runtime.db.write() as session:
        row = reminder_service.snooze(
            session,
            number,
            reminder,
            minutes=body.minutes,
            actor=caller.actor,
            now=runtime.clock.now(),
            sight=sight_of(caller),
        )
        return SnoozeOut(reminder=row.reminder, snoozed_until=row.until, snoozed_by=row.snoozed_by)
