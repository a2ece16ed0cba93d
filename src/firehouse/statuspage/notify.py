"""Telling subscribers: the `statuspage_subscribers` outbox subscription kind.

One subscription ("statuspage-subscribers", created by `config apply` from the `statuspage:`
section) takes every `statuspage.*` event. Its handler has three jobs, told apart by the
event type:
1. fan-out (a status page event): in one transaction, a `statuspage_notifications` row per
   confirmed subscriber whose component filter matches, unique per (event, subscriber), and
   one outbox message addressed to this subscription per new row. A retried fan-out finds
   the rows and queues nothing twice.
2. a notification (one per event and subscriber): send the mail or the signed webhook, then
   mark the row sent. A message redelivered after that is dropped; one resent because the
   mark was lost carries the same Message-ID / webhook-id, so the receiver can drop it.
3. a confirmation request (queued by sign-up): send the double opt-in mail.
No database transaction is open while a mail server or a webhook receiver is called.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from firehouse import __version__, standard_webhooks
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.integrations.email import (
    ConsoleMailer,
    Mail,
    Mailer,
    MailRefused,
    MailUnavailable,
    SmtpMailer,
    SmtpOptions,
)
from firehouse.integrations.webhooks import THROTTLING_STATUSES, retry_after_seconds
from firehouse.outbox.append import append_addressed
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.model import OutboxEvent
from firehouse.outbox.redact import redact_url
from firehouse.settings import Settings
from firehouse.statuspage import mail_templates
from firehouse.statuspage.model import Component, PublicIncident, Subscriber, SubscriberNotification
from firehouse.statuspage.notices import Notice, notice_of, wants
from firehouse.statuspage.policy import ComponentStatus, Impact, IncidentStatus, page_status
from firehouse.statuspage.subscribers import (
    CONFIRMATION,
    NOTIFICATION,
    SUBSCRIPTION,
    Purpose,
    link_token,
    state_of,
    stream_of,
)

log = logging.getLogger(__name__)

KIND = "statuspage_subscribers"
SUBSCRIBERS_PATH = "/api/v1/statuspage/subscribers"
DOCS_PATH = "/api/v1/docs"
MailerFor = Callable[[Mapping[str, Any] | None], Mailer]


def mailer_factory(password: str | None) -> MailerFor:
    """SMTP when `statuspage.smtp` names a host; the console twin otherwise."""

    def mailer_for(smtp: Mapping[str, Any] | None) -> Mailer:
        if not smtp or not smtp.get("host"):
            return ConsoleMailer()
        options = SmtpOptions(
            host=str(smtp["host"]),
            port=int(smtp.get("port") or 587),
            sender=str(smtp.get("from") or ""),
            security=smtp.get("security") or "starttls",
            username=smtp.get("username"),
            password=password,
            timeout=float(smtp.get("timeout_seconds") or 10.0),
        )
        return SmtpMailer(options)

    return mailer_for


class SubscriberNotifier:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        base_url: str,
        http: httpx.Client,
        mailer_for: MailerFor,
    ) -> None:
        self.db = db
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.mailer_for = mailer_for

    def __call__(self, envelope: Envelope) -> None:
        if envelope.event_type == NOTIFICATION:
            self._notify(envelope)
        elif envelope.event_type == CONFIRMATION:
            self._confirmation(envelope)
        else:
            self._fan_out(envelope)

    # 1. fan-out ------------------------------------------------------------------------------
    def _fan_out(self, envelope: Envelope) -> None:
        notice = notice_of(envelope.event_type, envelope.payload)
        if notice is None:
            return
        try:
            with self.db.write() as session:
                queued = fan_out(session, envelope.event_id, notice, now=self.clock.now())
        except IntegrityError:  # another worker fanned the same event out at the same time
            raise DeliveryFailed("fan-out raced another worker; checking again") from None
        log.info("event %s: %d subscriber(s) to tell", envelope.event_id, queued)

    # 2. one notification ---------------------------------------------------------------------
    def _notify(self, envelope: Envelope) -> None:
        event_id = int(envelope.payload["event_id"])
        subscriber_id = str(envelope.payload["subscriber_id"])
        with self.db.read() as session:
            row = session.scalars(
                select(SubscriberNotification).where(
                    SubscriberNotification.event_id == event_id,
                    SubscriberNotification.subscriber_id == subscriber_id,
                )
            ).first()
            subscriber = session.get(Subscriber, subscriber_id)
            source = session.get(OutboxEvent, event_id)
        if row is None or row.state != "pending":
            return  # sent already (only the outbox's record of it was lost), or dropped
        notice = notice_of(source.type, source.payload) if source else None
        if subscriber is None or state_of(subscriber) != "confirmed" or notice is None:
            self._settle(row.id, "dropped")
            return
        if isinstance(envelope.payload.get("page"), dict):  # the banner at fan-out time
            notice = replace(notice, page={**notice.page, **envelope.payload["page"]})
        outcome = self._deliver(envelope, subscriber, notice, event_id)
        self._settle(row.id, outcome)

    def _deliver(
        self, envelope: Envelope, subscriber: Subscriber, notice: Notice, event_id: int
    ) -> str:
        message_key = f"{event_id}.{subscriber.id}"
        unsubscribe_url = self._link(subscriber, "unsubscribe")
        if subscriber.kind == "webhook":
            return self._post(subscriber, notice, f"msg_{message_key}", unsubscribe_url)
        text = mail_templates.notification(
            page_name=notice.page_name or _page_name(envelope),
            notice=notice,
            unsubscribe_url=unsubscribe_url,
        )
        return self._mail(envelope, subscriber, text, f"statuspage.{message_key}", unsubscribe_url)

    def _settle(self, row_id: int, state: str) -> None:
        with self.db.write() as session:
            row = session.get_one(SubscriberNotification, row_id)
            row.state = state
            if state == "sent":
                row.sent_at = self.clock.now()

    # 3. confirmation -------------------------------------------------------------------------
    def _confirmation(self, envelope: Envelope) -> None:
        with self.db.read() as session:
            subscriber = session.get(Subscriber, str(envelope.payload["subscriber_id"]))
        if subscriber is None or state_of(subscriber) != "pending":
            return  # confirmed, unsubscribed or removed since: nothing to ask any more
        unsubscribe_url = self._link(subscriber, "unsubscribe")
        text = mail_templates.confirmation(
            page_name=_page_name(envelope),
            confirm_url=self._link(subscriber, "confirm"),
            unsubscribe_url=unsubscribe_url,
        )
        key = f"confirm.{envelope.event_id}.{subscriber.id}"
        self._mail(envelope, subscriber, text, key, unsubscribe_url)

    # sending ---------------------------------------------------------------------------------
    def _mail(
        self,
        envelope: Envelope,
        subscriber: Subscriber,
        text: mail_templates.Text,
        key: str,
        unsubscribe_url: str,
    ) -> str:
        mail = Mail(
            to=subscriber.address,
            subject=text.subject,
            body=text.body,
            message_id=f"<{key}@{urlsplit(self.base_url).hostname or 'firehouse'}>",
            headers=mail_templates.list_headers(unsubscribe_url),
        )
        try:
            self.mailer_for(envelope.settings.get("smtp")).send(mail)
        except MailUnavailable as exc:
            raise DeliveryFailed(str(exc)) from None
        except MailRefused as exc:
            log.warning("subscriber %s: %s; not retried", subscriber.id, exc)
            return "refused"
        return "sent"

    def _post(
        self, subscriber: Subscriber, notice: Notice, message_id: str, unsubscribe_url: str
    ) -> str:
        document = {
            "meta": {"unsubscribe": unsubscribe_url, "documentation": self.base_url + DOCS_PATH},
            "page": notice.page,
            **notice.webhook,
        }
        body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
        secret = subscriber.signing_secret or ""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"firehouse/{__version__}",
            **standard_webhooks.headers(secret, message_id, self.clock.now(), body),
        }
        where = redact_url(subscriber.address)
        try:
            response = self.http.post(subscriber.address, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"timed out posting to {where}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryFailed(f"could not reach {where}: {type(exc).__name__}") from None
        if response.is_success:
            return "sent"
        if response.status_code == 410:  # the receiver says it is gone for good
            return "refused"
        retry_after = None
        if response.status_code in THROTTLING_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
        raise DeliveryFailed(f"HTTP {response.status_code} from {where}", retry_after=retry_after)

    def _link(self, subscriber: Subscriber, purpose: Purpose) -> str:
        token = link_token(subscriber, purpose)
        return f"{self.base_url}{SUBSCRIBERS_PATH}/{purpose}?token={token}"


def fan_out(session: Session, event_id: int, notice: Notice, *, now: datetime) -> int:
    """Queue one message per matching confirmed subscriber not yet queued for this event."""
    queued_before = set(
        session.scalars(
            select(SubscriberNotification.subscriber_id).where(
                SubscriberNotification.event_id == event_id
            )
        )
    )
    subscribers = session.scalars(
        select(Subscriber)
        .where(Subscriber.confirmed_at.is_not(None), Subscriber.unsubscribed_at.is_(None))
        .order_by(Subscriber.id)
    )
    page = _page_status(session) if notice.page.get("status_indicator") is None else None
    queued = 0
    for subscriber in subscribers:
        if subscriber.id in queued_before or not wants(subscriber.component_ids, notice):
            continue
        session.add(
            SubscriberNotification(
                event_id=event_id, subscriber_id=subscriber.id, state="pending", created_at=now
            )
        )
        append_addressed(
            session,
            type=NOTIFICATION,
            stream=stream_of(subscriber.id),
            data={"event_id": event_id, "subscriber_id": subscriber.id, "page": page},
            subscription=SUBSCRIPTION,
            now=now,
        )
        queued += 1
    return queued


def _page_status(session: Session) -> dict[str, str]:
    """The page's banner as the fan-out saw it, for payloads that do not carry it."""
    statuses = session.scalars(select(Component.status).where(Component.active.is_(True)))
    impacts = session.scalars(
        select(PublicIncident.impact).where(
            PublicIncident.published_at.is_not(None),
            PublicIncident.status.not_in([s.value for s in IncidentStatus if s.is_final]),
        )
    )
    status = page_status([ComponentStatus(s) for s in statuses], [Impact(i) for i in impacts])
    return {"status_indicator": status.indicator.value, "status_description": status.description}


def _page_name(envelope: Envelope) -> str:
    return str(envelope.settings.get("name") or "Status")


def build_notifier(
    db: Database, settings: Settings, clock: Clock, http: httpx.Client
) -> SubscriberNotifier:
    """The handler as `firehouse serve` and `worker` run it: SMTP password from the process
    settings, everything else about the mail server from the subscription's settings."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SubscriberNotifier(
        db, clock, base_url=settings.base_url, http=http, mailer_for=mailer_factory(password)
    )
