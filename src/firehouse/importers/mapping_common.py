"""Conversions both importers share: a person, a time zone, a rotation layer from its first
handoff, an escalation wait. Pure: records in, fragment entries and report notes out."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from firehouse.importers.fragment import Ids, ImportResult

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WAIT, MAX_REPEAT, MAX_NAME = 1440, 10, 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def name_of(value: Any, fallback: str) -> str:
    text = str(value).strip() if value else ""
    return (text or fallback)[:MAX_NAME]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 instant as the APIs send it ("2026-03-02T09:00:00Z", with an offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_zone(result: ImportResult, value: Any, subject: str) -> str:
    """The IANA zone as given, or UTC with a note when the product's zone is unknown here."""
    if isinstance(value, str) and value:
        try:
            ZoneInfo(value)
            return value
        except (ZoneInfoNotFoundError, ValueError):
            pass
    result.differ(subject, f"time zone {value!r} is not an IANA zone firehouse knows; used UTC")
    return "UTC"


def add_person(
    result: ImportResult,
    people: Ids,
    foreign_id: str,
    *,
    name: Any,
    email: Any,
    phone: str | None,
    subject: str,
) -> None:
    """A person whose id is the email's local part (or the name), unique among people."""
    mail = str(email).strip() if email else ""
    wanted = mail.split("@")[0] if mail else str(name or "")
    person_id = people.assign(foreign_id, wanted)
    entry: dict[str, Any] = {"id": person_id, "name": name_of(name, mail or person_id)}
    if mail and _EMAIL.fullmatch(mail):
        entry["email"] = mail
    elif mail:
        result.skip(subject, f"'{mail}' is not an email address firehouse accepts; left out")
    if phone:
        if _E164.fullmatch(phone):
            entry["phone"] = phone
        else:
            result.skip(subject, f"phone number '{phone}' is not in E.164 form; left out")
    result.add("people", entry, subject)


def layer(
    name: str, people: list[str], first_handoff: datetime, zone: str, rotation: str
) -> dict[str, Any]:
    """A firehouse layer whose first handoff is `first_handoff` with `people[0]` taking over:
    the rotation counts from `start`, handing over at the local time (and weekday) of it."""
    local = first_handoff.astimezone(ZoneInfo(zone))
    entry: dict[str, Any] = {"name": name, "people": people, "rotation": rotation}
    entry["handoff"] = f"{local:%H:%M}"
    if rotation == "weekly":
        entry["handoff_day"] = WEEKDAYS[local.weekday()]
    entry["start"] = local.date()
    return entry


def length_from_hours(hours: int) -> str | None:
    """daily, weekly, Nd or Nh for a turn of whole hours; None when firehouse cannot say it."""
    if hours <= 0:
        return None
    if hours == 24 * 7:
        return "weekly"
    if hours == 24:
        return "daily"
    if hours % 24 == 0 and hours // 24 <= 9999:
        return f"{hours // 24}d"
    return f"{hours}h" if hours <= 9999 else None


def wait_minutes(result: ImportResult, minutes: int, subject: str) -> int:
    """Within firehouse's 1..1440 minutes, saying so when the source's value was outside."""
    if 1 <= minutes <= MAX_WAIT:
        return minutes
    bounded = min(max(minutes, 1), MAX_WAIT)
    result.differ(subject, f"waits {minutes} minutes; firehouse allows 1 to 1440, so {bounded}")
    return bounded


def repeat_count(result: ImportResult, count: int, subject: str) -> int:
    if 0 <= count <= MAX_REPEAT:
        return count
    bounded = min(max(count, 0), MAX_REPEAT)
    result.differ(subject, f"repeats {count} times; firehouse allows at most 10, so {bounded}")
    return bounded


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
