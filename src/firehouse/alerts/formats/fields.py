"""Reading untrusted JSON: typed accessors that name the offending field.

Field paths are written the way a sender reads their own payload: `alerts[2].labels.env`,
`payload.summary`. The whole body, when it is not even an object, is `body`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from firehouse.alerts.events import PayloadError

BODY = "body"
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")

_RFC3339 = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]+))?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})\Z"
)
_WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*\Z", re.IGNORECASE)


def at(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def item(prefix: str, index: int) -> str:
    return f"{prefix}[{index}]"


def as_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError("must be an object", field=field)
    return value


def optional_object(obj: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    value = obj.get(key)
    return {} if value is None else as_object(value, at(prefix, key))


def as_list(value: Any, field: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError("must be a list", field=field)
    return value


def optional_str(obj: dict[str, Any], key: str, prefix: str) -> str | None:
    """JSON null and absence read the same: senders write both for 'not given'."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError("must be a string", field=at(prefix, key))
    return value


def required_str(obj: dict[str, Any], key: str, prefix: str) -> str:
    value = optional_str(obj, key, prefix)
    if value is None or not value.strip():
        raise PayloadError("is required and must not be blank", field=at(prefix, key))
    return value


def optional_int(obj: dict[str, Any], key: str, prefix: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadError("must be a whole number, zero or more", field=at(prefix, key))
    return value


def string_map(value: Any, field: str) -> dict[str, str]:
    """An object whose values are all strings (labels, annotations, OpsGenie details)."""
    if value is None:
        return {}
    result: dict[str, str] = {}
    for key, entry in as_object(value, field).items():
        if not isinstance(entry, str):
            raise PayloadError("must be a string", field=at(field, key))
        result[key] = entry
    return result


def string_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    entries = as_list(value, field)
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            raise PayloadError("must be a string", field=item(field, index))
    return list(entries)


def parse_time(value: Any, field: str) -> datetime | None:
    """An RFC 3339 time with a zone, in UTC. Go's zero time (`0001-01-01T00:00:00Z`, how
    Alertmanager writes an unset endsAt) and null mean 'not given'."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError("must be an RFC 3339 time string", field=field)
    match = _RFC3339.match(value)
    if match is None:
        raise PayloadError(
            "must be an RFC 3339 time with a zone, like 2024-05-01T12:00:00Z", field=field
        )
    date, clock, fraction, zone = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    offset = "+00:00" if zone in {"Z", "z"} else f"{zone[:3]}:{zone[-2:]}"
    try:
        parsed = datetime.fromisoformat(f"{date}T{clock}.{micros}{offset}")
        if parsed.year == 1:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise PayloadError("is not a valid date and time", field=field) from None


def priority(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if value not in PRIORITIES:
        raise PayloadError("must be one of P1, P2, P3, P4, P5", field=field)
    return value


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit]


def is_web_url(text: str) -> bool:
    """Links are shown as hrefs: only http(s), never `javascript:` or `data:`."""
    return _WEB_URL.match(text) is not None
