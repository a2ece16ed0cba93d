"""PagerDuty Events API v2 (`POST /v2/enqueue`): trigger, acknowledge, resolve.

PagerDuty answers an invalid event with 400 and every problem at once:
`{"status": "invalid event", "message": "Event object is invalid", "errors": [...]}`. So this
parser collects all problems and raises `InvalidEvent` (a `PayloadError`) whose `errors` are
written as PagerDuty writes them, e.g. "'payload.summary' is missing or blank".

Mapping:
- dedup_key → fingerprint; a trigger without one gets a fresh 32-hex-digit key (PagerDuty
  generates a UUID), which the response must echo. scope = routing_key: PagerDuty applies
  acknowledge/resolve only under the routing key that triggered.
- severity → priority: critical P1, error P2, warning P3, info P4.
- labels: `source`, `severity`, and `component`, `group`, `class` when given, so routing
  rules match on them; custom_details, images, client → details.
- summary over 1,024 characters is cut, as PagerDuty cuts it; a dedup_key over 255 is refused.
- links: `links[].href` named by their `text`, and `client_url` named by `client`; only
  http(s) URLs are kept.
- raw: the event without its routing_key, which may be a credential.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from firehouse.alerts.events import Action, AlertEvent, PayloadError, Source
from firehouse.alerts.formats.fields import BODY, as_object, is_web_url, parse_time, truncate

ROUTING_KEY_LENGTH = 32
DEDUP_KEY_LIMIT = 255
SUMMARY_LIMIT = 1024
SEVERITY_PRIORITY = {"critical": "P1", "error": "P2", "warning": "P3", "info": "P4"}
_ACTIONS = {action.value: action for action in Action}


class InvalidEvent(PayloadError):
    """Every problem with one event, in PagerDuty's words; the first is the PayloadError's."""

    def __init__(self, problems: Sequence[PayloadError]) -> None:
        super().__init__(problems[0].problem, field=problems[0].field)
        self.errors = tuple(problem.problem for problem in problems)


def new_dedup_key() -> str:
    return uuid.uuid4().hex


def parse(payload: Any, *, new_key: Callable[[], str] = new_dedup_key) -> AlertEvent:
    event = as_object(payload, BODY)
    problems: list[PayloadError] = []
    routing_key = _routing_key(event, problems)
    action = _action(event, problems)
    dedup_key = _dedup_key(event, action, problems)
    body = _trigger_body(event, problems) if action is Action.TRIGGER else {}
    links, context = _context(event, problems)
    if action is None or problems:  # a missing or unknown action is always among problems
        raise InvalidEvent(problems)
    return AlertEvent(
        source=Source.PAGERDUTY,
        action=action,
        fingerprint=dedup_key or new_key(),
        scope=routing_key,
        links=links,
        details={**body.pop("details", {}), **context},
        raw={key: value for key, value in event.items() if key != "routing_key"},
        **body,
    )


def _problem(field: str, problem: str) -> PayloadError:
    return PayloadError(problem, field=field)


def _text(obj: dict[str, Any], key: str, field: str, problems: list[PayloadError]) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    problems.append(_problem(field, f"'{field}' must be a string"))
    return None


def _required(
    obj: dict[str, Any], key: str, field: str, problems: list[PayloadError]
) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(_problem(field, f"'{field}' is missing or blank"))
        return None
    return _text(obj, key, field, problems)


def _routing_key(event: dict[str, Any], problems: list[PayloadError]) -> str:
    key = _required(event, "routing_key", "routing_key", problems)
    if key is not None and len(key) != ROUTING_KEY_LENGTH:
        problems.append(
            _problem(
                "routing_key",
                f"Length of 'routing_key' is incorrect (should be {ROUTING_KEY_LENGTH} characters)",
            )
        )
    return key or ""


def _action(event: dict[str, Any], problems: list[PayloadError]) -> Action | None:
    word = _required(event, "event_action", "event_action", problems)
    if word is None:
        return None
    if word not in _ACTIONS:
        problems.append(
            _problem(
                "event_action",
                "'event_action' is invalid (must be one of the following: 'trigger', "
                "'acknowledge' or 'resolve')",
            )
        )
        return None
    return _ACTIONS[word]


def _dedup_key(
    event: dict[str, Any], action: Action | None, problems: list[PayloadError]
) -> str | None:
    if action in {Action.ACKNOWLEDGE, Action.RESOLVE}:
        key = _required(event, "dedup_key", "dedup_key", problems)
    else:
        key = _text(event, "dedup_key", "dedup_key", problems)
    if key is not None and len(key) > DEDUP_KEY_LIMIT:
        problems.append(
            _problem(
                "dedup_key", f"'dedup_key' is too long (maximum is {DEDUP_KEY_LIMIT} characters)"
            )
        )
    return key or None


def _trigger_body(event: dict[str, Any], problems: list[PayloadError]) -> dict[str, Any]:
    payload = event.get("payload")
    if not isinstance(payload, dict):
        problems.append(_problem("payload", "'payload' is missing or is not an object"))
        return {}
    summary = _required(payload, "summary", "payload.summary", problems) or ""
    source = _required(payload, "source", "payload.source", problems) or ""
    severity = _severity(payload, problems)
    labels = {"source": source, "severity": severity or ""}
    for key in ("component", "group", "class"):
        value = _text(payload, key, f"payload.{key}", problems)
        if value:
            labels[key] = value
    details: dict[str, Any] = {}
    if payload.get("custom_details") is not None:
        details["custom_details"] = payload["custom_details"]
    return {
        "summary": truncate(summary, SUMMARY_LIMIT),
        "severity": severity,
        "priority": SEVERITY_PRIORITY.get(severity or ""),
        "labels": labels,
        "details": details,
        "starts_at": _timestamp(payload, problems),
    }


def _severity(payload: dict[str, Any], problems: list[PayloadError]) -> str | None:
    severity = _required(payload, "severity", "payload.severity", problems)
    if severity is not None and severity not in SEVERITY_PRIORITY:
        problems.append(
            _problem(
                "payload.severity",
                "'payload.severity' is invalid (must be one of the following: 'critical', "
                "'warning', 'error' or 'info')",
            )
        )
        return None
    return severity


def _timestamp(payload: dict[str, Any], problems: list[PayloadError]) -> datetime | None:
    try:
        return parse_time(payload.get("timestamp"), "payload.timestamp")
    except PayloadError:
        problems.append(
            _problem(
                "payload.timestamp",
                "'payload.timestamp' is invalid (must be an ISO 8601 time with a zone)",
            )
        )
        return None


def _context(
    event: dict[str, Any], problems: list[PayloadError]
) -> tuple[dict[str, str], dict[str, Any]]:
    """links, images and client: context for the responder, read on every action."""
    links = _links(event, problems)
    client = _text(event, "client", "client", problems)
    client_url = _text(event, "client_url", "client_url", problems)
    if client_url and is_web_url(client_url):
        links.setdefault(client or "client", client_url)
    images = _objects(event, "images", "src", problems)
    context = {"client": client, "images": images}
    return links, {key: value for key, value in context.items() if value}


def _links(event: dict[str, Any], problems: list[PayloadError]) -> dict[str, str]:
    links: dict[str, str] = {}
    for index, link in enumerate(_objects(event, "links", "href", problems)):
        href = link["href"]
        if not is_web_url(href):
            continue
        name = link.get("text") if isinstance(link.get("text"), str) else None
        name = name or href
        if name in links:
            name = f"{name} ({index + 1})"
        links[name] = href
    return links


def _objects(
    event: dict[str, Any], key: str, required: str, problems: list[PayloadError]
) -> list[dict[str, Any]]:
    """A list of objects each holding a string `required` (links' href, images' src)."""
    value = event.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_problem(key, f"'{key}' must be a list"))
        return []
    kept = []
    for index, entry in enumerate(value):
        field = f"{key}[{index}].{required}"
        if not isinstance(entry, dict):
            problems.append(_problem(f"{key}[{index}]", f"'{key}[{index}]' must be an object"))
        elif _required(entry, required, field, problems) is not None:
            kept.append(entry)
    return kept
