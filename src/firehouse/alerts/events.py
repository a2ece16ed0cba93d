"""What every intake format is turned into: one normalised event per alert it carries.

Parsers (`alerts/formats/`) are pure: payload in, events out, or a `PayloadError` naming the
field. The service (`alerts/service.py`) never sees a vendor's shape, so deduplication and
routing are written once for Alertmanager, OpsGenie, PagerDuty and the generic endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    TRIGGER = "trigger"  # firing: open an alert, or count a repeat of the open one
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"  # resolved / closed: end the open alert


class Source(StrEnum):
    ALERTMANAGER = "alertmanager"
    OPSGENIE = "opsgenie"
    PAGERDUTY = "pagerduty"
    GENERIC = "generic"


@dataclass(frozen=True)
class AlertEvent:
    """One alert's news. `fingerprint` is the sender's identity of the alert (Alertmanager's
    fingerprint, OpsGenie's alias, PagerDuty's dedup_key, or a hash for the generic format);
    `scope` narrows deduplication where the sender requires it (PagerDuty's routing key)."""

    source: Source
    action: Action
    fingerprint: str
    summary: str = ""
    description: str = ""
    priority: str | None = None  # P1-P5 when the sender says (OpsGenie priority, PD severity)
    severity: str | None = None  # the sender's own word, kept as given
    labels: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # name → URL (generator, silence, …)
    service: str | None = None  # a firehouse service id, when the payload names one
    scope: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class PayloadError(ValueError):
    """A payload that cannot be taken: always the sender's fault, answered with a 4xx."""

    def __init__(self, problem: str, *, field: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.problem = problem
        self.field = field


class Outcome(StrEnum):
    CREATED = "created"  # a new alert opened
    REPEATED = "repeated"  # the open alert with this fingerprint counted once more
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    IGNORED = "ignored"  # e.g. resolve for nothing open, or under another PagerDuty key


@dataclass(frozen=True)
class IngestResult:
    outcome: Outcome
    fingerprint: str
    alert_id: int | None = None
    incident_number: int | None = None
