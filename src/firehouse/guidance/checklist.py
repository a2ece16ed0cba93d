"""The checklist's rules, without I/O: which duties an incident carries at its priority, and
which duty a timeline entry fulfils.

Every surface (API, CLI, chat, web) changes an incident through the timeline, so mapping an
entry to the item it completes is enough to tick items whatever surface acted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from firehouse.guidance import policy as guidance
from firehouse.guidance.policy import GuidancePolicy
from firehouse.incidents.policy import LinkKind, PriorityLevel, Role
from firehouse.outbox.events import EventType

OPEN = "open"
DONE = "done"
NOT_APPLICABLE = "not_applicable"
STATES: tuple[str, ...] = (OPEN, DONE, NOT_APPLICABLE)

TRAINING_LIST = "P5"  # training incidents follow the drill's short list, whatever their level

# Timeline kinds of integrations' own steps (see chat.flow_setup).
CHANNEL_CREATED_KIND = "chat.channel_created"
INVITED_KIND = "chat.invited"

STATUSPAGE_ITEMS = frozenset(
    {guidance.STATUSPAGE_PUBLISHED, guidance.STATUS_UPDATES, guidance.PUBLIC_INCIDENT_RESOLVED}
)
POSTMORTEM_ITEMS = frozenset({guidance.POSTMORTEM_CREATED, guidance.POSTMORTEM_COMPLETED})


@dataclass(frozen=True)
class Facts:
    """What about an incident decides which duties apply to it."""

    level: PriorityLevel
    training: bool = False
    private: bool = False
    # An organisation without a status page (no component configured) owes it nothing.
    statuspage_in_use: bool = True


def expects_statuspage(facts: Facts) -> bool:
    """Mirrors the status page flow: training and private incidents are never published."""
    if facts.training or facts.private or facts.level.training_only:
        return False
    if not facts.statuspage_in_use:
        return False
    return facts.level.statuspage_update_expected or facts.level.statuspage_impact != "none"


def items_for(policy: GuidancePolicy, facts: Facts) -> tuple[str, ...]:
    """The policy's list for the priority, minus the duties the level does not ask for."""
    source = TRAINING_LIST if facts.training else facts.level.priority
    keys = policy.checklist_for(source)
    keep = []
    for key in keys:
        if key in STATUSPAGE_ITEMS and not expects_statuspage(facts):
            continue
        if key in POSTMORTEM_ITEMS and not (facts.level.postmortem_required and not facts.training):
            continue
        if key in guidance.LABELS:
            keep.append(key)
    return tuple(dict.fromkeys(keep))


def position(key: str) -> int:
    """Items are shown in the runbook's order, whatever order the config lists them in."""
    return guidance.ITEM_KEYS.index(key) if key in guidance.ITEM_KEYS else len(guidance.ITEM_KEYS)


def label(key: str) -> str:
    return guidance.LABELS.get(key, key.replace("_", " ").capitalize())


# Integrations' own steps and domain events that fulfil an item by themselves.
BY_KIND: dict[str, str] = {
    CHANNEL_CREATED_KIND: guidance.CHANNEL_CREATED,
    INVITED_KIND: guidance.RESPONDERS_INVITED,
}
BY_EVENT: dict[str, str] = {
    EventType.INCIDENT_PRIORITY_CHANGED: guidance.SEVERITY_CONFIRMED,
    EventType.INCIDENT_RESOLVED: guidance.FINAL_TIMELINE_ENTRY,  # its note is the final entry
}
# Events whose data says which item: (event, data field, value) → item.
BY_DATA: dict[tuple[str, str, str], str] = {
    (EventType.INCIDENT_ROLE_ASSIGNED, "role", Role.COMMANDER): guidance.COMMANDER_ASSIGNED,
    (EventType.INCIDENT_ROLE_ASSIGNED, "role", Role.RESPONDER): guidance.RESPONDERS_INVITED,
    (EventType.INCIDENT_LINK_ADDED, "link_kind", LinkKind.FOLLOW_UP): guidance.FOLLOW_UPS_LINKED,
    (EventType.INCIDENT_LINK_ADDED, "link_kind", LinkKind.PLAYBOOK): guidance.PLAYBOOK_UPDATED,
}
DATA_FIELDS: dict[str, str] = {event: name for event, name, _ in BY_DATA}


def completed_by_entry(kind: str, event: str | None, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The items a timeline entry fulfils (none, usually)."""
    found = [BY_KIND.get(kind)]
    if event is not None:
        found.append(BY_EVENT.get(event))
        name = DATA_FIELDS.get(event)
        if name is not None:
            found.append(BY_DATA.get((event, name, str(data.get(name)))))
    return tuple(key for key in found if key is not None)


def completed_by_public_incident(*, published: bool, resolved: bool) -> tuple[str, ...]:
    """The public incident's own state: published, then resolved (which also ends the
    update cadence: nothing more is owed to the public)."""
    keys: list[str] = []
    if published:
        keys.append(guidance.STATUSPAGE_PUBLISHED)
    if resolved:
        keys += [guidance.PUBLIC_INCIDENT_RESOLVED, guidance.STATUS_UPDATES]
    return tuple(keys)


def to_remove(current: Mapping[str, str], wanted: Iterable[str]) -> list[str]:
    """On a priority change: open items the new level does not ask for go; settled ones
    (done or set aside, each with its note) stay as the record of what was done."""
    keep = set(wanted)
    return [key for key, state in current.items() if key not in keep and state == OPEN]


def to_add(current: Mapping[str, str], wanted: Iterable[str]) -> list[str]:
    return [key for key in wanted if key not in current]
