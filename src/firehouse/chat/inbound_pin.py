"""A message pinned with the configured emoji becomes a timeline entry, once.

Chat systems deliver events at least once (Slack retries anything not acknowledged in three
seconds, and may send the same event twice). The event's id is written as a receipt in the
same transaction as the timeline entry, receipt first: a second delivery fails on the
receipt's key and rolls back, so the entry exists once or, if the first attempt failed, not
at all and the next delivery adds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firehouse.chat import identity
from firehouse.chat.inbound import incident_in_channel
from firehouse.chat.model import ChatEventReceipt
from firehouse.db import Database
from firehouse.incidents import service

log = logging.getLogger(__name__)

MAX_QUOTE = 4000


@dataclass(frozen=True)
class Pin:
    """A pin reaction as the provider reported it (which message, who pinned, who wrote it)."""

    event_id: str
    channel_id: str
    ts: str
    reactor_id: str
    author_id: str | None


@dataclass(frozen=True)
class PinnedText:
    """The pinned message's text, or None when the provider could not be asked for it."""

    text: str | None
    permalink: str | None = None


def pinned_incident(session: Session, provider: str, pin: Pin) -> int | None:
    """The incident a pin is for, or None: not an incident channel, or already handled."""
    if session.get(ChatEventReceipt, pin.event_id) is not None:
        return None
    return incident_in_channel(session, provider, pin.channel_id)


def record_pin(
    db: Database, provider: str, pin: Pin, message: PinnedText, *, now: datetime
) -> bool:
    """True when the entry was added, False when this event was already handled."""
    try:
        with db.write() as session:
            session.add(ChatEventReceipt(event_id=pin.event_id, received_at=now))
            session.flush()
            number = incident_in_channel(session, provider, pin.channel_id)
            if number is None:
                return False
            pinner = identity.caller(session, provider, pin.reactor_id, None).actor
            service.add_timeline_entry(
                session,
                number,
                _entry_text(session, provider, pin, message),
                actor=pinner,
                now=now,
                occurred_at=min(message_time(pin.ts) or now, now),
            )
    except IntegrityError:
        log.info("chat event %s was already handled", pin.event_id)
        return False
    return True


def message_time(ts: str) -> datetime | None:
    """When a message was posted, from its id (`1767268800.000200` is seconds since 1970)."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _entry_text(session: Session, provider: str, pin: Pin, message: PinnedText) -> str:
    author = "someone"
    if pin.author_id:
        author = identity.caller(session, provider, pin.author_id, None).actor
    if message.text is None:
        where = f" ({message.permalink})" if message.permalink else ""
        return f"Pinned a message by {author}{where}; its text could not be fetched"
    quote = message.text.strip() or "(no text)"
    if len(quote) > MAX_QUOTE:
        quote = quote[:MAX_QUOTE] + "…"
    return f"Pinned from chat, {author} wrote: {quote}"
