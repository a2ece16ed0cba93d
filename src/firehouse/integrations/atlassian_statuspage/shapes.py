"""What the mirror sends to Statuspage, and how it recognises what it sent before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from firehouse.integrations.atlassian_statuspage.client import (
    Json,
    RemoteIncident,
    StatuspageClient,
)
from firehouse.outbox.envelope import DeliveryFailed

DEFAULT_API_URL = "https://api.statuspage.io/v1/"
DEFAULT_KEY_ENV = "FIREHOUSE_ATLASSIAN_STATUSPAGE_API_KEY"
MARKER = "firehouse"  # metadata key: {"firehouse": {"public_incident_id": ...}}
# Statuspage's manage API has no `postmortem` incident status (a postmortem is separate
# there): its update is mirrored as one more update of the resolved incident.
REMOTE_STATUS = {"postmortem": "resolved"}


@dataclass(frozen=True)
class Target:
    """The subscription's settings: the `statuspage.atlassian` section, without the key."""

    page_id: str
    api_url: str
    api_key_env: str
    components: Mapping[str, str]
    notify: bool

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Target:
        page_id = str(settings.get("page_id") or "")
        if not page_id:
            raise DeliveryFailed("Atlassian Statuspage mirror: no page_id configured")
        return cls(
            page_id=page_id,
            api_url=str(settings.get("api_url") or DEFAULT_API_URL),
            api_key_env=str(settings.get("api_key_env") or DEFAULT_KEY_ENV),
            components=dict(settings.get("components") or {}),
            notify=bool(settings.get("notify_subscribers", True)),
        )


def incident_fields(target: Target, payload: Json) -> Json:
    """Name, status, impact, and the mapped components: those the incident affects
    (`component_ids`) and the public status of each that this change moved (`components`),
    so Statuspage's components follow the page's, not just this incident's claim."""
    incident = payload["incident"]
    mapped = target.components
    status = str(incident["status"])
    fields: Json = {
        "name": incident["name"],
        "status": REMOTE_STATUS.get(status, status),
        "impact_override": incident["impact"],
    }
    affected = [mapped[c["id"]] for c in incident.get("components") or [] if c.get("id") in mapped]
    if affected:
        fields["component_ids"] = list(dict.fromkeys(affected))
    moved = {
        mapped[change["id"]]: change["new_status"]
        for change in payload.get("component_changes") or []
        if change.get("id") in mapped
    }
    if moved:
        fields["components"] = moved
    return fields


def find_marked(client: StatuspageClient, incident: Json) -> RemoteIncident | None:
    """The Atlassian incident a lost create made, by the marker in its metadata: first among
    the unresolved ones, then by searching for its name."""
    for remote in client.unresolved_incidents():
        if _marked(remote, incident["id"]):
            return remote
    for remote in client.search_incidents(str(incident["name"])):
        if _marked(remote, incident["id"]):
            return remote
    return None


def landed(client: StatuspageClient, remote_id: str, fields: Json, update: Json) -> bool:
    """Did a call whose reply was lost post this update? Statuspage's newest says."""
    newest = client.get_incident(remote_id).updates[:1]
    return newest == ((fields["status"], str(update["body"])),)


def _marked(remote: RemoteIncident, public_id: str) -> bool:
    marker = remote.metadata.get(MARKER)
    return isinstance(marker, dict) and marker.get("public_incident_id") == public_id
