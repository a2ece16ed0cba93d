"""The outbox handler of the `reminders` subscription: post each nudge where the incident is
being worked, once.

A reminder goes to the incident's own chat channel (through the same ChatProvider, provider
factory and chat subscription settings as the chat flow), naming the commander when there is
one. A private incident's nudge therefore reaches only its own channel, whose members are its
participants. With no chat configured, or no channel for the incident, the reminder is logged
(the console twin) and still recorded on the timeline.

Once: the post carries a key made of the reminder and its due time, remembered as a `ChatPost`
in the same transaction as the "Reminder sent" timeline entry. A retry after an outage asks
the provider for that key before posting again, so a lost answer never posts twice.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.chat.model import ChatIdentity, ChatPost, IncidentChannel
from firehouse.chat.provider import ChatProvider, ChatRefused, ChatUnavailable, Message, Posted
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.incidents.service import record_integration_step
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.model import Subscription

log = logging.getLogger(__name__)

CHAT_SUBSCRIPTION = "chat"
ENTRY_KIND = "guidance.reminder_sent"
ACTOR = "reminders"


@dataclass(frozen=True)
class Nudge:
    number: int
    reminder: str
    text: str
    due_at: str
    commander: str | None

    @property
    def key(self) -> str:
        """Stable across retries and workers: one reminder at one due time."""
        return f"reminder:{self.reminder}:{self.due_at}"

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Nudge:
        incident = payload.get("incident") or {}
        return cls(
            number=int(incident["number"]),
            reminder=str(payload["reminder"]),
            text=str(payload["text"]),
            due_at=str(payload["due_at"]),
            commander=str(payload["commander"]) if payload.get("commander") else None,
        )


@dataclass(frozen=True)
class Target:
    """Where the nudge goes: the incident's live channel and the chat settings to reach it."""

    incident_id: int
    channel_id: str | None
    settings: dict[str, Any] | None
    posted: Posted | None
    # The commander's chat user, when chat knows them: the nudge mentions them, so their chat
    # notifies them and not only whoever happens to read the channel.
    commander_user: str | None = None


class ReminderDelivery:
    def __init__(
        self, db: Database, clock: Clock, providers: Callable[[dict[str, Any]], ChatProvider]
    ) -> None:
        self.db = db
        self.clock = clock
        self.providers = providers
        self._cache: dict[str, ChatProvider] = {}
        self._lock = threading.Lock()

    def __call__(self, envelope: Envelope) -> None:
        nudge = Nudge.from_payload(envelope.payload)
        target = self._target(nudge)
        if target is None:
            log.warning("reminder for missing incident %s dropped", nudge.number)
            return
        if target.posted is not None:
            return  # an earlier attempt posted and recorded it
        if target.channel_id is None or target.settings is None:
            log.info("reminder %s for incident %s (no chat channel)", nudge.reminder, nudge.number)
            self._record(target, nudge, None, note="logged; no chat channel")
            return
        provider = self._provider(target.settings)
        try:
            posted = self._post(provider, target, nudge, check=envelope.attempt > 1)
        except ChatUnavailable as exc:
            raise DeliveryFailed(f"chat unavailable: {exc}", retry_after=exc.retry_after) from exc
        except ChatRefused as refusal:
            log.warning("chat refused reminder of incident %s: %s", nudge.number, refusal.error)
            self._record(target, nudge, None, note=f"chat refused it: {refusal.error}")
            return
        self._record(target, nudge, posted, note=None)

    def _target(self, nudge: Nudge) -> Target | None:
        with self.db.read() as session:
            incident_id = session.scalar(select(Incident.id).where(Incident.number == nudge.number))
            if incident_id is None:
                return None
            channel = session.get(IncidentChannel, incident_id)
            subscription = session.get(Subscription, CHAT_SUBSCRIPTION)
            post = session.scalar(
                select(ChatPost).where(
                    ChatPost.incident_id == incident_id, ChatPost.key == nudge.key
                )
            )
            commander_user = None
            if nudge.commander:
                commander_user = session.scalar(
                    select(ChatIdentity.user_id)
                    .where(ChatIdentity.person_id == nudge.commander)
                    .order_by(ChatIdentity.updated_at.desc())
                    .limit(1)
                )
            live = channel is not None and channel.archived_at is None
            usable = subscription is not None and subscription.active and live
            return Target(
                incident_id=incident_id,
                channel_id=channel.channel_id if usable and channel else None,
                settings=dict(subscription.settings) if usable and subscription else None,
                posted=Posted(post.channel_id, post.ts) if post else None,
                commander_user=commander_user,
            )

    def _provider(self, settings: dict[str, Any]) -> ChatProvider:
        key = json.dumps(settings, sort_keys=True, default=str)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self.providers(settings)
            return self._cache[key]

    def _post(self, provider: ChatProvider, target: Target, nudge: Nudge, *, check: bool) -> Posted:
        channel_id = target.channel_id or ""
        if check:
            found = provider.find_posted(channel_id, nudge.key)
            if found is not None:
                return found
        return provider.post(channel_id, message(nudge, target.commander_user), key=nudge.key)

    def _record(
        self, target: Target, nudge: Nudge, posted: Posted | None, *, note: str | None
    ) -> None:
        now = self.clock.now()
        with self.db.write() as session:
            if posted is not None:
                session.add(
                    ChatPost(
                        incident_id=target.incident_id,
                        key=nudge.key,
                        channel_id=posted.channel_id,
                        ts=posted.ts,
                        posted_at=now,
                    )
                )
            if _already_recorded(session, target.incident_id, nudge.key):
                return
            text = f"Reminder sent: {nudge.text}" + (f" ({note})" if note else "")
            record_integration_step(
                session,
                nudge.number,
                kind=ENTRY_KIND,
                text=text,
                actor=ACTOR,
                now=now,
                data={"reminder": nudge.reminder, "due_at": nudge.due_at, "key": nudge.key},
            )


def message(nudge: Nudge, commander_user: str | None = None) -> Message:
    """The nudge as chat shows it. The commander is mentioned when chat knows their user (so
    they are notified), else named."""
    commander = f"<@{commander_user}>" if commander_user else nudge.commander
    context = f"Commander: {commander}" if commander else "No commander assigned"
    return Message(text=f":alarm_clock: {nudge.text}", title="Reminder", context=context)


def _already_recorded(session: Session, incident_id: int, key: str) -> bool:
    """Few reminder entries per incident, so they are checked here rather than by a JSON
    query that would differ between SQLite and PostgreSQL."""
    entries = session.scalars(
        select(TimelineEntry.data).where(
            TimelineEntry.incident_id == incident_id, TimelineEntry.kind == ENTRY_KIND
        )
    )
    return any((data or {}).get("key") == key for data in entries)
