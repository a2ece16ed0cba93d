"""What the runbook asks of an incident, as data: the checklist items each priority carries,
how often a public update is due, when each reminder fires, and the postmortem's due date.

Pure: the defaults come from the runbook; `firehouse.yaml`'s `guidance:` section overrides
them (see firehouse.catalog.config_guidance), and `from_settings` reads what was applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# Checklist item keys, in the order the runbook takes them.
CHANNEL_CREATED = "channel_created"
COMMANDER_ASSIGNED = "commander_assigned"
STATUSPAGE_PUBLISHED = "statuspage_published"
SEVERITY_CONFIRMED = "severity_confirmed"
RESPONDERS_INVITED = "responders_invited"
STATUS_UPDATES = "status_updates"
FOLLOW_UPS_LINKED = "follow_ups_linked"
FINAL_TIMELINE_ENTRY = "final_timeline_entry"
PUBLIC_INCIDENT_RESOLVED = "public_incident_resolved"
POSTMORTEM_CREATED = "postmortem_created"
POSTMORTEM_COMPLETED = "postmortem_completed"
PLAYBOOK_UPDATED = "playbook_updated"

LABELS: dict[str, str] = {
    CHANNEL_CREATED: "Incident channel created",
    COMMANDER_ASSIGNED: "Incident commander assigned",
    STATUSPAGE_PUBLISHED: "Public status page incident published",
    SEVERITY_CONFIRMED: "Severity re-assessed and confirmed",
    RESPONDERS_INVITED: "Responders invited",
    STATUS_UPDATES: "Public updates posted at the expected cadence",
    FOLLOW_UPS_LINKED: "Follow-ups linked (or none needed)",
    FINAL_TIMELINE_ENTRY: "Final timeline entry: why the incident is resolved",
    PUBLIC_INCIDENT_RESOLVED: "Public incident resolved",
    POSTMORTEM_CREATED: "Postmortem created",
    POSTMORTEM_COMPLETED: "Postmortem completed",
    PLAYBOOK_UPDATED: "Playbooks updated with lessons (or not needed)",
}
ITEM_KEYS: tuple[str, ...] = tuple(LABELS)

_MAJOR = ITEM_KEYS  # P1 and P2 carry everything that applies to them
_MINOR = (
    COMMANDER_ASSIGNED,
    SEVERITY_CONFIRMED,
    FOLLOW_UPS_LINKED,
    FINAL_TIMELINE_ENTRY,
    PLAYBOOK_UPDATED,
)
DEFAULT_CHECKLISTS: dict[str, tuple[str, ...]] = {
    "P1": _MAJOR,
    "P2": _MAJOR,
    "P3": _MINOR,
    "P4": (FOLLOW_UPS_LINKED, FINAL_TIMELINE_ENTRY),
    "P5": (CHANNEL_CREATED, COMMANDER_ASSIGNED, FINAL_TIMELINE_ENTRY),
}

# Reminder names.
NO_COMMANDER = "no_commander"
STATUS_UPDATE_DUE = "status_update_due"
PUBLIC_INCIDENT_OPEN = "public_incident_open"
POSTMORTEM_NOT_STARTED = "postmortem_not_started"
FOLLOW_UPS_OPEN = "follow_ups_open"
REMINDERS: tuple[str, ...] = (
    NO_COMMANDER,
    STATUS_UPDATE_DUE,
    PUBLIC_INCIDENT_OPEN,
    POSTMORTEM_NOT_STARTED,
    FOLLOW_UPS_OPEN,
)

DEFAULT_NOT_AN_INCIDENT_REPLY = (
    "Thanks for raising this. It does not qualify as an incident, so it is tracked as a bug "
    "instead{bugs}. How to report bugs: {guide_url}"
)


@dataclass(frozen=True)
class ReminderRules:
    """When each nudge fires. Minutes unless the name says otherwise; 0 turns one off."""

    no_commander_minutes: int = 5
    no_commander_priorities: tuple[str, ...] = ("P1", "P2")
    public_incident_open_minutes: int = 15
    postmortem_not_started_business_days: int = 2
    follow_ups_open_days: int = 14
    # Where nudges go: the incident's channel, a direct message to the commander, or both.
    notify: tuple[str, ...] = ("channel", "commander")


@dataclass(frozen=True)
class GuidancePolicy:
    checklists: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_CHECKLISTS)
    )
    # Minutes between public updates while a public incident is open.
    status_update_minutes: Mapping[str, int] = field(default_factory=lambda: {"P1": 30, "P2": 60})
    reminders: ReminderRules = field(default_factory=ReminderRules)
    postmortem_due_business_days: int = 5
    bug_report_guide_url: str | None = None
    not_an_incident_reply: str = DEFAULT_NOT_AN_INCIDENT_REPLY
    drill_channel_prefix: str = "drill"

    def checklist_for(self, priority: str) -> tuple[str, ...]:
        return tuple(self.checklists.get(priority, ()))

    def update_every(self, priority: str) -> int | None:
        minutes = self.status_update_minutes.get(priority)
        return minutes if minutes else None


DEFAULT_GUIDANCE = GuidancePolicy()


def from_settings(value: Mapping[str, Any] | None) -> GuidancePolicy:
    """The applied `guidance:` section (as catalog.apply stores it) over the defaults."""
    if not value:
        return DEFAULT_GUIDANCE
    policy = DEFAULT_GUIDANCE
    if value.get("checklists"):
        merged = dict(policy.checklists)
        merged.update({p: tuple(keys) for p, keys in value["checklists"].items()})
        policy = replace(policy, checklists=merged)
    if value.get("status_update_minutes"):
        policy = replace(policy, status_update_minutes=dict(value["status_update_minutes"]))
    if value.get("reminders"):
        rules: dict[str, Any] = {
            key: tuple(item) if isinstance(item, list) else item
            for key, item in value["reminders"].items()
        }
        policy = replace(policy, reminders=replace(policy.reminders, **rules))
    for key in (
        "postmortem_due_business_days",
        "bug_report_guide_url",
        "not_an_incident_reply",
        "drill_channel_prefix",
    ):
        if value.get(key) is not None:
            policy = replace(policy, **{key: value[key]})
    return policy
