"""OpsGenie Alert API v2: create (`POST /v2/alerts`), close and acknowledge
(`POST /v2/alerts/{identifier}/close|acknowledge?identifierType=alias|id`).

Shaped so that Alertmanager's `opsgenie_configs` and OpsGenie's own clients work unchanged.
Limits follow OpsGenie's: display text over its limit is cut, as OpsGenie cuts it (message
130, description 15,000, entity 512, source 100, user 100, note 25,000; at most 20 tags of
50 characters, at most 10 actions). The alias is an identity, and cutting it could merge two
alerts, so an alias over 512 characters is refused instead.

Mapping:
- alias → fingerprint. Without an alias the (cut) message is the alias, as in OpsGenie, so
  repeats of one message deduplicate.
- priority as given, P3 when absent (OpsGenie's default).
- details (a string → string map; Alertmanager puts the group's common labels there) →
  labels, so routing rules match on them; each tag `t` → label `tag:t` = "true" as well.
  The tag list itself is kept in details.
- description, entity, source, responders, visibleTo, actions, note, user → details.
- service: `details.service`, as Alertmanager's labels name it.
- close/acknowledge: identifierType `alias` → fingerprint = the alias; `id` (OpsGenie's
  default) → fingerprint `id:<id>`, an alert id the service looks up. `tiny` is refused:
  firehouse has no tiny ids.
"""

from __future__ import annotations

from typing import Any

from firehouse.alerts.events import Action, AlertEvent, PayloadError, Source
from firehouse.alerts.formats.fields import (
    BODY,
    as_list,
    as_object,
    item,
    optional_str,
    priority,
    string_list,
    string_map,
    truncate,
)

MESSAGE_LIMIT = 130
ALIAS_LIMIT = 512
DESCRIPTION_LIMIT = 15_000
ENTITY_LIMIT = 512
SOURCE_LIMIT = 100
USER_LIMIT = 100
NOTE_LIMIT = 25_000
TAG_LIMIT = 50
TAG_COUNT = 20
ACTION_COUNT = 10
DEFAULT_PRIORITY = "P3"
ID_PREFIX = "id:"

_TEXT_LIMITS = {"entity": ENTITY_LIMIT, "source": SOURCE_LIMIT, "user": USER_LIMIT}


def parse_create(payload: Any) -> AlertEvent:
    body = as_object(payload, BODY)
    message = optional_str(body, "message", "")
    if message is None or not message.strip():
        raise PayloadError("can not be empty", field="message")
    message = truncate(message.strip(), MESSAGE_LIMIT)
    tags = [truncate(tag, TAG_LIMIT) for tag in string_list(body.get("tags"), "tags")][:TAG_COUNT]
    labels = string_map(body.get("details"), "details")
    return AlertEvent(
        source=Source.OPSGENIE,
        action=Action.TRIGGER,
        fingerprint=_alias(body) or message,
        summary=message,
        description=truncate(optional_str(body, "description", "") or "", DESCRIPTION_LIMIT),
        priority=priority(optional_str(body, "priority", ""), "priority") or DEFAULT_PRIORITY,
        labels={**labels, **{f"tag:{tag}": "true" for tag in tags}},
        details=_create_details(body, tags),
        service=labels.get("service") or None,
        raw=body,
    )


def parse_close(identifier: str, identifier_type: str, payload: Any) -> AlertEvent:
    return _follow_up(Action.RESOLVE, identifier, identifier_type, payload)


def parse_acknowledge(identifier: str, identifier_type: str, payload: Any) -> AlertEvent:
    return _follow_up(Action.ACKNOWLEDGE, identifier, identifier_type, payload)


def _alias(body: dict[str, Any]) -> str | None:
    alias = optional_str(body, "alias", "")
    if alias is None or not alias.strip():
        return None
    if len(alias) > ALIAS_LIMIT:
        raise PayloadError(f"must be at most {ALIAS_LIMIT} characters", field="alias")
    return alias


def _create_details(body: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    details: dict[str, Any] = _texts(body)
    if tags:
        details["tags"] = tags
    actions = string_list(body.get("actions"), "actions")[:ACTION_COUNT]
    if actions:
        details["actions"] = actions
    for key in ("responders", "visibleTo"):
        recipients = _recipients(body.get(key), key)
        if recipients:
            details[key] = recipients
    return details


def _texts(body: dict[str, Any]) -> dict[str, Any]:
    texts: dict[str, Any] = {}
    for key, limit in _TEXT_LIMITS.items():
        value = optional_str(body, key, "")
        if value:
            texts[key] = truncate(value, limit)
    note = optional_str(body, "note", "")
    if note:
        texts["note"] = truncate(note, NOTE_LIMIT)
    return texts


def _recipients(value: Any, field: str) -> list[dict[str, str]]:
    """Teams, users, escalations, schedules: `{id|name|username, type}` objects."""
    if value is None:
        return []
    recipients = []
    for index, entry in enumerate(as_list(value, field)):
        recipient = string_map(entry, item(field, index))
        if not recipient.get("type"):
            raise PayloadError("is required", field=f"{item(field, index)}.type")
        recipients.append(recipient)
    return recipients


def _follow_up(action: Action, identifier: str, identifier_type: str, payload: Any) -> AlertEvent:
    body = {} if payload is None else as_object(payload, BODY)
    return AlertEvent(
        source=Source.OPSGENIE,
        action=action,
        fingerprint=_identity(identifier, identifier_type),
        details=_texts(body),
        raw=body,
    )


def _identity(identifier: str, identifier_type: str) -> str:
    if not identifier.strip():
        raise PayloadError("can not be empty", field="identifier")
    kind = identifier_type or "id"
    if kind == "alias":
        if len(identifier) > ALIAS_LIMIT:
            raise PayloadError(f"must be at most {ALIAS_LIMIT} characters", field="identifier")
        return identifier
    if kind == "id":
        return f"{ID_PREFIX}{identifier}"
    raise PayloadError("must be alias or id", field="identifierType")
