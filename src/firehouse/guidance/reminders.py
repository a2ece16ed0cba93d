"""Which nudges an incident is owed right now, from its facts alone.

Pure: the service gathers the facts, this module decides. Every reminder is a series: it
first becomes due at a start moment and again every cadence while its condition holds. The
`due_at` of a reminder is the latest point of that series not after `now`, so evaluating the
same facts twice (two workers, a retried pass, a pass after an hour of downtime) gives the
same `due_at`, and the unique key (incident, reminder, due_at) lets only one of them fire.
A catch-up after downtime therefore fires the overdue reminder once, not once per missed tick.

Snoozing until a moment skips every point of the series before it; the reminder fires again
at `until` itself (when still due then), and from there never faster than its cadence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from firehouse.guidance.policy import (
    COMMANDER_ASSIGNED,
    FOLLOW_UPS_OPEN,
    NO_COMMANDER,
    POSTMORTEM_COMPLETED,
    POSTMORTEM_NOT_STARTED,
    PUBLIC_INCIDENT_OPEN,
    PUBLIC_INCIDENT_RESOLVED,
    STATUS_UPDATE_DUE,
    GuidancePolicy,
)

SATURDAY = 5  # datetime.weekday(): Monday is 0
# A public incident in one of these states needs nothing more from responders.
PUBLIC_FINAL_STATES = frozenset({"resolved", "postmortem"})
# Checklist states that say the duty behind a reminder is settled.
SETTLED = frozenset({"done", "not_applicable"})
# Which checklist items settle which reminder, besides its own condition.
SETTLED_BY: dict[str, tuple[str, ...]] = {
    NO_COMMANDER: (COMMANDER_ASSIGNED,),
    PUBLIC_INCIDENT_OPEN: (PUBLIC_INCIDENT_RESOLVED,),
    POSTMORTEM_NOT_STARTED: (POSTMORTEM_COMPLETED,),
}


@dataclass(frozen=True)
class PublicFacts:
    """The incident's public incident: its state and when the public last heard of it."""

    status: str
    published_at: datetime | None
    last_update_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.published_at is not None and self.status not in PUBLIC_FINAL_STATES


@dataclass(frozen=True)
class IncidentFacts:
    number: int
    priority: str
    status: str
    declared_at: datetime
    resolved_at: datetime | None = None
    commander: str | None = None
    public: PublicFacts | None = None
    postmortem_required: bool = False
    postmortem_started: bool = False
    open_follow_ups: tuple[datetime, ...] = ()  # when each still-open follow-up was created
    checklist: Mapping[str, str] = field(default_factory=dict)  # item key -> state


@dataclass(frozen=True)
class Due:
    reminder: str
    due_at: datetime
    text: str


@dataclass(frozen=True)
class Series:
    """When a reminder starts being due, and how often it repeats while it stays due."""

    start: datetime
    every: timedelta
    text: str


def due_reminders(
    facts: IncidentFacts,
    policy: GuidancePolicy,
    *,
    now: datetime,
    snoozed_until: Mapping[str, datetime] | None = None,
    last_due: Mapping[str, datetime] | None = None,
) -> list[Due]:
    """The reminders due now. `last_due` is the latest `due_at` already sent per reminder:
    a reminder whose series moved (a follow-up closed, a new public update) never fires
    again sooner than its cadence after the last one."""
    snoozes = snoozed_until or {}
    sent = last_due or {}
    found: list[Due] = []
    for name, rule in RULES.items():
        series = rule(facts, policy)
        if series is None or _settled(facts, name):
            continue
        due_at = latest_point(series, now)
        if due_at is None:
            continue
        until = snoozes.get(name)
        if until is not None and due_at < until:
            if until > now:
                continue
            due_at = until
        previous = sent.get(name)
        if previous is not None and due_at < previous + series.every:
            continue
        found.append(Due(name, due_at, series.text))
    return found


def latest_point(series: Series, now: datetime) -> datetime | None:
    """The last moment of the series not after `now`; None before it starts."""
    if now < series.start:
        return None
    if series.every <= timedelta(0):
        return series.start
    steps = (now - series.start) // series.every
    return series.start + steps * series.every


def add_business_days(moment: datetime, days: int) -> datetime:
    """Monday to Friday count; a start on a weekend counts from the next Monday."""
    result = moment
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < SATURDAY:
            remaining -= 1
    return result


def _settled(facts: IncidentFacts, name: str) -> bool:
    return any(facts.checklist.get(key) in SETTLED for key in SETTLED_BY.get(name, ()))


def _no_commander(facts: IncidentFacts, policy: GuidancePolicy) -> Series | None:
    rules = policy.reminders
    minutes = rules.no_commander_minutes
    if (
        minutes <= 0
        or facts.status != "open"
        or facts.commander is not None
        or facts.priority not in rules.no_commander_priorities
    ):
        return None
    every = timedelta(minutes=minutes)
    text = (
        f"Incident {facts.number} ({facts.priority}) has no commander yet. "
        "Assign one to lead the response."
    )
    return Series(facts.declared_at + every, every, text)


def _status_update_due(facts: IncidentFacts, policy: GuidancePolicy) -> Series | None:
    public = facts.public
    minutes = policy.update_every(facts.priority)
    if facts.status != "open" or public is None or not public.is_open or not minutes:
        return None
    last = public.last_update_at or public.published_at
    assert last is not None  # noqa: S101 -- an open public incident was published
    every = timedelta(minutes=minutes)
    text = (
        f"Incident {facts.number}: the status page has had no update for {minutes} minutes. "
        "Post an update, even if nothing changed."
    )
    return Series(last + every, every, text)


def _public_incident_open(facts: IncidentFacts, policy: GuidancePolicy) -> Series | None:
    minutes = policy.reminders.public_incident_open_minutes
    public = facts.public
    if minutes <= 0 or facts.resolved_at is None or facts.status == "open":
        return None
    if public is None or not public.is_open:
        return None
    every = timedelta(minutes=minutes)
    text = (
        f"Incident {facts.number} is resolved, but its public incident is still "
        f"{public.status}. Resolve it with a final update."
    )
    return Series(facts.resolved_at + every, every, text)


def _postmortem_not_started(facts: IncidentFacts, policy: GuidancePolicy) -> Series | None:
    days = policy.reminders.postmortem_not_started_business_days
    if days <= 0 or not facts.postmortem_required or facts.postmortem_started:
        return None
    if facts.resolved_at is None or facts.status == "open":
        return None
    text = (
        f"Incident {facts.number} was resolved {days} business days ago and its postmortem "
        "has not been started."
    )
    return Series(add_business_days(facts.resolved_at, days), timedelta(days=1), text)


def _follow_ups_open(facts: IncidentFacts, policy: GuidancePolicy) -> Series | None:
    days = policy.reminders.follow_ups_open_days
    if days <= 0 or not facts.open_follow_ups:
        return None
    every = timedelta(days=days)
    oldest = min(facts.open_follow_ups)
    text = (
        f"Incident {facts.number} still has open follow-ups older than {days} days. "
        "Close them or say why they wait."
    )
    return Series(oldest + every, every, text)


RULES: dict[str, Callable[[IncidentFacts, GuidancePolicy], Series | None]] = {
    NO_COMMANDER: _no_commander,
    STATUS_UPDATE_DUE: _status_update_due,
    PUBLIC_INCIDENT_OPEN: _public_incident_open,
    POSTMORTEM_NOT_STARTED: _postmortem_not_started,
    FOLLOW_UPS_OPEN: _follow_ups_open,
}
