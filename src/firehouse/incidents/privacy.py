"""Making an incident private, or ordinary again, once it is under way.

A confidentiality or security incident is often recognised as one only after it was declared.
Only someone who may already see everything about it decides: a participant (reporter, role
holder) or an admin. The change is on the timeline and goes out as `incident.updated` with
`fields: ["private"]`, so chat can follow; generic webhooks receive it only when it makes the
incident ordinary again (see `firehouse.outbox.append`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from firehouse.errors import DomainError
from firehouse.incidents.model import Incident
from firehouse.incidents.recording import load_for_change, record
from firehouse.incidents.visibility import Sight, check, is_participant
from firehouse.outbox.events import EventType


class NotAParticipant(DomainError):
    """The caller sees the incident but may not decide who else does."""

    status = 403


def set_private(
    session: Session,
    number: int,
    private: bool,
    *,
    sight: Sight,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> Incident:
    incident = check(load_for_change(session, number, expected_version), sight)
    if incident.private == private:
        return incident
    if not (sight.everything or is_participant(incident, sight.person_id)):
        raise NotAParticipant(
            "only the incident's participants (its reporter and role holders) and admins may "
            "change whether it is private",
            field="private",
        )
    incident.private = private
    record(
        session,
        incident,
        kind="visibility_changed",
        text=(
            "Made private: visible only to participants and admins"
            if private
            else "Made visible to everyone again"
        ),
        actor=actor,
        now=now,
        event=EventType.INCIDENT_UPDATED,
        data={"fields": ["private"], "private": private},
    )
    return incident
