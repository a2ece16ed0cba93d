"""Schedules as people use them: who is on call now and until when, the shifts of a window
with the overrides laid over them, and the overrides themselves (created with an author and a
reason, cancelled but never deleted, so "why was Sam on call that night?" has an answer).

The rules that compute shifts are in `rotation`; this module reads rows and checks input.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.oncall.directory import active_schedules, overrides_between, rotations
from firehouse.oncall.model import Schedule, ScheduleOverride
from firehouse.oncall.rotation import Override, Rotation, Shift, apply_overrides, on_call_at

MAX_WINDOW = timedelta(days=366)
MAX_REASON = 2000
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Holder:
    """Who holds one layer of one schedule at an instant, and the piece of shift they are in
    (None before the rotation's first handoff, when no one is)."""

    schedule: Schedule
    layer: str
    person: str | None
    start: datetime | None
    end: datetime | None
    override_id: int | None


@dataclass(frozen=True)
class ScheduleShift:
    schedule: Schedule
    shift: Shift


def get_schedule(session: Session, schedule_id: str) -> Schedule:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or not schedule.active:
        raise NotFound(f"no schedule '{schedule_id}'")
    return schedule


def list_schedules(session: Session) -> list[Schedule]:
    return active_schedules(session)


def person_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Id -> name for the people named (one query); unknown ids are left out."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))
    return {row.id: row.name for row in rows}


def check_window(
    start: datetime, end: datetime, *, start_field: str = "from", end_field: str = "to"
) -> None:
    for name, moment in ((start_field, start), (end_field, end)):
        if moment.tzinfo is None:
            raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field=name)
    if end <= start:
        raise InvalidInput(f"must be after {start_field}", field=end_field)
    if end - start > MAX_WINDOW:
        raise InvalidInput(
            f"must be at most one year (366 days) after {start_field}", field=end_field
        )


# who is on call ---------------------------------------------------------------------------------
def on_call_now(session: Session, at: datetime, schedule_id: str | None = None) -> list[Holder]:
    """Every layer of every active schedule (or just one), with the piece of shift running at
    `at`: its start and end take overrides into account, so "until" is when the person hands
    over, whether to the rotation or to someone covering."""
    schedules = [get_schedule(session, schedule_id)] if schedule_id else active_schedules(session)
    ids = [s.id for s in schedules]
    near = overrides_between(session, ids, at - MAX_WINDOW, at + MAX_WINDOW) if ids else {}
    holders: list[Holder] = []
    for schedule in schedules:
        laid_over = near.get(schedule.id, [])
        for rotation in rotations(schedule):
            layer_overrides = [o for o in laid_over if o.layer == rotation.name]
            holders.append(_holder(schedule, rotation, at, layer_overrides))
    return holders


def _holder(
    schedule: Schedule, rotation: Rotation, at: datetime, overrides: list[Override]
) -> Holder:
    person = on_call_at(rotation, at, overrides)
    base = rotation.shift_at(at)
    live = [o for o in overrides if o.start <= at < o.end]
    if base is None:  # before the first handoff: only an override can put someone on
        last = live[-1] if live and person is not None else None
        return Holder(
            schedule,
            rotation.name,
            person,
            last.start if last else None,
            last.end if last else rotation.handoff_at(0),
            last.id if last else None,
        )
    if not overrides:
        return Holder(schedule, rotation.name, person, base.start, base.end, None)
    start = min([base.start, *(o.start for o in live)])
    end = max([base.end, *(o.end for o in live)])
    for piece in apply_overrides(rotation.shifts(start, end), overrides):
        if piece.start <= at < piece.end:
            return Holder(
                schedule, rotation.name, piece.person, piece.start, piece.end, piece.override_id
            )
    return Holder(schedule, rotation.name, person, base.start, base.end, None)  # pragma: no cover


# shifts -----------------------------------------------------------------------------------------
def render_shifts(
    session: Session, schedule: Schedule, start: datetime, end: datetime
) -> list[Shift]:
    """The shifts of every layer overlapping [start, end), clipped to it, overrides applied;
    layer by layer in the schedule's order, each in time order."""
    check_window(start, end)
    overrides = overrides_between(session, [schedule.id], start, end).get(schedule.id, [])
    return _rendered(schedule, start, end, overrides)


def _rendered(
    schedule: Schedule, start: datetime, end: datetime, overrides: Sequence[Override]
) -> list[Shift]:
    shifts: list[Shift] = []
    for rotation in rotations(schedule):
        layer_overrides = [o for o in overrides if o.layer == rotation.name]
        before = _before_the_rotation(rotation.name, rotation.handoff_at(0), start, layer_overrides)
        shifts += before + apply_overrides(rotation.shifts(start, end), layer_overrides)
    return shifts


