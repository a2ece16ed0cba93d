"""The state behind the Atlassian Statuspage emulator: one page's components and incidents,
and what each manage API route does to them, with Statuspage's shapes and 4xx answers."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
IMPACTS = ("none", "minor", "major", "critical", "maintenance")
COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)
IMPACT_OF = {
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any


def _id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _invalid(message: str) -> Reply:
    return Reply(422, {"error": [message]})


class Page:
    def __init__(self, page_id: str) -> None:
        self.id = page_id
        self.components: dict[str, Json] = {}
        self.incidents: dict[str, Json] = {}

    def add_component(self, component_id: str, name: str) -> Json:
        now = _now()
        component = {
            "id": component_id,
            "page_id": self.id,
            "group_id": None,
            "created_at": now,
            "updated_at": now,
            "group": False,
            "name": name,
            "description": None,
            "position": len(self.components) + 1,
            "status": "operational",
            "showcase": True,
            "only_show_if_degraded": False,
            "automation_email": f"component+{component_id}@notifications.statuspage.io",
            "start_date": None,
        }
        self.components[component_id] = component
        return component

    def call(self, route: str, params: dict[str, str], query: Json, body: Json) -> Reply:
        if route == "create_incident":
            return self._create(body.get("incident"))
        if route == "list_incidents":
            return Reply(200, self._search(str(query.get("q") or ""), int(query.get("limit", 100))))
        if route == "unresolved_incidents":
            return Reply(200, [i for i in self._newest_first() if i["status"] != "resolved"])
        if route == "update_component":
            return self._set_component(params["id"], body.get("component"))
        incident = self.incidents.get(params.get("id", ""))
        if incident is None:
            return Reply(404, {"error": "The requested resource could not be found."})
        return Reply(200, incident) if route == "get_incident" else self._patch(incident, body)

    # incidents -------------------------------------------------------------------------------
    def _create(self, fields: Any) -> Reply:
        if not isinstance(fields, dict):
            return Reply(400, {"error": "incident is missing"})
        if not str(fields.get("name") or "").strip():
            return _invalid("Name can't be blank")
        now = _now()
        incident: Json = {
            "id": _id(),
            "components": [],
            "created_at": now,
            "impact": "none",
            "impact_override": None,
            "incident_updates": [],
            "metadata": {},
            "monitoring_at": None,
            "name": "",
            "page_id": self.id,
            "postmortem_body": None,
            "resolved_at": None,
            "shortlink": f"https://stspg.io/{_id()[:8]}",
            "started_at": now,
            "status": "investigating",
            "updated_at": now,
        }
        problem = self._apply(incident, {"status": "investigating", **fields}, created=True)
        if problem is not None:
            return problem
        self.incidents[incident["id"]] = incident
        return Reply(201, incident)

    def _patch(self, incident: Json, body: Json) -> Reply:
        fields = body.get("incident")
        if not isinstance(fields, dict):
            return Reply(400, {"error": "incident is missing"})
        problem = self._apply(incident, fields, created=False)
        return problem or Reply(200, incident)

    def _apply(self, incident: Json, fields: Json, *, created: bool) -> Reply | None:
        problem = self._check(fields)
        if problem is not None:
            return problem
        now = _now()
        old_status = incident["status"]
        for key in ("name", "status", "impact_override", "metadata"):
            if key in fields:
                incident[key] = fields[key]
        affected = self._set_components(fields.get("components") or {}, now)
        ids = fields.get("component_ids")
        if ids is None and fields.get("components"):
            ids = list(fields["components"])
        if ids is not None:
            incident["components"] = [dict(self.components[cid]) for cid in ids]
        incident["impact"] = incident["impact_override"] or self._impact(incident)
        incident["updated_at"] = now
        if incident["status"] == "monitoring" and incident["monitoring_at"] is None:
            incident["monitoring_at"] = now
        if incident["status"] == "resolved" and incident["resolved_at"] is None:
            incident["resolved_at"] = now
        if created or "body" in fields or incident["status"] != old_status:
            incident["incident_updates"].insert(0, self._update(incident, fields, affected, now))
        return None

    def _check(self, fields: Json) -> Reply | None:
        if "name" in fields and not str(fields["name"] or "").strip():
            return _invalid("Name can't be blank")
        if "status" in fields and fields["status"] not in INCIDENT_STATUSES:
            return _invalid(f"Status is not included in the list: {fields['status']}")
        if fields.get("impact_override") not in (None, *IMPACTS):
            return _invalid("Impact override is not included in the list")
        metadata = fields.get("metadata")
        if metadata is not None and (
            not isinstance(metadata, dict)
            or not all(isinstance(v, dict) for v in metadata.values())
        ):
            return _invalid("Metadata top-level values must be objects")
        return self._check_components(fields)

    def _check_components(self, fields: Json) -> Reply | None:
        components = fields.get("components") or {}
        for cid in [*components, *(fields.get("component_ids") or [])]:
            if cid not in self.components:
                return Reply(404, {"error": f"Component {cid} could not be found"})
        for status in components.values():
            if status not in COMPONENT_STATUSES:
                return _invalid(f"Component status is not included in the list: {status}")
        return None

    def _update(self, incident: Json, fields: Json, affected: list[Json], now: str) -> Json:
        return {
            "id": _id(),
            "incident_id": incident["id"],
            "affected_components": affected or None,
            "body": str(fields.get("body") or ""),
            "created_at": now,
            "custom_tweet": None,
            "deliver_notifications": bool(fields.get("deliver_notifications", True)),
            "display_at": now,
            "status": incident["status"],
            "tweet_id": None,
            "twitter_updated_at": None,
            "updated_at": now,
            "wants_twitter_update": False,
        }

    def _impact(self, incident: Json) -> str:
        statuses = [self.components[c["id"]]["status"] for c in incident["components"]]
        ranked = [IMPACT_OF[s] for s in statuses if s in IMPACT_OF]
        order = ("none", "minor", "major", "critical")
        return max(ranked, key=order.index, default="none")

    def _search(self, text: str, limit: int) -> list[Json]:
        needle = text.lower()

        def matches(incident: Json) -> bool:
            bodies = " ".join(u["body"] for u in incident["incident_updates"])
            return needle in f"{incident['name']} {incident['status']} {bodies}".lower()

        return [i for i in self._newest_first() if matches(i)][: max(1, min(limit, 100))]

    def _newest_first(self) -> list[Json]:
        return list(reversed(self.incidents.values()))

    # components ------------------------------------------------------------------------------
    def _set_components(self, statuses: dict[str, str], now: str) -> list[Json]:
        affected = []
        for cid, status in statuses.items():
            component = self.components[cid]
            if component["status"] != status:
                affected.append(
                    {
                        "code": cid,
                        "name": component["name"],
                        "old_status": component["status"],
                        "new_status": status,
                    }
                )
                component["status"] = status
                component["updated_at"] = now
        return affected

    def _set_component(self, component_id: str, fields: Any) -> Reply:
        component = self.components.get(component_id)
        if component is None:
            return Reply(404, {"error": "The requested resource could not be found."})
        status = fields.get("status") if isinstance(fields, dict) else None
        if status not in COMPONENT_STATUSES:
            return _invalid(f"Status is not included in the list: {status}")
        self._set_components({component_id: status}, _now())
        return Reply(200, component)
