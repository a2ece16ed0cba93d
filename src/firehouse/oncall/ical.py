"""Calendar feeds (RFC 5545) of shifts, per schedule and per person, for calendar applications.

Calendar applications fetch a feed by URL without credentials, so the URL carries the secret:
a signature of what the feed shows, made with the deployment's signing key. Rotating the key
(FIREHOUSE_SECRET_KEY) invalidates every feed URL handed out. A feed covers 30 days back and
180 ahead; each shift keeps its UID (schedule, layer and start) from one fetch to the next, so
an override that changes who holds a shift updates the event instead of adding another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from firehouse.auth.signing import sign, verify
from firehouse.catalog.model import Person
from firehouse.oncall import schedules
from firehouse.oncall.model import Schedule
from firehouse.oncall.rotation import Shift

PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
PURPOSE = "ical"
PRODID = "-//firehouse//on-call//EN"


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str


def token(key: bytes, kind: str, ident: str) -> str:
    """`kind` is "schedule" or "person": a schedule's token does not open a person's feed."""
    return sign(key, PURPOSE, f"{kind}:{ident}")


def token_is_valid(key: bytes, kind: str, ident: str, candidate: str) -> bool:
    return verify(key, PURPOSE, f"{kind}:{ident}", candidate)


def schedule_feed_url(base_url: str, key: bytes, schedule_id: str) -> str:
    secret = token(key, "schedule", schedule_id)
    return f"{base_url.rstrip('/')}/ical/schedules/{quote(schedule_id)}/{secret}.ics"


def person_feed_url(base_url: str, key: bytes, person_id: str) -> str:
    secret = token(key, "person", person_id)
    return f"{base_url.rstrip('/')}/ical/people/{quote(person_id)}/{secret}.ics"


def schedule_feed(session: Session, schedule: Schedule, now: datetime) -> bytes:
    shifts = schedules.render_shifts(session, schedule, now - PAST, now + AHEAD)
    names = schedules.person_names(session, {s.person for s in shifts})
    events = [_event(schedule, shift, names) for shift in shifts]
    return render(f"On call: {schedule.name}", events, now)


def person_feed(session: Session, person: Person, now: datetime) -> bytes:
    found = schedules.shifts_of_person(session, person.id, now - PAST, now + AHEAD)
    names = {person.id: person.name}
    events = [_event(item.schedule, item.shift, names) for item in found]
    return render(f"On call: {person.name}", events, now)


def _event(schedule: Schedule, shift: Shift, names: dict[str, str]) -> FeedEvent:
    name = names.get(shift.person, shift.person)
    description = f"{name} is on call for the {shift.layer} layer of {schedule.name}."
    if shift.override_id is not None:
        description += f" An override (#{shift.override_id}) put them on call."
    return FeedEvent(
        uid=f"{schedule.id}.{shift.layer}.{_stamp(shift.start)}@firehouse",
        start=shift.start,
        end=shift.end,
        summary=f"On call: {name} ({schedule.name} / {shift.layer})",
        description=description,
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render(name: str, events: Iterable[FeedEvent], now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = now.astimezone(UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
