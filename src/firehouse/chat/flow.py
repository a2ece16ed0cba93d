"""The outbound chat flow: what happens in chat when an incident changes.

`ChatFlow` is the outbox handler of the `chat` subscription kind. Every incident event first
makes sure the channel is fully set up (an earlier setup may have failed part-way), then
reacts to the event: invite a newly assigned role holder, edit the summary in place, and
announce the change once. The provider comes from a factory given the subscription's
settings, so Slack, its console twin or a test fake all run through the same flow.

Failures: when the provider is unavailable the delivery fails with its Retry-After and the
outbox tries again later; every confirmed step was saved, so the retry resumes where it
stopped and nothing is done twice. Refusals of anything but creating the channel are
recorded and skipped.

Every change is announced, timeline notes included, wherever it was made: API, CLI, web or
chat. A note made in chat cannot be told apart reliably (a chat user matched to a person acts
as that person), and `/incident note` answers only its caller, so the channel would otherwise
never see it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from firehouse.chat import messages
from firehouse.chat.alerts_channel import AlertsChannel
from firehouse.chat.close_reply import reply_to_reporter
from firehouse.chat.flow_setup import ChannelSetup
from firehouse.chat.model import IncidentChannel
from firehouse.chat.progress import ACTOR, UNSET, Context, load_context, save
from firehouse.chat.provider import ChatProvider, ChatRefused, ChatUnavailable, Message
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.guidance.settings import load_guidance
from firehouse.incidents.model import Incident
from firehouse.incidents.policy import Status
from firehouse.incidents.service import record_integration_step
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.events import EventType
from firehouse.outbox.model import Subscription

log = logging.getLogger(__name__)

ProviderFactory = Callable[[dict[str, Any]], ChatProvider]
SUBSCRIPTION = "chat"

SUMMARY_EVENTS = frozenset(
    {
        EventType.INCIDENT_UPDATED,
        EventType.INCIDENT_PRIORITY_CHANGED,
        EventType.INCIDENT_ROLE_ASSIGNED,
        EventType.INCIDENT_ROLE_REMOVED,
        EventType.INCIDENT_LINK_ADDED,
        EventType.INCIDENT_RESOLVED,
        EventType.INCIDENT_CLOSED,
        EventType.INCIDENT_REOPENED,
    }
)


class ChatFlow:
    def __init__(
        self, db: Database, clock: Clock, base_url: str, provider_factory: ProviderFactory
    ) -> None:
        self.db = db
        self.clock = clock
        self.base_url = base_url
        self.provider_factory = provider_factory
        self._providers: dict[str, ChatProvider] = {}
        self._lock = threading.Lock()
        self._alerts = AlertsChannel()

    def __call__(self, envelope: Envelope) -> None:
        provider = self.provider_for(envelope.settings)
        try:
            self._deliver(envelope, provider)
        except ChatUnavailable as exc:
            raise DeliveryFailed(f"chat unavailable: {exc}", retry_after=exc.retry_after) from exc

    def provider_for(self, settings: dict[str, Any]) -> ChatProvider:
        """One provider per distinct settings, so its client and caches live across events."""
        key = json.dumps(settings, sort_keys=True, default=str)
        with self._lock:
            if key not in self._providers:
                self._providers[key] = self.provider_factory(settings)
            return self._providers[key]

    def _deliver(self, envelope: Envelope, provider: ChatProvider) -> None:
        if envelope.event_type.startswith("alert."):
            self._alerts.deliver(envelope, provider)
            return
        if envelope.event_type.startswith("page."):
            self._invite_paged(envelope, provider)
            return
        incident = envelope.payload.get("incident") or {}
        change = envelope.payload.get("change") or {}
        named = tuple(str(change[k]) for k in ("actor", "person", "previous") if change.get(k))
        ctx = load_context(self.db, int(incident["number"]), self.base_url, also_name=named)
        if ctx is None:
            raise DeliveryFailed(f"incident {incident.get('number')} not found")
        declared = envelope.event_type == EventType.INCIDENT_DECLARED
        settings = envelope.settings
        if incident.get("training"):
            settings = {**settings, "channel_name": self._drill_pattern()}
        setup = ChannelSetup(
            db=self.db,
            clock=self.clock,
            provider=provider,
            provider_name=provider_name(envelope.settings),
            settings=settings,
            check_posts=envelope.attempt > 1 or not declared,
        )
        setup.run(ctx, private=bool(incident.get("private", False)))
        if not declared:
            _React(setup, envelope, change).run(ctx)
        if envelope.event_type == EventType.INCIDENT_CLOSED:
            reply_to_reporter(setup, ctx, check=envelope.attempt > 1)

    def _drill_pattern(self) -> str:
        """A training incident's channel is `drill-N` (the guidance's prefix) whatever the
        usual pattern, so nobody in the channel list mistakes practice for the real thing."""
        with self.db.read() as session:
            return f"{load_guidance(session).drill_channel_prefix}-{{number}}"

    def _invite_paged(self, envelope: Envelope, provider: ChatProvider) -> None:
        """Point-people paged into an incident are invited to its channel as they are paged,
        so they arrive where the work is. Other pages (on-call rotations) are left to the
        invites the channel's setup already made."""
        payload = envelope.payload
        paging = envelope.event_type in {EventType.PAGE_TRIGGERED, EventType.PAGE_ESCALATED}
        if not paging or not payload.get("invite") or payload.get("incident") is None:
            return
        people = [str(person) for person in payload.get("people") or []]
        ctx = load_context(
            self.db, int(payload["incident"]), self.base_url, also_name=tuple(people)
        )
        if ctx is None or not people:
            return
        setup = ChannelSetup(
            db=self.db,
            clock=self.clock,
            provider=provider,
            provider_name=provider_name(envelope.settings),
            settings=envelope.settings,
            check_posts=True,
        )
        setup.run(ctx, private=False)
        setup.invite(ctx, people)

    def archive_due_channels(self, now: datetime) -> int:
        """Archives channels whose delay after resolution ran out; returns how many.

        Called from the dispatcher's loop. An incident reopened since is skipped (reopening
        also clears the due time); an unavailable provider ends the round, to try again later.
        """
        with self.db.read() as session:
            subscription = session.get(Subscription, SUBSCRIPTION)
            due = session.execute(
                select(
                    IncidentChannel.incident_id,
                    IncidentChannel.channel_id,
                    IncidentChannel.name,
                    Incident.number,
                )
                .join(Incident, Incident.id == IncidentChannel.incident_id)
                .where(
                    IncidentChannel.archive_due_at <= now,
                    IncidentChannel.archived_at.is_(None),
                    Incident.status.in_([Status.RESOLVED.value, Status.CLOSED.value]),
                )
                .order_by(IncidentChannel.archive_due_at)
            ).all()
        if subscription is None or not subscription.active or not due:
            return 0
        provider = self.provider_for(dict(subscription.settings))
        archived = 0
        for incident_id, channel_id, name, number in due:
            try:
                outcome = _archive(provider, channel_id)
            except ChatUnavailable as exc:
                log.warning("archiving chat channels paused: %s", exc)
                break
            self._record_archive(incident_id, number, name, outcome, now)
            archived += outcome is None
        return archived

    def _record_archive(
        self, incident_id: int, number: int, name: str, refusal: str | None, now: datetime
    ) -> None:
        with self.db.write() as session:
            row = session.get_one(IncidentChannel, incident_id)
            row.archive_due_at = None
            if refusal is None:
                row.archived_at = now
                kind, text = "chat.channel_archived", f"Archived #{name}"
            else:
                kind, text = "chat.step_failed", f"Could not archive #{name}: {refusal}"
            record_integration_step(session, number, kind=kind, text=text, actor=ACTOR, now=now)