def _before_the_rotation(
    layer: str, first_handoff: datetime, start: datetime, overrides: Sequence[Override]
) -> list[Shift]:
    """Before a layer's first handoff nobody is on call, so only an override for anyone
    (no `covers_for`) puts someone there; the later of two overlapping ones wins."""
    cut = {start, first_handoff}
    whole = [o for o in overrides if o.covers_for is None and o.start < first_handoff]
    for o in whole:
        cut |= {min(max(o.start, start), first_handoff), min(max(o.end, start), first_handoff)}
    points = sorted(p for p in cut if start <= p <= first_handoff)
    shifts: list[Shift] = []
    for begins, ends in itertools.pairwise(points):
        holder = next((o for o in reversed(whole) if o.start <= begins and ends <= o.end), None)
        if holder is not None:
            shifts.append(Shift(layer, holder.person, begins, ends, holder.id))
    return shifts


def shifts_of_person(
    session: Session, person_id: str, start: datetime, end: datetime
) -> list[ScheduleShift]:
    """One person's shifts across every active schedule, in time order."""
    check_window(start, end)
    schedules = active_schedules(session)
    overrides = overrides_between(session, [s.id for s in schedules], start, end)
    found = [
        ScheduleShift(schedule, shift)
        for schedule in schedules
        for shift in _rendered(schedule, start, end, overrides.get(schedule.id, []))
        if shift.person == person_id
    ]
    return sorted(found, key=lambda s: (s.shift.start, s.schedule.id, s.shift.layer))


def get_active_person(session: Session, person_id: str, *, field: str = "person") -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.active:
        raise InvalidInput(f"no active person '{person_id}'", field=field)
    return person


# overrides --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverrideRequest:
    layer: str
    person: str
    start: datetime
    end: datetime
    reason: str
    covers_for: str | None = None


def create_override(
    session: Session, schedule_id: str, request: OverrideRequest, *, author: str, now: datetime
) -> ScheduleOverride:
    """`person` takes `layer` for the window (only where `covers_for` is on, if given)."""
    schedule = get_schedule(session, schedule_id)
    layers = [r.name for r in rotations(schedule)]
    if request.layer not in layers:
        raise InvalidInput(
            f"'{request.layer}' is not a layer of {schedule.id}; use {', '.join(layers)}",
            field="layer",
        )
    get_active_person(session, request.person)
    if request.covers_for is not None:
        if session.get(Person, request.covers_for) is None:
            raise InvalidInput(f"no person '{request.covers_for}'", field="covers_for")
        if request.covers_for == request.person:
            raise InvalidInput("must be someone other than person", field="covers_for")
    check_window(request.start, request.end, start_field="start", end_field="end")
    if request.end <= now:
        raise InvalidInput("must be in the future", field="end")
    override = ScheduleOverride(
        schedule_id=schedule.id,
        layer=request.layer,
        person_id=request.person,
        covers_for=request.covers_for,
        starts_at=request.start,
        ends_at=request.end,
        reason=_reason(request.reason),
        author=author,
        created_at=now,
    )
    session.add(override)
    session.flush()
    return override


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InvalidInput("must say why, for whoever wonders later", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"must be at most {MAX_REASON} characters", field="reason")
    return reason


def list_overrides(
    session: Session, schedule_id: str, *, now: datetime, every: bool = False
) -> list[ScheduleOverride]:
    """Live overrides not yet over (or `every` one, ended and cancelled too), by start."""
    schedule = get_schedule(session, schedule_id)
    query = select(ScheduleOverride).where(ScheduleOverride.schedule_id == schedule.id)
    if not every:
        query = query.where(ScheduleOverride.cancelled_at.is_(None), ScheduleOverride.ends_at > now)
    return list(session.scalars(query.order_by(ScheduleOverride.starts_at, ScheduleOverride.id)))


def cancel_override(
    session: Session, schedule_id: str, override_id: int, *, actor: str, now: datetime
) -> ScheduleOverride:
    """The override stops applying; its row stays, with who cancelled it and when."""
    schedule = get_schedule(session, schedule_id)
    override = session.get(ScheduleOverride, override_id)
    if override is None or override.schedule_id != schedule.id:
        raise NotFound(f"no override {override_id} in schedule {schedule.id}")
    if override.cancelled_at is not None:
        raise Conflict(f"override {override_id} was already cancelled by {override.cancelled_by}")
    override.cancelled_at = now
    override.cancelled_by = actor
    session.flush()
    return override
