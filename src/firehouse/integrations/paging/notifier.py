"""The `page_notifications` outbox handler: one `page.notify` message, one person reached.

Exactly once per notification, as far as the providers allow:
- the row is read first; a notification already sent, failed or skipped is not sent again,
  however often the outbox redelivers its message;
- a page no longer "triggered" (acknowledged, exhausted, cancelled) skips the notification;
- the outcome is written only while the row is still open, so of two workers racing, one
  records it; the text (ack link included) is the same on every attempt, and each provider
  gets a key that makes a resend recognisable (Slack metadata, Message-ID, webhook-id).
A transient failure raises DeliveryFailed and the outbox retries with back-off; a permanent
refusal is recorded as failed, with the reason on the incident timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from firehouse.clock import Clock, as_utc
from firehouse.db import Database
from firehouse.integrations.paging.base import Refused, Sender
from firehouse.integrations.paging.messages import PageText, page_text
from firehouse.oncall import notifications
from firehouse.oncall.ack_links import ack_url
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import Envelope

log = logging.getLogger(__name__)

KIND = "page_notifications"
EVENT_TYPE = "page.notify"
DEFAULT_ACK_LINK_MINUTES = 1440


class PageNotifier:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        base_url: str,
        signing_key: Callable[[], bytes],
        senders: Mapping[str, Sender],
    ) -> None:
        self.db = db
        self.clock = clock
        self.base_url = base_url
        self.signing_key = signing_key
        self.senders = dict(senders)

    def __call__(self, envelope: Envelope) -> None:
        if envelope.event_type != EVENT_TYPE:
            return
        notification_id = int(envelope.payload["notification_id"])
        with self.db.read() as session:
            work = notifications.load(session, notification_id)
        if work is None or not work.is_open:
            return  # gone, or settled by an earlier delivery of this message
        if work.page_status != "triggered":
            with self.db.write() as session:
                notifications.record_skipped(
                    session, notification_id, reason=f"the page was {work.page_status} first"
                )
            return
        sender = self.senders.get(work.method)
        if sender is None:
            self._failed(work, f"firehouse cannot notify by '{work.method}'")
            return
        try:
            delivered = sender.send(work, self._text(work, envelope), envelope)
        except Refused as refused:
            self._failed(work, str(refused))
            return
        with self.db.write() as session:
            notifications.record_sent(
                session,
                notification_id,
                provider_ref=delivered.provider_ref,
                console=delivered.console,
                now=self.clock.now(),
            )

    def _text(self, work: NotificationWork, envelope: Envelope) -> PageText:
        """The link expires `ack_link_minutes` after the notification was queued, not after
        this attempt: a retry then says exactly what the first attempt said."""
        minutes = int(envelope.settings.get("ack_link_minutes") or DEFAULT_ACK_LINK_MINUTES)
        since = as_utc(work.queued_at) if work.queued_at is not None else self.clock.now()
        expires = since + timedelta(minutes=minutes)
        link = ack_url(self.base_url, self.signing_key(), work.page_id, work.person_id, expires)
        return page_text(work, base_url=self.base_url, ack_url=link)

    def _failed(self, work: NotificationWork, error: str) -> None:
        log.warning(
            "page %s: %s to %s failed: %s", work.page_id, work.method, work.person_id, error
        )
        with self.db.write() as session:
            notifications.record_failed(
                session, work.notification_id, error=error, now=self.clock.now()
            )
