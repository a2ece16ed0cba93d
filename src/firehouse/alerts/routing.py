"""Routing: which rule an alert matches and what happens to it. `decide` is pure.

Rules are tried in order and the first whose match (and `during`) holds wins; when none does,
the default action applies. A match looks up each key among the alert's labels first and then
among its fields (summary, description, priority, severity, service, source, fingerprint), so
`severity: critical` matches a Prometheus label or a PagerDuty severity alike. `regex` must
match the whole value; `present` asks for a non-empty value.

Business hours are the team's of the service in question (the rule's, else the alert's); with
no team or no hours configured, it counts as within hours, so a missing setting never stops a
post. A `channel` rule with `business_hours_only` records instead of posting outside hours:
the decision already says `record`, so `test-route` shows what would really happen.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from firehouse.alerts.business_hours import BusinessHours, within
from firehouse.alerts.events import AlertEvent
from firehouse.catalog.model import OrganisationSetting

SETTING = "alerts.routing"
DEFAULT_PRIORITY = "P3"
ACTIONS = ("incident", "channel", "record", "drop")
DURINGS = ("always", "business_hours", "outside_business_hours")


@dataclass(frozen=True)
class Match:
    labels: Mapping[str, str] = field(default_factory=dict)
    regex: Mapping[str, str] = field(default_factory=dict)
    present: tuple[str, ...] = ()
    source: str | None = None

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any]) -> Match:
        return cls(
            labels={str(k): str(v) for k, v in (value.get("labels") or {}).items()},
            regex={str(k): str(v) for k, v in (value.get("regex") or {}).items()},
            present=tuple(str(name) for name in value.get("present") or ()),
            source=value.get("source"),
        )

    def is_empty(self) -> bool:
        return not (self.labels or self.regex or self.present or self.source)


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    match: Match = field(default_factory=Match)
    during: str = "always"
    priority: str | None = None
    service: str | None = None
    business_hours_only: bool = False


@dataclass(frozen=True)
class RoutingRules:
    rules: tuple[Rule, ...] = ()
    default: str = "record"
    business_hours: Mapping[str, BusinessHours] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """`rule` None means the default applied. `priority` is set for `incident` only."""

    rule: str | None
    action: str
    priority: str | None
    service: str | None
    business_hours_only: bool
    reason: str
    in_business_hours: bool = True
    team: str | None = None


def decide(
    rules: RoutingRules,
    event: AlertEvent,
    *,
    now: datetime,
    business_hours: Mapping[str, BusinessHours],
    service_team: Mapping[str, str | None],
) -> Decision:
    for rule in rules.rules:
        if not matches(rule.match, event):
            continue
        service = rule.service or event.service
        team = service_team.get(service) if service else None
        at_work = within(business_hours.get(team) if team else None, now)
        if not _during(rule.during, at_work):
            continue
        return _decision(rule, event, service=service, team=team, at_work=at_work)
    team = service_team.get(event.service) if event.service else None
    at_work = within(business_hours.get(team) if team else None, now)
    return Decision(
        rule=None,
        action=rules.default,
        priority=None,
        service=event.service,
        business_hours_only=False,
        reason=f"no rule matched: the default ({rules.default})",
        in_business_hours=at_work,
        team=team,
    )


def _decision(
    rule: Rule, event: AlertEvent, *, service: str | None, team: str | None, at_work: bool
) -> Decision:
    action = rule.action
    reason = f"rule '{rule.name}' matched: {action}"
    if action == "channel" and rule.business_hours_only and not at_work:
        action = "record"
        reason = f"rule '{rule.name}' matched: outside business hours, recorded instead of posted"
    priority = (
        (rule.priority or event.priority or DEFAULT_PRIORITY) if action == "incident" else None
    )
    return Decision(
        rule=rule.name,
        action=action,
        priority=priority,
        service=service,
        business_hours_only=rule.business_hours_only,
        reason=reason,
        in_business_hours=at_work,
        team=team,
    )


def _during(during: str, at_work: bool) -> bool:
    if during == "business_hours":
        return at_work
    if during == "outside_business_hours":
        return not at_work
    return True


def matches(match: Match, event: AlertEvent) -> bool:
    """Every condition holds (an empty match holds for every alert)."""
    if match.source is not None and match.source != event.source.value:
        return False
    if any(value_of(event, name) != expected for name, expected in match.labels.items()):
        return False
    for name, pattern in match.regex.items():
        value = value_of(event, name)
        if value is None or _compiled(pattern).fullmatch(value) is None:
            return False
    return all(value_of(event, name) for name in match.present)


def value_of(event: AlertEvent, name: str) -> str | None:
    """A label, else a field of the alert by that name; None when it has neither."""
    if name in event.labels:
        return str(event.labels[name])
    fields = {
        "summary": event.summary,
        "description": event.description,
        "priority": event.priority,
        "severity": event.severity,
        "service": event.service,
        "source": event.source.value,
        "fingerprint": event.fingerprint,
    }
    value = fields.get(name)
    return None if value is None else str(value)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def rules_from_mapping(value: Mapping[str, Any]) -> RoutingRules:
    """As `config apply` stores them: RoutingConfig.model_dump() plus the teams' hours."""
    rules = tuple(
        Rule(
            name=str(rule["name"]),
            action=str(rule["action"]),
            match=Match.from_mapping(rule.get("match") or {}),
            during=str(rule.get("during") or "always"),
            priority=rule.get("priority"),
            service=rule.get("service"),
            business_hours_only=bool(rule.get("business_hours_only", False)),
        )
        for rule in value.get("rules") or ()
    )
    hours = {
        str(team): BusinessHours.from_mapping(setting)
        for team, setting in (value.get("business_hours") or {}).items()
    }
    return RoutingRules(
        rules=rules, default=str(value.get("default") or "record"), business_hours=hours
    )


def load_rules(session: Session) -> RoutingRules:
    """The rules `config apply` stored last; none stored means record everything."""
    row = session.get(OrganisationSetting, SETTING)
    if row is None or not isinstance(row.value, Mapping):
        return RoutingRules()
    return rules_from_mapping(row.value)
