"""What firehouse says in chat, as provider-neutral `Message`s. Pure: no I/O.

Every message's `text` is complete on its own (a provider that cannot lay out fields still
says everything); `title`, `fields` and `links` let a richer provider lay it out better.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from firehouse.chat.provider import Message
from firehouse.incidents.policy import LinkKind, Role

UNASSIGNED = "unassigned"


def incident_url(base_url: str, number: int) -> str:
    """The same address the API gives as an incident's `url` (incidents/schemas.py)."""
    return f"{base_url.rstrip('/')}/incidents/{number}"


@dataclass(frozen=True)
class IncidentFacts:
    """What the messages need to know, with people already turned into display names."""

    number: int
    url: str
    message: str
    priority: str
    priority_name: str
    service: str
    status: str
    description: str = ""
    commander: str | None = None
    communications_lead: str | None = None
    links: tuple[tuple[str, str, str], ...] = ()  # (kind, url, title)
    postmortem_required: bool = False
    statuspage: str = "no public incident"
    # The service directory: who knows the system, who is on call, and how to run it.
    point_people: tuple[str, ...] = ()
    on_call: tuple[str, ...] = ()
    playbook_url: str | None = None

    @property
    def priority_label(self) -> str:
        return f"{self.priority} · {self.priority_name}"


def summary(facts: IncidentFacts) -> Message:
    """The message at the top of the incident channel, edited in place as the incident changes."""
    title = f"Incident {facts.number}: {facts.message}"
    fields: tuple[tuple[str, str], ...] = (
        ("Priority", facts.priority_label),
        ("Service", facts.service),
        ("Status", facts.status),
        ("Commander", facts.commander or UNASSIGNED),
        ("Communications lead", facts.communications_lead or UNASSIGNED),
    )
    directory = (
        ("On call", ", ".join(facts.on_call)),
        ("Point-people", ", ".join(facts.point_people)),
    )
    fields += tuple((name, value) for name, value in directory if value)
    lines = [f"*{title}*", *(f"{name}: {value}" for name, value in fields)]
    if facts.description:
        lines += ["", facts.description]
    links = tuple((_link_title(kind, title_), url) for kind, url, title_ in facts.links)
    if facts.playbook_url:
        links = (("Playbook", facts.playbook_url), *links)
    lines += [f"{title_}: {url}" for title_, url in links]
    lines.append(f"Incident page: {facts.url}")
    return Message(
        text="\n".join(lines),
        title=title,
        fields=fields,
        context="Kept up to date by firehouse",
        links=(("Incident page", facts.url), *links),
    )


def handoff(*, number: int, channel_name: str, channel_url: str) -> Message:
    """The reply in the report's thread that moves the conversation to the incident channel."""
    text = (
        f"Incident {number} is declared and has its own channel: #{channel_name} {channel_url}\n"
        "Please continue there, so responders find everything about the incident in one place."
    )
    return Message(text=text, links=((f"#{channel_name}", channel_url),))


def resolution(facts: IncidentFacts, *, note: str, actor: str) -> Message:
    """The resolve post: the note, then what still needs doing after the fire is out."""
    follow_ups = [url for kind, url, _ in facts.links if kind == LinkKind.FOLLOW_UP]
    postmortems = [url for kind, url, _ in facts.links if kind == LinkKind.POSTMORTEM]
    still_open = (
        ("Follow-ups", f"{len(follow_ups)} linked" if follow_ups else "none linked yet"),
        ("Status page", facts.statuspage),
        ("Postmortem", _postmortem_state(facts, postmortems)),
    )
    lines = [
        f"*Resolved* by {actor}: {note}",
        "Still open:",
        *(f"• {name}: {value}" for name, value in still_open),
    ]
    return Message(
        text="\n".join(lines),
        title=f"Incident {facts.number} resolved",
        fields=still_open,
        links=tuple(("Postmortem", url) for url in postmortems),
    )


def announcement(
    event_type: str, change: Mapping[str, Any], facts: IncidentFacts, names: Mapping[str, str]
) -> Message | None:
    """One line for a change made anywhere; None for events that have their own message."""
    actor = _name(names, change.get("actor"))
    phrase = _ANNOUNCERS.get(event_type)
    if phrase is None:
        return None
    return Message(text=f"{phrase(change, facts, names)} — {actor}")


def _postmortem_state(facts: IncidentFacts, postmortems: list[str]) -> str:
    if postmortems:
        return "linked " + ", ".join(postmortems)
    if facts.postmortem_required:
        return f"required for {facts.priority_label}, not linked yet"
    return f"not required for {facts.priority_label}"


def _link_title(kind: str, title: str) -> str:
    if title:
        return title
    return kind.replace("_", "-").capitalize()


def _name(names: Mapping[str, str], person: object) -> str:
    key = str(person) if person else "someone"
    return names.get(key, key)


def _role(change: Mapping[str, Any]) -> str:
    try:
        return Role(str(change.get("role"))).label
    except ValueError:
        return str(change.get("role", "a role")).replace("_", " ")


def _priority(change: Mapping[str, Any], facts: IncidentFacts, _n: Mapping[str, str]) -> str:
    return f"Priority changed from {change.get('from')} to {facts.priority_label}"


def _assigned(change: Mapping[str, Any], _f: IncidentFacts, names: Mapping[str, str]) -> str:
    text = f"{_name(names, change.get('person'))} is now {_role(change)}"
    previous = change.get("previous")
    return f"{text} (was {_name(names, previous)})" if previous else text


def _removed(change: Mapping[str, Any], _f: IncidentFacts, names: Mapping[str, str]) -> str:
    return f"{_name(names, change.get('person'))} is no longer {_role(change)}"


def _note(change: Mapping[str, Any], _f: IncidentFacts, _n: Mapping[str, str]) -> str:
    return f"Timeline: {change.get('text', '')}"


def _linked(change: Mapping[str, Any], _f: IncidentFacts, _n: Mapping[str, str]) -> str:
    kind = str(change.get("link_kind", "link")).replace("_", "-")
    return f"Linked {kind}: {change.get('url', '')}"


def _acknowledged(_c: Mapping[str, Any], _f: IncidentFacts, _n: Mapping[str, str]) -> str:
    return "Acknowledged"


def _updated(change: Mapping[str, Any], _f: IncidentFacts, _n: Mapping[str, str]) -> str:
    fields = change.get("fields") or []
    return "Updated " + (", ".join(str(field) for field in fields) or "the incident")


def _as_recorded(change: Mapping[str, Any], _f: IncidentFacts, _n: Mapping[str, str]) -> str:
    """Close and reopen already read well on the timeline ("Closed: duplicate of 11")."""
    return str(change.get("text", ""))


_ANNOUNCERS = {
    "incident.priority_changed": _priority,
    "incident.role_assigned": _assigned,
    "incident.role_removed": _removed,
    "incident.timeline_entry_added": _note,
    "incident.link_added": _linked,
    "incident.acknowledged": _acknowledged,
    "incident.updated": _updated,
    "incident.closed": _as_recorded,
    "incident.reopened": _as_recorded,
}
