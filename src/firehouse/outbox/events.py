"""Domain events: what happened, named once, carried by the outbox to integrations."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    INCIDENT_DECLARED = "incident.declared"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_PRIORITY_CHANGED = "incident.priority_changed"
    INCIDENT_ACKNOWLEDGED = "incident.acknowledged"
    INCIDENT_ROLE_ASSIGNED = "incident.role_assigned"
    INCIDENT_ROLE_REMOVED = "incident.role_removed"
    INCIDENT_TIMELINE_ENTRY_ADDED = "incident.timeline_entry_added"
    INCIDENT_LINK_ADDED = "incident.link_added"
    INCIDENT_RESOLVED = "incident.resolved"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_REOPENED = "incident.reopened"
    # The public status page: only what the public may see (see firehouse.statuspage.events).
    STATUSPAGE_INCIDENT_PUBLISHED = "statuspage.incident_published"
    STATUSPAGE_INCIDENT_UPDATED = "statuspage.incident_updated"
    STATUSPAGE_COMPONENT_CHANGED = "statuspage.component_changed"
    STATUSPAGE_MAINTENANCE_SCHEDULED = "statuspage.maintenance_scheduled"
    STATUSPAGE_MAINTENANCE_UPDATED = "statuspage.maintenance_updated"
    # Alerts routed to the alerts channel, and the end of those alerts (see firehouse.alerts).
    ALERT_ROUTED_TO_CHANNEL = "alert.channel"
    ALERT_RESOLVED = "alert.resolved"
    # Paging (see firehouse.oncall): a page was raised, a step notified people, someone
    # acknowledged, or every step ran with no answer.
    PAGE_TRIGGERED = "page.triggered"
    PAGE_ESCALATED = "page.escalated"
    PAGE_ACKNOWLEDGED = "page.acknowledged"
    PAGE_EXHAUSTED = "page.exhausted"
    # Guidance (see firehouse.guidance): a checklist item done or set aside, a postmortem's
    # state, a follow-up created or changed in its tracker.
    CHECKLIST_ITEM_CHANGED = "checklist.item_changed"
    POSTMORTEM_CHANGED = "postmortem.changed"
    FOLLOW_UP_CHANGED = "follow_up.changed"


@dataclass(frozen=True)
class DomainEvent:
    """`stream` orders delivery: events of one stream (one incident) arrive in order."""

    type: EventType
    stream: str
    data: dict[str, Any] = field(default_factory=dict)


def subscribes_to(event_types: list[str], event_type: str) -> bool:
    """An empty filter takes everything; `incident.*` takes a whole family."""
    if not event_types:
        return True
    family = event_type.split(".", 1)[0] + ".*"
    return event_type in event_types or family in event_types or "*" in event_types
