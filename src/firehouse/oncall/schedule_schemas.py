"""API shapes of schedules, shifts, who is on call, and overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from firehouse.httpapi.types import Id, LongText, Moment
from firehouse.oncall.model import Schedule, ScheduleOverride
from firehouse.oncall.rotation import Shift
from firehouse.oncall.schedules import Holder

Reason = Annotated[LongText, StringConstraints(strip_whitespace=True, min_length=1)]
LayerName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PersonRef(BaseModel):
    id: str
    name: str


class OnCallLayerOut(BaseModel):
    """`person` is null before the layer's first handoff. `start`/`end`: the piece of shift
    running now, overrides taken into account (`end` is when this person hands over)."""

    layer: str
    person: PersonRef | None
    start: datetime | None
    end: datetime | None
    override: bool
    override_id: int | None


class OnCallScheduleOut(BaseModel):
    id: str
    name: str
    team: str | None
    layers: list[OnCallLayerOut]


class OnCallOut(BaseModel):
    at: datetime
    schedules: list[OnCallScheduleOut]


class LayerOut(BaseModel):
    name: str
    rotation: str
    handoff: str
    handoff_day: str | None
    timezone: str
    start: str
    people: list[PersonRef]


class ScheduleOut(BaseModel):
    """`ical_url` is the schedule's calendar feed (it carries its secret): shown to
    responders and admins, null for viewers."""

    id: str
    name: str
    team: str | None
    timezone: str
    layers: list[LayerOut]
    ical_url: str | None = None


class ShiftOut(BaseModel):
    layer: str
    person: PersonRef
    start: datetime
    end: datetime
    override_id: int | None


class ShiftsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    schedule: str
    from_: datetime = Field(alias="from")
    to: datetime
    shifts: list[ShiftOut]


class OverrideIn(BaseModel):
    """`person` holds `layer` from `start` to `end`; with `covers_for`, only where that
    person would have been on call."""

    model_config = ConfigDict(extra="forbid")

    layer: LayerName
    person: Id
    start: Moment
    end: Moment
    covers_for: Id | None = None
    reason: Reason


class OverrideOut(BaseModel):
    id: int
    schedule: str
    layer: str
    person: PersonRef
    covers_for: PersonRef | None
    start: datetime
    end: datetime
    reason: str
    author: str
    created_at: datetime
    cancelled_at: datetime | None
    cancelled_by: str | None


class FeedUrlOut(BaseModel):
    url: str


def ref(person_id: str, names: dict[str, str]) -> PersonRef:
    return PersonRef(id=person_id, name=names.get(person_id, person_id))


def on_call_out(at: datetime, holders: list[Holder], names: dict[str, str]) -> OnCallOut:
    grouped: dict[str, OnCallScheduleOut] = {}
    for holder in holders:
        schedule = holder.schedule
        entry = grouped.setdefault(
            schedule.id,
            OnCallScheduleOut(id=schedule.id, name=schedule.name, team=schedule.team_id, layers=[]),
        )
        entry.layers.append(
            OnCallLayerOut(
                layer=holder.layer,
                person=ref(holder.person, names) if holder.person else None,
                start=holder.start,
                end=holder.end,
                override=holder.override_id is not None,
                override_id=holder.override_id,
            )
        )
    return OnCallOut(at=at, schedules=list(grouped.values()))


def schedule_out(
    schedule: Schedule, names: dict[str, str], ical_url: str | None = None
) -> ScheduleOut:
    return ScheduleOut(
        id=schedule.id,
        name=schedule.name,
        team=schedule.team_id,
        timezone=schedule.timezone,
        layers=[_layer_out(layer, schedule.timezone, names) for layer in schedule.layers],
        ical_url=ical_url,
    )


def _layer_out(layer: dict[str, Any], timezone: str, names: dict[str, str]) -> LayerOut:
    rotation = str(layer.get("rotation", "weekly"))
    return LayerOut(
        name=str(layer["name"]),
        rotation=rotation,
        handoff=str(layer.get("handoff", "09:00")),
        handoff_day=str(layer.get("handoff_day", "mon")) if rotation == "weekly" else None,
        timezone=str(layer.get("timezone") or timezone),
        start=str(layer.get("start", "2024-01-01")),
        people=[ref(str(p), names) for p in layer.get("people", [])],
    )


def shift_out(shift: Shift, names: dict[str, str]) -> ShiftOut:
    return ShiftOut(
        layer=shift.layer,
        person=ref(shift.person, names),
        start=shift.start,
        end=shift.end,
        override_id=shift.override_id,
    )


def override_out(row: ScheduleOverride, names: dict[str, str]) -> OverrideOut:
    return OverrideOut(
        id=row.id,
        schedule=row.schedule_id,
        layer=row.layer,
        person=ref(row.person_id, names),
        covers_for=ref(row.covers_for, names) if row.covers_for else None,
        start=row.starts_at,
        end=row.ends_at,
        reason=row.reason,
        author=row.author,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        cancelled_by=row.cancelled_by,
    )
