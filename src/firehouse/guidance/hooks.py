"""What the guidance does when anything is written to an incident's timeline: tick the
checklist item the change completes, start the postmortem when a critical incident is
resolved, write the reply owed to the reporter of a report closed as a bug. Called by
firehouse.incidents.recording inside the same transaction, so the checklist is never behind
the incident, whichever surface made the change.

The modules it calls must not import firehouse.incidents.recording or .service at module
level (they import this one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from firehouse.guidance import checklist_progress, not_an_incident, postmortem_service
from firehouse.incidents.model import Incident


def after_record(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    event: str | None,
    data: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    """`event` is the domain event's type, or None for an integration's own step."""
    checklist_progress.on_entry(
        session, incident, kind=kind, event=event, data=data, actor=actor, now=now
    )
    postmortem_service.on_entry(
        session, incident, kind=kind, event=event, data=data, actor=actor, now=now
    )
    not_an_incident.on_entry(
        session, incident, kind=kind, event=event, data=data, actor=actor, now=now
    )
