"""The public JSON, shaped exactly like Atlassian Statuspage's public API v2.

Same paths, keys and value types, so that widgets, monitors and scripts written for a
Statuspage page read firehouse's page unchanged. Pure: loaded rows in, dicts out; the
snapshot serialises them once per change, never per request.

Statuspage models a group of components as a component with `group: true` and the ids of
its members in `components`; members name it in `group_id`. firehouse does the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from firehouse.statuspage.model import Component, Maintenance, PublicIncident, PublicUpdate
from firehouse.statuspage.policy import (
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
    PageStatus,
    page_status,
)

RECENT = 50  # incidents.json and scheduled-maintenances.json list this many, as Statuspage does

_COMPONENT_SEVERITY = [
    ComponentStatus.OPERATIONAL,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
]

Json = dict[str, Any]


@dataclass(frozen=True)
class PageInfo:
    id: str
    name: str
    url: str
    updated_at: datetime
    time_zone: str = "Etc/UTC"


@dataclass(frozen=True)
class PageData:
    """Everything public, read in one transaction. Drafts are never loaded into it."""

    page: PageInfo
    now: datetime
    components: tuple[Component, ...]  # active ones, in page order
    incidents: tuple[PublicIncident, ...]  # newest first
    maintenances: tuple[Maintenance, ...]  # latest window first

    @property
    def published(self) -> list[PublicIncident]:
        """Published incidents only: a second guard, should a draft ever slip in."""
        return [incident for incident in self.incidents if incident.published_at is not None]

    @property
    def unresolved(self) -> list[PublicIncident]:
        return [i for i in self.published if not IncidentStatus(i.status).is_final]


def stamp(moment: datetime | None) -> str | None:
    """Statuspage's timestamps: ISO 8601 with milliseconds; firehouse's are all UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def group_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"group-{slug or 'components'}"


def maintenance_status(maintenance: Maintenance, now: datetime) -> MaintenanceStatus:
    """A scheduled maintenance nobody updated follows its window: in progress inside it,
    completed after it. An explicit status set by a responder always wins otherwise."""
    status = MaintenanceStatus(maintenance.status)
    if status is not MaintenanceStatus.SCHEDULED:
        return status
    if now >= maintenance.scheduled_until:
        return MaintenanceStatus.COMPLETED
    if now >= maintenance.scheduled_for:
        return MaintenanceStatus.IN_PROGRESS
    return status


def active_maintenances(data: PageData) -> list[Maintenance]:
    return [m for m in data.maintenances if maintenance_status(m, data.now).is_active]


def upcoming_maintenances(data: PageData) -> list[Maintenance]:
    upcoming = [
        m
        for m in data.maintenances
        if maintenance_status(m, data.now) is MaintenanceStatus.SCHEDULED
    ]
    return sorted(upcoming, key=lambda m: m.scheduled_for)


def component_statuses(data: PageData) -> dict[str, ComponentStatus]:
    """Each component's status as the public sees it: an operational component inside an
    active maintenance window is under maintenance; an outage always shows as the outage."""
    in_maintenance = {cid for m in active_maintenances(data) for cid in m.component_ids}
    statuses: dict[str, ComponentStatus] = {}
    for component in data.components:
        status = ComponentStatus(component.status)
        if status is ComponentStatus.OPERATIONAL and component.id in in_maintenance:
            status = ComponentStatus.UNDER_MAINTENANCE
        statuses[component.id] = status
    return statuses


def overall_status(data: PageData) -> PageStatus:
    return page_status(
        component_statuses(data).values(), (Impact(i.impact) for i in data.unresolved)
    )


