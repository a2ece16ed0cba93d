"""The `atlassian_statuspage` outbox subscription kind: mirror the status page to Statuspage.

`config apply` subscribes it to every `statuspage.*` event when `statuspage.atlassian` is
configured. Events arrive in order (they share the `statuspage` stream), at least once:
- `incident_published`: create the Atlassian incident, once. A create whose reply was lost
  is found again on retry by the marker in its metadata
  (`{"firehouse": {"public_incident_id": ...}}`) and adopted rather than created twice.
- `incident_updated`: PATCH name, status, impact and component statuses, with the update's
  text as a new Atlassian update. An update already sent is not sent again; one whose reply
  was lost is compared with Statuspage's newest update before being resent.
- `component_changed`, `maintenance_*`: PATCH each mapped component whose status moved.
Only components listed in `statuspage.atlassian.components` are mirrored; others are ignored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

import httpx

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.integrations.atlassian_statuspage import links
from firehouse.integrations.atlassian_statuspage.client import (
    Json,
    Pacer,
    StatuspageClient,
    StatuspageError,
)
from firehouse.integrations.atlassian_statuspage.shapes import (
    MARKER,
    Target,
    find_marked,
    incident_fields,
    landed,
)
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.events import EventType

log = logging.getLogger(__name__)

KIND = "atlassian_statuspage"
SUBSCRIPTION = "atlassian-statuspage"
INCIDENT_EVENTS = frozenset(
    {EventType.STATUSPAGE_INCIDENT_PUBLISHED, EventType.STATUSPAGE_INCIDENT_UPDATED}
)
FINAL_STATUSES = frozenset({"resolved", "postmortem"})
# A call whose reply was lost may still be on its way (Statuspage slow, the client timed out).
# Looking for its effect before then would miss it and send it twice, so the check waits.
IN_FLIGHT_GRACE = timedelta(seconds=30)


class AtlassianMirror:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        http: httpx.Client,
        *,
        environ: Mapping[str, str] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.http = http
        self.environ = os.environ if environ is None else environ
        self.pacer = pacer or Pacer()

    def __call__(self, envelope: Envelope) -> None:
        target = Target.of(envelope.settings)
        client = StatuspageClient(
            self.http,
            api_url=target.api_url,
            page_id=target.page_id,
            api_key=self._key(target),
            clock=self.clock,
            pacer=self.pacer,
        )
        try:
            if envelope.event_type in INCIDENT_EVENTS:
                self._incident(client, target, envelope)
            else:
                self._components(client, target, envelope.payload)
        except StatuspageError as exc:
            raise DeliveryFailed(str(exc), retry_after=exc.retry_after) from None

    def _key(self, target: Target) -> str:
        """Read at each delivery, so rotating the key needs no restart; never stored."""
        key = self.environ.get(target.api_key_env, "")
        if not key:
            raise DeliveryFailed(
                f"Atlassian Statuspage mirror: environment variable {target.api_key_env} "
                "holding the API key is not set or empty"
            )
        return key

    # incidents -------------------------------------------------------------------------------
    def _incident(self, client: StatuspageClient, target: Target, envelope: Envelope) -> None:
        incident = envelope.payload["incident"]
        link = links.find(self.db, target.page_id, str(incident["id"]))
        if link is not None and link.atlassian_incident_id is not None:
            if link.last_event_id is not None and envelope.event_id <= link.last_event_id:
                return  # mirrored already, or older than what is: sending it would undo that
            self._update(client, target, envelope, link)
        elif link is None and incident.get("status") in FINAL_STATUSES:
            log.info("public incident %s ended before it was mirrored; skipped", incident["id"])
        else:
            self._create(client, target, envelope, link)

    def _create(
        self,
        client: StatuspageClient,
        target: Target,
        envelope: Envelope,
        link: links.Link | None,
    ) -> None:
        payload = envelope.payload
        public_id = str(payload["incident"]["id"])
        update = payload.get("update")
        now = self.clock.now()
        if link is not None and self._adopt(client, target, envelope, link):
            return
        links.attempt(self.db, target.page_id, public_id, now=now)
        fields = incident_fields(target, payload)
        fields["metadata"] = {MARKER: {"public_incident_id": public_id}}
        fields["deliver_notifications"] = target.notify
        if update:
            fields["body"] = update["body"]
        created = client.create_incident(fields)
        links.confirm(
            self.db, target.page_id, public_id, created.id, now=now, event_id=envelope.event_id
        )

    def _adopt(
        self, client: StatuspageClient, target: Target, envelope: Envelope, link: links.Link
    ) -> bool:
        """After a create whose reply was lost: find what it made, and carry on from there.
        Whether it carried this event's update is checked as for a lost update: against
        Statuspage's newest update."""
        self._wait_for_in_flight(link.attempted_at)
        adopted = find_marked(client, envelope.payload["incident"])
        if adopted is None:
            return False
        update = envelope.payload.get("update")
        pending = str(update["id"]) if update else None
        links.confirm(
            self.db,
            target.page_id,
            link.public_incident_id,
            adopted.id,
            now=self.clock.now(),
            pending_update_id=pending,
        )
        log.info("adopted Atlassian incident %s for %s", adopted.id, link.public_incident_id)
        adopted_link = replace(link, atlassian_incident_id=adopted.id, pending_update_id=pending)
        self._update(client, target, envelope, adopted_link)
        return True

    def _update(
        self, client: StatuspageClient, target: Target, envelope: Envelope, link: links.Link
    ) -> None:
        remote_id = str(link.atlassian_incident_id)
        public_id = link.public_incident_id
        fields = incident_fields(target, envelope.payload)
        update = envelope.payload.get("update")
        if update:
            update_id = str(update["id"])
            if link.pending_update_id == update_id:
                self._wait_for_in_flight(link.attempted_at)
                if landed(client, remote_id, fields, update):
                    links.applied(self.db, target.page_id, public_id, envelope.event_id)
                    return
            links.start_update(self.db, target.page_id, public_id, update_id, now=self.clock.now())
            fields["body"] = update["body"]
            fields["deliver_notifications"] = target.notify
        # Without an update this is a correction (name, impact, components): setting state.
        client.update_incident(remote_id, fields)
        links.applied(self.db, target.page_id, public_id, envelope.event_id)

    def _wait_for_in_flight(self, attempted_at: datetime) -> None:
        left = (attempted_at + IN_FLIGHT_GRACE - self.clock.now()).total_seconds()
        if left > 0:
            raise DeliveryFailed(
                "the previous call to Atlassian Statuspage got no answer and may still be in "
                f"flight; checking for its effect in {left:.0f} s",
                retry_after=left,
            )

    # components ------------------------------------------------------------------------------
    def _components(self, client: StatuspageClient, target: Target, payload: Json) -> None:
        """Setting a status is idempotent, so a retry may safely set them all again."""
        for change in payload.get("component_changes") or []:
            remote = target.components.get(str(change.get("id")))
            if remote is not None:
                client.update_component(remote, str(change["new_status"]))
