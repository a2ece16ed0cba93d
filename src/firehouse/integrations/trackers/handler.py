"""The `trackers` subscription: opens the Jira or GitHub ticket of a follow-up, exactly once.

The follow-up row is already committed when its `follow_up.sync` event arrives. The handler
reads it, asks the tracker to open a ticket labelled with the row's request key, and records
the ticket (key, URL, incident link, checklist) in one short write. Between the tracker's
answer and that write, an answer can be lost; a retried delivery therefore first looks the
label up, and adopts a ticket it finds instead of opening a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.guidance import follow_ups
from firehouse.guidance.model import FollowUp
from firehouse.incidents.model import Incident
from firehouse.integrations.trackers.github import GitHubTracker
from firehouse.integrations.trackers.http import ConfigurationError, Ticket, TicketRequest
from firehouse.integrations.trackers.jira import JiraTracker
from firehouse.outbox.envelope import Envelope


class Tracker(Protocol):
    def create(self, request: TicketRequest) -> Ticket: ...

    def find(self, request: TicketRequest) -> Ticket | None: ...

    def get(self, key: str) -> Ticket: ...


def tracker_for(
    name: str,
    client: httpx.Client,
    settings: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> Tracker:
    """`settings` is the `guidance.trackers` section; refuses a tracker it does not set up."""
    section = settings.get(name)
    if not isinstance(section, Mapping):
        raise ConfigurationError(f"follow-up for {name}, but no {name} tracker is configured")
    if name == "jira":
        return JiraTracker(client, section, environ)
    if name == "github":
        return GitHubTracker(client, section, environ)
    raise ConfigurationError(f"unknown tracker '{name}'")


class TrackerHandler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: httpx.Client,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.client = client
        self.environ = environ

    def __call__(self, envelope: Envelope) -> None:
        if envelope.event_type != follow_ups.SYNC_EVENT:
            return
        if envelope.payload.get("action") != "create":
            return
        pending = self._pending(int(envelope.payload["follow_up"]))
        if pending is None:
            return  # deleted, or its ticket is recorded already: nothing left to do
        name, request = pending
        tracker = tracker_for(name, self.client, envelope.settings, self.environ)
        ticket = tracker.find(request) if envelope.attempt > 1 else None
        ticket = ticket or tracker.create(request)
        with self.db.write() as session:
            follow_ups.record_ticket(
                session,
                int(envelope.payload["follow_up"]),
                external_key=ticket.key,
                url=ticket.url,
                external_status=ticket.status,
                now=self.clock.now(),
            )

    def _pending(self, follow_up_id: int) -> tuple[str, TicketRequest] | None:
        with self.db.read() as session:
            row = session.get(FollowUp, follow_up_id)
            if row is None or row.external_key is not None:
                return None
            incident = session.get_one(Incident, row.incident_id)
            request = TicketRequest(
                request_key=row.request_key,
                title=row.title,
                description=row.description,
                incident_number=incident.number,
                # A private incident's title stays in firehouse; the ticket says only its number.
                incident_message="" if incident.private else incident.message,
            )
            return row.tracker, request
