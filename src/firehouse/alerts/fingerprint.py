"""The identity of an alert: what makes two deliveries the same alert, and the key that keeps
at most one of them open.

Senders name their alerts (Alertmanager's fingerprint, OpsGenie's alias, PagerDuty's
dedup_key); the generic endpoint's alerts are named here from their identity fields. The open
key joins the source, the scope (PagerDuty's routing key) and the fingerprint: a UNIQUE column
holding it while the alert is open, NULL once resolved, is what makes "one alert per open
fingerprint" hold under concurrent deliveries on both databases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

MAX_FINGERPRINT = 255
MAX_SCOPE = 100
ID_PREFIX = "id:"  # OpsGenie's identifierType=id: the fingerprint is firehouse's alert id


def identity_fingerprint(fields: Mapping[str, Any]) -> str:
    """A stable name for an alert from the fields that identify it (key order does not
    matter; values are compared as JSON). 32 hex digits: collisions are not a concern."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def bounded(value: str, limit: int) -> str:
    """A sender's id that fits its column: long ones are replaced by their hash, never cut,
    because two ids sharing their first 255 characters are still two alerts."""
    if len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def open_key(source: str, scope: str, fingerprint: str) -> str:
    return f"{source}:{bounded(scope, MAX_SCOPE)}:{bounded(fingerprint, MAX_FINGERPRINT)}"


def is_id_reference(fingerprint: str) -> bool:
    return fingerprint.startswith(ID_PREFIX)


def referenced_alert_id(fingerprint: str) -> int | None:
    """The alert id an "id:<n>" fingerprint addresses; None when it names no valid id (which
    then matches no alert)."""
    digits = fingerprint.removeprefix(ID_PREFIX).strip()
    return int(digits) if digits.isdigit() and len(digits) < 19 else None
