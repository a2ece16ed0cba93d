"""Reaching paged people: the `page_notifications` subscription kind.

One notification (a `PageNotification` row, queued by the escalation engine with a
`page.notify` outbox message) goes to one provider by its method: Slack direct message,
e-mail, SMS or voice call through Twilio, or the generic paging webhook. See
docs/notifications.md.
"""

from __future__ import annotations

import httpx

from firehouse.auth.signing import signing_key
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.integrations.paging.mail import MailSender
from firehouse.integrations.paging.notifier import PageNotifier
from firehouse.integrations.paging.slack_dm import SlackDmSender
from firehouse.integrations.paging.twilio import TwilioSender
from firehouse.integrations.paging.webhook import WebhookSender
from firehouse.outbox.envelope import Handler
from firehouse.settings import Settings
from firehouse.statuspage.notify import mailer_factory


def build_page_notifier(
    db: Database, settings: Settings, clock: Clock, client: httpx.Client
) -> Handler:
    """The handler as `firehouse serve` and `worker` run it: secrets from the process
    (settings and the environment), providers from the subscription's `paging` settings."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return PageNotifier(
        db,
        clock,
        base_url=settings.base_url,
        signing_key=lambda: signing_key(db, settings.secret_key),
        senders={
            "slack": SlackDmSender(db, settings, clock),
            "email": MailSender(mailer_factory(password), settings.base_url),
            "sms": TwilioSender(client, clock, voice=False),
            "voice": TwilioSender(client, clock, voice=True),
            "webhook": WebhookSender(client, clock),
        },
    )
