"""HTTP routes for schedules: who is on call, the shifts of a window, overrides, and the
calendar feed URLs (viewers read; responders create and cancel overrides and see feed URLs,
which carry their secret)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from firehouse.auth.roles import AccessRole
from firehouse.auth.service import Principal
from firehouse.auth.signing import signing_key
from firehouse.catalog.model import Person
from firehouse.errors import InvalidInput, NotFound
from firehouse.httpapi.deps import Responder, RuntimeDep, Viewer
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.httpapi.types import Id
from firehouse.oncall import ical, schedules
from firehouse.oncall.schedule_schemas import (
    FeedUrlOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    ScheduleOut,
    ShiftsOut,
    on_call_out,
    override_out,
    schedule_out,
    shift_out,
)

router = APIRouter(
    prefix="/api/v1", tags=["on-call"], responses=documented(400, 401, 403, 404, 409, 422, 503)
)

ScheduleId = Annotated[Id, Path(description="The schedule's id, as in firehouse.yaml.")]
OverrideId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The override's id.")]
DEFAULT_SHIFTS_WINDOW = timedelta(days=14)
# Shifts are computed up to a year past a window's end; far from today nothing is meaningful.
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000
ISO_MOMENT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
MomentText = Annotated[
    str | None,
    Query(
        pattern=ISO_MOMENT,
        max_length=40,
        description="ISO 8601 with a zone, e.g. 2026-12-24T03:00:00Z.",
    ),
]


def _moment(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "must be an ISO 8601 time, e.g. 2026-12-24T03:00:00Z", field=field
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput("must include a time zone, e.g. 2026-12-24T03:00:00Z", field=field)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = datetime.min.replace(tzinfo=UTC)
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise InvalidInput(f"must be a time between {EARLIEST_YEAR} and {LATEST_YEAR}", field=field)
    return moment


def _feed_url(runtime: Runtime, caller: Principal, schedule_id: str) -> str | None:
    if not caller.role.allows(AccessRole.RESPONDER):
        return None
    key = signing_key(runtime.db, runtime.settings.secret_key)
    return ical.schedule_feed_url(runtime.settings.base_url, key, schedule_id)


@router.get("/oncall")
def who_is_on_call(
    runtime: RuntimeDep,
    _caller: Viewer,
    at: MomentText = None,
    schedule: Annotated[Id | None, Query(description="Only this schedule.")] = None,
) -> OnCallOut:
    """Every active schedule, each layer with the person on call at `at` (default now)."""
    moment = _moment(at, "at") or runtime.clock.now()
    with runtime.db.read() as session:
        holders = schedules.on_call_now(session, moment, schedule)
        names = schedules.person_names(session, (h.person for h in holders))
    return on_call_out(moment, holders, names)


@router.get("/schedules")
def list_schedules(runtime: RuntimeDep, caller: Viewer) -> list[ScheduleOut]:
    with runtime.db.read() as session:
        found = schedules.list_schedules(session)
        names = schedules.person_names(
            session, (str(p) for s in found for layer in s.layers for p in layer["people"])
        )
    return [schedule_out(s, names, _feed_url(runtime, caller, s.id)) for s in found]


@router.get("/schedules/{schedule_id}")
def get_schedule(schedule_id: ScheduleId, runtime: RuntimeDep, caller: Viewer) -> ScheduleOut:
    """Its layers and their people; `ical_url` (the calendar feed) for responders."""
    with runtime.db.read() as session:
        found = schedules.get_schedule(session, schedule_id)
        names = schedules.person_names(
            session, (str(p) for layer in found.layers for p in layer["people"])
        )
    return schedule_out(found, names, _feed_url(runtime, caller, found.id))


@router.get("/schedules/{schedule_id}/shifts")
def list_shifts(
    schedule_id: ScheduleId,
    runtime: RuntimeDep,
    _caller: Viewer,
    start: Annotated[MomentText, Query(alias="from")] = None,
    end: Annotated[MomentText, Query(alias="to")] = None,
) -> ShiftsOut:
    """Shifts overlapping the window (default: now to 14 days on; at most a year), clipped to
    it, overrides applied."""
    begins = _moment(start, "from") or runtime.clock.now()
    ends = _moment(end, "to") or begins + DEFAULT_SHIFTS_WINDOW
    with runtime.db.read() as session:
        found = schedules.get_schedule(session, schedule_id)
        shifts = schedules.render_shifts(session, found, begins, ends)
        names = schedules.person_names(session, (s.person for s in shifts))
    return ShiftsOut(
        schedule=found.id, from_=begins, to=ends, shifts=[shift_out(s, names) for s in shifts]
    )


@router.post("/schedules/{schedule_id}/overrides", status_code=201)
def create_override(
    schedule_id: ScheduleId, body: OverrideIn, runtime: RuntimeDep, caller: Responder
) -> OverrideOut:
    request = schedules.OverrideRequest(
        layer=body.layer,
        person=body.person,
        start=body.start,
        end=body.end,
        reason=body.reason,
        covers_for=body.covers_for,
    )
    with runtime.db.write() as session:
        row = schedules.create_override(
            session, schedule_id, request, author=caller.actor, now=runtime.clock.now()
        )
        names = schedules.person_names(session, (row.person_id, row.covers_for))
        return override_out(row, names)


@router.get("/schedules/{schedule_id}/overrides")
def list_overrides(
    schedule_id: ScheduleId,
    runtime: RuntimeDep,
    _caller: Viewer,
    every: Annotated[
        bool, Query(alias="all", description="Include ended and cancelled overrides.")
    ] = False,
) -> list[OverrideOut]:
    """Overrides in force or to come, by start (all of them with `all=true`)."""
    with runtime.db.read() as session:
        rows = schedules.list_overrides(session, schedule_id, now=runtime.clock.now(), every=every)
        names = schedules.person_names(
            session, [r.person_id for r in rows] + [r.covers_for for r in rows]
        )
        return [override_out(r, names) for r in rows]


@router.delete("/schedules/{schedule_id}/overrides/{override_id}")
def cancel_override(
    schedule_id: ScheduleId, override_id: OverrideId, runtime: RuntimeDep, caller: Responder
) -> OverrideOut:
    """The override stops applying; it stays listed (with `all=true`) as the record."""
    with runtime.db.write() as session:
        row = schedules.cancel_override(
            session, schedule_id, override_id, actor=caller.actor, now=runtime.clock.now()
        )
        names = schedules.person_names(session, (row.person_id, row.covers_for))
        return override_out(row, names)


@router.get("/people/{person_id}/ical")
def person_feed_url(
    person_id: Annotated[Id, Path(description="The person's id.")],
    runtime: RuntimeDep,
    _caller: Responder,
) -> FeedUrlOut:
    """The URL of the person's calendar feed: their shifts in every schedule."""
    with runtime.db.read() as session:
        if session.get(Person, person_id) is None:
            raise NotFound(f"no person '{person_id}'")
    key = signing_key(runtime.db, runtime.settings.secret_key)
    return FeedUrlOut(url=ical.person_feed_url(runtime.settings.base_url, key, person_id))
