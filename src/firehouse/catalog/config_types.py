"""The value types of firehouse.yaml: each checks one kind of value and says what is wrong in
words a person fixing the file understands. Shared by every section (config_sections.py)."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.types import StringConstraints

from firehouse.outbox.events import EventType

_SLUG = re.compile(r"[a-z0-9_-]{1,64}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
EVENT_FILTERS: frozenset[str] = frozenset(
    {"*"} | {event.value for event in EventType} | {f"{e.value.split('.')[0]}.*" for e in EventType}
)


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lowercase letters, digits, '-' and '_' "
            "(at most 64 characters)"
        )
    return value


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        valid = False
    if not valid or any(c.isspace() for c in value):
        raise ValueError(f"'{value}' is not an http:// or https:// URL")
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            f"'{value}' is not an environment variable name (letters, digits and '_', "
            "not starting with a digit)"
        )
    return value


def _event_filter(value: str) -> str:
    if value not in EVENT_FILTERS:
        known = ", ".join(sorted(EVENT_FILTERS))
        raise ValueError(f"unknown event type '{value}' (known: {known})")
    return value


def _channel_ref(value: str) -> str:
    """A channel id (C0123ABCD) or a name with or without '#'."""
    name = value.removeprefix("#")
    if not re.fullmatch(r"[a-z0-9_-]{1,80}|[CGD][A-Z0-9]{6,20}", name):
        raise ValueError(
            f"'{value}' is neither a channel name (lowercase letters, digits, '-' and '_') "
            "nor a channel id"
        )
    return value


def _emoji(value: str) -> str:
    name = value.strip(":")
    if not re.fullmatch(r"[a-z0-9_+'-]{1,64}", name):
        raise ValueError(f"'{value}' is not an emoji name such as pushpin or :pushpin:")
    return name


def _channel_pattern(value: str) -> str:
    if "{number}" not in value:
        raise ValueError(f"'{value}' must contain {{number}}, or every channel gets the same name")
    unknown = set(re.findall(r"{([^}]*)}", value)) - {"number", "service", "priority"}
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{sorted(unknown)[0]}}}: use number, service, priority"
        )
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not an IANA time zone such as Europe/Berlin") from None
    return value


def _clock_time(value: str) -> str:
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00", value):
        raise ValueError(f"'{value}' is not a time of day such as 09:00")
    return value


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"'{value}' is not a valid regular expression: {exc}") from None
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
ChatHandle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Component = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EnvName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_env_name)]
EventFilter = Annotated[str, AfterValidator(_event_filter)]
ChannelRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=81),
    AfterValidator(_channel_ref),
]
ChannelPattern = Annotated[str, StringConstraints(max_length=80), AfterValidator(_channel_pattern)]
Emoji = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_emoji)]
SlashCommand = Annotated[str, StringConstraints(pattern=r"^/[a-z0-9_-]{1,31}$")]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]
ClockTime = Annotated[str, AfterValidator(_clock_time)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Pattern = Annotated[str, StringConstraints(max_length=500), AfterValidator(_pattern)]
PriorityName = Literal["P1", "P2", "P3", "P4", "P5"]
StatuspageImpact = Literal["none", "minor", "major", "critical"]
ComponentStatusName = Literal[
    "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"
]


class Section(BaseModel):
    """Strict: YAML's loose typing ('yes' as true, 1 as a name) is refused, and so are typos."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
