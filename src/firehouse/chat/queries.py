"""Reading what the chat flow set up, for the surfaces that show an incident."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.chat.model import IncidentChannel


def channels_of(session: Session, incident_ids: Iterable[int]) -> dict[int, IncidentChannel]:
    """One query for a whole page of incidents; incidents without a channel are absent."""
    ids = list(incident_ids)
    if not ids:
        return {}
    rows = session.scalars(select(IncidentChannel).where(IncidentChannel.incident_id.in_(ids)))
    return {row.incident_id: row for row in rows}
