"""One page notification, as the notifier sees it: the work to do, and what came of it.

The notifier reads a `PageNotification` in one short read, talks to the provider with no
transaction open, and writes the outcome in one short write. Every outcome is recorded only
while the row is still open (scheduled or queued): a redelivered outbox message, or a second
worker that raced the first, finds the row settled and changes nothing, so a notification is
recorded once and its timeline entry written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.incidents.model import Incident
from firehouse.incidents.service import record_integration_step
from firehouse.oncall.model import Page, PageNotification

OPEN_STATES = frozenset({"scheduled", "queued"})
TIMELINE_KIND = "page.notified"
ACTOR = "firehouse"
Outcome = Literal["sent", "failed", "skipped"]

# What the timeline says for each method: done ("Sent an SMS to"), and not done ("text").
_DONE = {
    "slack": "Sent a Slack direct message to",
    "email": "Emailed",
    "sms": "Sent an SMS to",
    "voice": "Called",
    "webhook": "Sent the paging webhook for",
}
_VERB = {
    "slack": "send a Slack message to",
    "email": "email",
    "sms": "text",
    "voice": "call",
    "webhook": "send the paging webhook for",
}


@dataclass(frozen=True)
class NotificationWork:
    """Everything a provider needs to reach one person about one page."""

    notification_id: int
    method: str
    state: str
    queued_at: datetime | None
    page_id: int
    page_status: str
    page_message: str
    target: str
    person_id: str
    person_name: str
    email: str | None
    phone: str | None
    chat_handle: str | None
    incident_number: int | None
    incident_message: str | None
    incident_priority: str | None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def load(session: Session, notification_id: int) -> NotificationWork | None:
    """The notification with its page, person and incident; None when it does not exist."""
    row = session.get(PageNotification, notification_id)
    if row is None:
        return None
    page = session.get_one(Page, row.page_id)
    person = session.get(Person, row.person_id)
    incident = session.get(Incident, page.incident_id) if page.incident_id is not None else None
    return NotificationWork(
        notification_id=row.id,
        method=row.method,
        state=row.state,
        queued_at=row.queued_at,
        page_id=page.id,
        page_status=page.status,
        page_message=page.message,
        target=row.target,
        person_id=row.person_id,
        person_name=person.name if person is not None else row.person_id,
        email=person.email if person is not None else None,
        phone=person.phone if person is not None else None,
        chat_handle=person.chat_handle if person is not None else None,
        incident_number=incident.number if incident is not None else None,
        incident_message=incident.message if incident is not None else None,
        incident_priority=incident.priority if incident is not None else None,
    )


def record_sent(
    session: Session,
    notification_id: int,
    *,
    provider_ref: str,
    now: datetime,
    console: bool = False,
) -> bool:
    """Marks the notification sent; False (and nothing written) when it was settled already.

    `console`: the provider is not configured and the message only went to the log; the
    timeline says so, so nobody believes an SMS went out."""
    row = _open_row(session, notification_id)
    if row is None:
        return False
    row.state, row.sent_at, row.provider_ref, row.error = "sent", now, provider_ref, None
    name = _name(session, row.person_id)
    if console:
        text = (
            f"Would have {_past(row.method)} {name}, but {_PROVIDER[row.method]} is not "
            "configured: the message was written to the log only"
        )
    else:
        text = f"{_DONE.get(row.method, 'Notified')} {name}"
    _timeline(session, row, text, {"outcome": "sent", "console": console}, now)
    return True


def record_failed(session: Session, notification_id: int, *, error: str, now: datetime) -> bool:
    """Marks the notification failed for good (the provider refused it); the timeline says
    why, e.g. "Could not call Maya: no phone number"."""
    row = _open_row(session, notification_id)
    if row is None:
        return False
    row.state, row.error = "failed", error
    first = _name(session, row.person_id).split()[0]
    text = f"Could not {_VERB.get(row.method, 'notify')} {first}: {error}"
    _timeline(session, row, text, {"outcome": "failed", "error": error}, now)
    return True


def record_skipped(session: Session, notification_id: int, *, reason: str) -> bool:
    """Nothing was sent because the page stopped escalating first. No timeline entry: the
    acknowledgement (or end) of the page is on the timeline already."""
    row = _open_row(session, notification_id)
    if row is None:
        return False
    row.state, row.error = "skipped", reason
    return True


_PROVIDER = {
    "slack": "Slack",
    "email": "SMTP",
    "sms": "Twilio",
    "voice": "Twilio",
    "webhook": "the paging webhook",
}


def _past(method: str) -> str:
    done = _DONE.get(method, "Notified")
    return done[0].lower() + done[1:]


def _open_row(session: Session, notification_id: int) -> PageNotification | None:
    row = session.get(PageNotification, notification_id, with_for_update=True)
    return row if row is not None and row.state in OPEN_STATES else None


def _name(session: Session, person_id: str) -> str:
    person = session.get(Person, person_id)
    return person.name if person is not None else person_id


def _timeline(
    session: Session, row: PageNotification, text: str, data: dict[str, object], now: datetime
) -> None:
    page = session.get_one(Page, row.page_id)
    if page.incident_id is None:
        return
    number = session.get_one(Incident, page.incident_id).number
    record_integration_step(
        session,
        number,
        kind=TIMELINE_KIND,
        text=text,
        actor=ACTOR,
        now=now,
        data={
            "page_id": row.page_id,
            "notification_id": row.id,
            "person_id": row.person_id,
            "method": row.method,
            **data,
        },
    )
