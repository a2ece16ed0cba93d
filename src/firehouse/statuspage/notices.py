"""What a status page event tells subscribers: pure, from the event's payload alone.

The payloads are built by firehouse.statuspage.events and hold only what the public page
shows. A notice is made for:
- a public incident's new update (incident_published, incident_updated with an `update`),
  never for a draft (no `published_at`) and never for a change without an update message;
- a maintenance's new update (maintenance_scheduled, maintenance_updated);
- a component whose status changed (component_changed).
The webhook part follows Statuspage's subscriber webhooks: `incident` (maintenances too, as
Statuspage sends them) or `component_update` + `component`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from firehouse.statuspage.ids import page_id

Json = dict[str, Any]

NOTIFYING = frozenset(
    {
        "statuspage.incident_published",
        "statuspage.incident_updated",
        "statuspage.component_changed",
        "statuspage.maintenance_scheduled",
        "statuspage.maintenance_updated",
    }
)


@dataclass(frozen=True)
class Notice:
    title: str
    lines: tuple[str, ...]
    component_ids: frozenset[str]
    link: str | None
    page_name: str | None = None
    webhook: Json = field(default_factory=dict)  # the event part of the webhook body
    page: Json = field(default_factory=dict)


def human(status: str | None) -> str:
    """`partial_outage` → `Partial outage`."""
    return (status or "unknown").replace("_", " ").capitalize()


def wants(component_ids: list[str], notice: Notice) -> bool:
    """No filter takes everything; a notice naming no component concerns the whole page."""
    if not component_ids or not notice.component_ids:
        return True
    return bool(notice.component_ids.intersection(component_ids))


def notice_of(event_type: str, payload: Json) -> Notice | None:
    if event_type not in NOTIFYING:
        return None
    page = _dict(payload.get("page"))
    incident = payload.get("incident")
    if isinstance(incident, dict):
        return _incident(incident, payload, page, scheduled=False)
    maintenance = payload.get("maintenance")
    if isinstance(maintenance, dict):
        return _incident(maintenance, payload, page, scheduled=True)
    component = payload.get("component")
    if isinstance(component, dict):
        return _component(component, payload, page)
    return None


def page_part(page: Json) -> Json:
    """Statuspage's `page` object. The id is the public page's (derived from its address, as
    the JSON API derives it) unless the payload names one."""
    url = str(page.get("url") or "").rstrip("/")
    return {
        "id": page.get("id") or (page_id(url) if url else None),
        "status_indicator": page.get("status_indicator"),
        "status_description": page.get("status_description"),
    }


def _dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _latest_update(item: Json, payload: Json) -> Json:
    update = payload.get("update")
    if isinstance(update, dict):
        return update
    listed = [u for u in item.get("incident_updates") or [] if isinstance(u, dict)]
    return listed[0] if listed else {}


def _incident(item: Json, payload: Json, page: Json, *, scheduled: bool) -> Notice | None:
    if not scheduled and "published_at" in item and not item["published_at"]:
        return None  # a draft: the public has not seen it, so subscribers hear nothing
    update = _latest_update(item, payload)
    if not update.get("body"):
        return None  # a change of fields without an update message has nothing to tell
    components = [c for c in item.get("components") or [] if isinstance(c, dict)]
    lines = [f"{human(update.get('status') or item.get('status'))} - {update['body']}"]
    if update.get("created_at"):
        lines.append(str(update["created_at"]))
    if scheduled:
        lines.append(
            f"Scheduled for {item.get('scheduled_for')} until {item.get('scheduled_until')}"
        )
    if components:
        named = ", ".join(f"{c.get('name')} ({human(c.get('status')).lower()})" for c in components)
        lines.append(f"Affected components: {named}")
    link = item.get("shortlink") or _shortlink(page, item)
    body = {
        "shortlink": link,
        **item,
        "incident_updates": [{**update, "incident_id": item.get("id")}],
    }
    return Notice(
        title=("Scheduled maintenance: " if scheduled else "") + str(item.get("name", "")),
        lines=tuple(lines),
        component_ids=frozenset(str(c.get("id")) for c in components),
        link=link,
        page_name=page.get("name"),
        webhook={"incident": body},
        page=page_part(page),
    )


def _component(component: Json, payload: Json, page: Json) -> Notice | None:
    component_id = str(component.get("id"))
    change = _dict(payload.get("component_update")) or next(
        (c for c in payload.get("component_changes") or [] if _dict(c).get("id") == component_id),
        {},
    )
    new = change.get("new_status") or component.get("status")
    old = change.get("old_status")
    if old == new:
        return None
    created_at = change.get("created_at") or component.get("updated_at")
    name = str(component.get("name", ""))
    lines = [
        f"{name} is now {human(new).lower()}" + (f" (was {human(old).lower()})." if old else ".")
    ]
    if created_at:
        lines.append(str(created_at))
    update = {
        "id": change.get("id") if "component_id" in change else f"{component_id}.{created_at}",
        "component_id": component_id,
        "old_status": old,
        "new_status": new,
        "created_at": created_at,
    }
    return Notice(
        title=f"{name} is {human(new).lower()}",
        lines=tuple(lines),
        component_ids=frozenset({component_id}),
        link=None,
        page_name=page.get("name"),
        webhook={"component_update": update, "component": component},
        page=page_part(page),
    )


def _shortlink(page: Json, item: Json) -> str | None:
    url = page.get("url")
    return f"{str(url).rstrip('/')}/history#{item.get('id')}" if url else None