def worst_status(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    return max(statuses, key=_COMPONENT_SEVERITY.index, default=ComponentStatus.OPERATIONAL)


def _component(
    data: PageData, component: Component, status: ComponentStatus, position: int, group: str | None
) -> Json:
    return {
        "id": component.id,
        "name": component.name,
        "status": status.value,
        "created_at": stamp(component.created_at),
        "updated_at": stamp(component.updated_at),
        "position": position,
        "description": component.description or None,
        "showcase": True,
        "start_date": component.created_at.date().isoformat(),
        "group_id": group,
        "page_id": data.page.id,
        "group": False,
        "only_show_if_degraded": False,
    }


def components(data: PageData) -> list[Json]:
    """Components in page order; each group appears where its first member does."""
    statuses = component_statuses(data)
    result: list[Json] = []
    groups: dict[str, Json] = {}
    members: dict[str, int] = {}
    top = 0  # positions count top-level entries; members count within their group
    for component in data.components:
        gid = group_id(component.group_name) if component.group_name else None
        if gid is None:
            top += 1
            position = top
        else:
            if gid not in groups:
                top += 1
                groups[gid] = _group(data, gid, component, top)
                result.append(groups[gid])
            members[gid] = members.get(gid, 0) + 1
            position = members[gid]
            groups[gid]["components"].append(component.id)
        result.append(_component(data, component, statuses[component.id], position, gid))
    for gid, group in groups.items():
        member_statuses = [ComponentStatus(c["status"]) for c in result if c["group_id"] == gid]
        group["status"] = worst_status(member_statuses).value
    return result


def _group(data: PageData, gid: str, first: Component, position: int) -> Json:
    return {
        "id": gid,
        "name": first.group_name,
        "status": ComponentStatus.OPERATIONAL.value,
        "created_at": stamp(first.created_at),
        "updated_at": stamp(first.updated_at),
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": data.page.id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [],
    }


def _update(update: PublicUpdate, parent_id: str) -> Json:
    return {
        "id": update.id,
        "status": update.status,
        "body": update.body,
        "incident_id": parent_id,
        "created_at": stamp(update.created_at),
        "updated_at": stamp(update.created_at),
        "display_at": stamp(update.created_at),
        "affected_components": [dict(item) for item in update.affected_components] or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def shortlink(data: PageData, item_id: str) -> str:
    return f"{data.page.url.rstrip('/')}/history#{item_id}"


def incident(data: PageData, row: PublicIncident, listed: dict[str, Json]) -> Json:
    return {
        "id": row.id,
        "name": row.name,
        "status": row.status,
        "created_at": stamp(row.created_at),
        "updated_at": stamp(row.updated_at),
        "monitoring_at": stamp(row.monitoring_at),
        "resolved_at": stamp(row.resolved_at),
        "impact": row.impact,
        "shortlink": shortlink(data, row.id),
        "started_at": stamp(row.created_at),
        "page_id": data.page.id,
        "incident_updates": [_update(update, row.id) for update in row.updates],
        "components": [listed[c.component_id] for c in row.components if c.component_id in listed],
    }


def maintenance(data: PageData, row: Maintenance, listed: dict[str, Json]) -> Json:
    return {
        "id": row.id,
        "name": row.name,
        "status": maintenance_status(row, data.now).value,
        "created_at": stamp(row.created_at),
        "updated_at": stamp(row.updated_at),
        "monitoring_at": None,
        "resolved_at": stamp(row.completed_at),
        "impact": "maintenance",
        "shortlink": shortlink(data, row.id),
        "started_at": stamp(row.started_at or row.scheduled_for),
        "page_id": data.page.id,
        "incident_updates": [_update(update, row.id) for update in row.updates],
        "components": [listed[cid] for cid in row.component_ids if cid in listed],
        "scheduled_for": stamp(row.scheduled_for),
        "scheduled_until": stamp(row.scheduled_until),
    }


def page(data: PageData) -> Json:
    return {
        "id": data.page.id,
        "name": data.page.name,
        "url": data.page.url,
        "time_zone": data.page.time_zone,
        "updated_at": stamp(data.page.updated_at),
    }


def documents(data: PageData) -> dict[str, Json]:
    """Every public JSON document, by its path under /api/v2/."""
    listed = components(data)
    by_id = {item["id"]: item for item in listed if not item["group"]}
    status = overall_status(data)
    head = {"page": page(data)}
    status_json = {"indicator": status.indicator.value, "description": status.description}
    recent = [incident(data, row, by_id) for row in data.published[:RECENT]]
    unresolved = [incident(data, row, by_id) for row in data.unresolved]
    windows = [maintenance(data, row, by_id) for row in data.maintenances[:RECENT]]
    upcoming = [maintenance(data, row, by_id) for row in upcoming_maintenances(data)]
    active = [maintenance(data, row, by_id) for row in active_maintenances(data)]
    return {
        "summary.json": {
            **head,
            "components": listed,
            "incidents": unresolved,
            "scheduled_maintenances": active + upcoming,
            "status": status_json,
        },
        "status.json": {**head, "status": status_json},
        "components.json": {**head, "components": listed},
        "incidents.json": {**head, "incidents": recent},
        "incidents/unresolved.json": {**head, "incidents": unresolved},
        "scheduled-maintenances.json": {**head, "scheduled_maintenances": windows},
        "scheduled-maintenances/upcoming.json": {**head, "scheduled_maintenances": upcoming},
        "scheduled-maintenances/active.json": {**head, "scheduled_maintenances": active},
    }
