"""Paging by Slack direct message, with an Acknowledge button.

The bot token is FIREHOUSE_SLACK_BOT_TOKEN and the API URL the applied `chat.slack` section's;
without either, the console twin logs the page. The person is found as the chat flow finds
people (a chat handle that is a user id, a remembered identity, else their e-mail through
users.lookupByEmail), the DM opened with conversations.open, and the message posted with
metadata carrying the notification's key. A retry first looks for that key among the DM's
latest messages, so a post whose reply was lost is not posted twice.
"""

from __future__ import annotations

import logging
from typing import cast

from slack_sdk import WebClient

from firehouse.chat.identity import remember
from firehouse.chat.inbound import chat_config
from firehouse.chat.people import match, what_is_known
from firehouse.chat.provider import ChatRefused, ChatUnavailable
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.integrations.paging.base import Delivered, Refused, console
from firehouse.integrations.paging.messages import PageText
from firehouse.integrations.slack.api_errors import translated
from firehouse.integrations.slack.client import POST_EVENT_TYPE, SlackProvider
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.settings import Settings

log = logging.getLogger(__name__)

PROVIDER = "slack"
# Refusals an operator fixes (token, scopes): retried, like any misconfiguration.
CONFIGURATION_ERRORS = frozenset(
    {"not_authed", "invalid_auth", "token_revoked", "token_expired", "missing_scope",
     "not_allowed_token_type", "account_inactive", "team_access_not_granted"}
)  # fmt: skip


class SlackDmSender:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def send(self, work: NotificationWork, text: PageText, envelope: Envelope) -> Delivered:
        token = self.settings.slack_bot_token
        with self.db.read() as session:
            config = chat_config(session)
        if config is None or token is None or not token.get_secret_value():
            return console("slack", work, text, work.chat_handle)
        secret, timeout = token.get_secret_value(), self.settings.chat_timeout_seconds
        provider = SlackProvider(config.slack.api_url, secret, timeout)
        client = WebClient(
            token=secret,
            base_url=config.slack.api_url.rstrip("/") + "/",
            timeout=cast(int, timeout),  # urllib takes fractional seconds
            retry_handlers=[],  # the outbox retries, with back-off
        )
        try:
            return self._send(provider, client, work, text, envelope)
        except ChatUnavailable as exc:
            raise DeliveryFailed(str(exc), retry_after=exc.retry_after) from None
        except ChatRefused as exc:
            if exc.error in CONFIGURATION_ERRORS:
                raise DeliveryFailed(f"Slack: {exc} (check FIREHOUSE_SLACK_BOT_TOKEN)") from None
            raise Refused(f"Slack refused the message ({exc.error})") from None

    def _send(
        self,
        provider: SlackProvider,
        client: WebClient,
        work: NotificationWork,
        text: PageText,
        envelope: Envelope,
    ) -> Delivered:
        user_id = self._user_id(provider, work)
        with translated("conversations.open"):
            opened = client.conversations_open(users=user_id)
        channel_id = str(opened["channel"]["id"])
        key = f"page-notification:{work.notification_id}"
        if envelope.attempt > 1:
            found = provider.find_posted(channel_id, key)
            if found is not None:
                return Delivered(f"{found.channel_id}:{found.ts}")
        with translated("chat.postMessage"):
            answer = client.chat_postMessage(
                channel=channel_id,
                text=text.slack_text,
                blocks=text.slack_blocks(work.page_id, work.person_id),
                metadata={"event_type": POST_EVENT_TYPE, "event_payload": {"key": key}},
                unfurl_links=False,
            )
        return Delivered(f"{answer['channel']}:{answer['ts']}")

    def _user_id(self, provider: SlackProvider, work: NotificationWork) -> str:
        with self.db.read() as session:
            known = what_is_known(session, PROVIDER, [work.person_id])
        matching = match(provider, known)
        if matching.learned:
            with self.db.write() as session:
                for person_id, user in matching.learned:
                    remember(session, PROVIDER, user, self.clock.now(), person_id=person_id)
        user_id = matching.user_ids.get(work.person_id)
        if user_id is None:
            raise Refused("no Slack user found (by chat handle, or by e-mail in Slack)")
        return user_id
