"""Reading and writing `AtlassianIncidentLink` rows, each step its own short transaction, so
no transaction is ever open while Statuspage is being called."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from firehouse.clock import as_utc
from firehouse.db import Database
from firehouse.integrations.atlassian_statuspage.model import AtlassianIncidentLink
from firehouse.outbox.envelope import DeliveryFailed


@dataclass(frozen=True)
class Link:
    page_id: str
    public_incident_id: str
    atlassian_incident_id: str | None
    last_event_id: int | None
    pending_update_id: str | None
    attempted_at: datetime  # when the newest create or update not yet confirmed was started


def find(db: Database, page_id: str, public_id: str) -> Link | None:
    with db.read() as session:
        row = session.get(AtlassianIncidentLink, (page_id, public_id))
        if row is None:
            return None
        return Link(
            row.page_id,
            row.public_incident_id,
            row.atlassian_incident_id,
            row.last_event_id,
            row.pending_update_id,
            as_utc(row.attempted_at),
        )


def attempt(db: Database, page_id: str, public_id: str, *, now: datetime) -> None:
    """The marker written before a create: a retry that finds it looks before creating."""
    try:
        with db.write() as session:
            row = session.get(AtlassianIncidentLink, (page_id, public_id))
            if row is None:
                row = AtlassianIncidentLink(page_id=page_id, public_incident_id=public_id)
                session.add(row)
            row.attempted_at = now
    except IntegrityError:  # another worker is creating it right now
        raise DeliveryFailed(
            f"public incident {public_id} is being mirrored by another worker; checking again"
        ) from None


def confirm(
    db: Database,
    page_id: str,
    public_id: str,
    atlassian_id: str,
    *,
    now: datetime,
    event_id: int | None = None,
    pending_update_id: str | None = None,
) -> None:
    """`event_id`: the event the create fully applied (None when an update is still owed)."""
    with db.write() as session:
        row = session.get_one(AtlassianIncidentLink, (page_id, public_id))
        row.atlassian_incident_id = atlassian_id
        row.linked_at = now
        row.last_event_id = event_id
        row.pending_update_id = pending_update_id


def start_update(
    db: Database, page_id: str, public_id: str, update_id: str, *, now: datetime
) -> None:
    """The marker written before an update is sent: its reply may be lost."""
    with db.write() as session:
        row = session.get_one(AtlassianIncidentLink, (page_id, public_id))
        row.pending_update_id = update_id
        row.attempted_at = now


def applied(db: Database, page_id: str, public_id: str, event_id: int) -> None:
    """The event is mirrored: older deliveries of this incident are stale from now on."""
    with db.write() as session:
        row = session.get_one(AtlassianIncidentLink, (page_id, public_id))
        row.last_event_id = event_id
        row.pending_update_id = None