def provider_name(settings: dict[str, Any]) -> str:
    return str(settings.get("provider") or "slack")


def _archive(provider: ChatProvider, channel_id: str) -> str | None:
    """None when the channel is archived now (or already was), else the refusal's code."""
    try:
        provider.archive(channel_id)
    except ChatRefused as refusal:
        return None if refusal.error == "already_archived" else refusal.error
    return None


class _React:
    """One later event: invite, refresh the summary, announce; the announcement comes last
    and is remembered under `event:<id>`, so a redelivered event does nothing at all."""

    def __init__(self, setup: ChannelSetup, envelope: Envelope, change: dict[str, Any]) -> None:
        self.setup = setup
        self.envelope = envelope
        self.change = change
        self.event = envelope.event_type
        self.key = f"event:{envelope.event_id}"

    def run(self, ctx: Context) -> None:
        if self.key in ctx.posts or ctx.channel is None or self._part_of_declaring():
            return
        if self.event == EventType.INCIDENT_ROLE_ASSIGNED and self.change.get("person"):
            self.setup.invite(ctx, [str(self.change["person"])])
        if self.event in SUMMARY_EVENTS:
            self._refresh_summary(ctx)
        archive_due_at = self._archive_due_at(ctx)
        message = self._message(ctx)
        post = None
        if message is not None:
            try:
                post = self.setup.post_once(
                    ctx,
                    self.key,
                    ctx.channel.channel.id,
                    message,
                    check=self.envelope.attempt > 1,
                )
            except ChatRefused as refusal:
                log.warning("chat refused to announce %s: %s", self.event, refusal.error)
        if post is not None or archive_due_at is not UNSET:
            save(
                self.setup.db,
                ctx,
                now=self.setup.now(),
                post=(self.key, post) if post else None,
                archive_due_at=archive_due_at,
            )

    def _part_of_declaring(self) -> bool:
        """A commander named when declaring (and the acknowledgement that comes with it) is
        in the summary and the invites already: announcing it under the summary is noise."""
        created_at = (self.envelope.payload.get("incident") or {}).get("created_at")
        if not created_at:
            return False
        return datetime.fromisoformat(str(created_at)) == self.envelope.occurred_at

    def _refresh_summary(self, ctx: Context) -> None:
        assert ctx.channel is not None  # noqa: S101 -- checked by run
        if ctx.channel.summary_ts is None:
            return
        try:
            self.setup.provider.update(
                ctx.channel.channel.id, ctx.channel.summary_ts, messages.summary(ctx.facts)
            )
        except ChatRefused as refusal:  # e.g. the channel was archived by hand
            log.warning("chat refused to update the summary: %s", refusal.error)

    def _message(self, ctx: Context) -> Message | None:
        actor = str(self.change.get("actor") or "")
        if self.event == EventType.INCIDENT_RESOLVED:
            note = str(self.change.get("text", "")).removeprefix("Resolved: ")
            return messages.resolution(ctx.facts, note=note, actor=ctx.names.get(actor, actor))
        return messages.announcement(self.event, self.change, ctx.facts, ctx.names)

    def _archive_due_at(self, ctx: Context) -> datetime | None:
        """Resolving or closing starts the countdown (when configured); reopening stops it."""
        assert ctx.channel is not None  # noqa: S101 -- checked by run
        if self.event == EventType.INCIDENT_REOPENED:
            return None if ctx.channel.archive_due_at else UNSET
        days = self.setup.settings.get("archive_after_days")
        ending = self.event in {EventType.INCIDENT_RESOLVED, EventType.INCIDENT_CLOSED}
        if not ending or not isinstance(days, int) or ctx.channel.archive_due_at:
            return UNSET  # type: ignore[no-any-return]
        return self.setup.now() + timedelta(days=days)
