"""Calendar feeds for calendar applications: no Authorization header, the token in the URL is
the secret. A wrong token answers 404 like an unknown id, so a URL cannot be probed for which
schedules or people exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from firehouse.auth.signing import signing_key
from firehouse.catalog.model import Person
from firehouse.errors import NotFound
from firehouse.httpapi.deps import RuntimeDep
from firehouse.httpapi.runtime import Runtime
from firehouse.oncall import ical
from firehouse.oncall.model import Schedule

router = APIRouter(prefix="/ical", tags=["on-call"], include_in_schema=False)

MEDIA_TYPE = "text/calendar; charset=utf-8"
Ident = Annotated[str, Path(min_length=1, max_length=64)]
Token = Annotated[str, Path(min_length=1, max_length=64)]


def _check(runtime: Runtime, kind: str, ident: str, token: str) -> None:
    key = signing_key(runtime.db, runtime.settings.secret_key)
    if not ical.token_is_valid(key, kind, ident, token):
        raise NotFound(f"no calendar feed at this address for {kind} '{ident}'")


def _calendar(data: bytes, name: str) -> Response:
    return Response(
        content=data,
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{name}.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get("/schedules/{schedule_id}/{token}.ics")
def schedule_feed(schedule_id: Ident, token: Token, runtime: RuntimeDep) -> Response:
    """Every layer's shifts, 30 days back and 180 ahead, overrides applied."""
    _check(runtime, "schedule", schedule_id, token)
    with runtime.db.read() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None or not schedule.active:
            raise NotFound(f"no schedule '{schedule_id}'")
        data = ical.schedule_feed(session, schedule, runtime.clock.now())
    return _calendar(data, schedule.id)


@router.get("/people/{person_id}/{token}.ics")
def person_feed(person_id: Ident, token: Token, runtime: RuntimeDep) -> Response:
    """The person's shifts in every schedule, 30 days back and 180 ahead."""
    _check(runtime, "person", person_id, token)
    with runtime.db.read() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(f"no person '{person_id}'")
        data = ical.person_feed(session, person, runtime.clock.now())
    return _calendar(data, person.id)
