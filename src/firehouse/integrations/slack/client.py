"""`SlackProvider`: firehouse's `ChatProvider` over the Slack Web API, with a bot token.

It is called from outbox handlers, which retry a whole step on `ChatUnavailable`; so
slack_sdk's own retries are off, every failure is translated (see `api_errors`), and what it
creates can be found again after a lost reply (`find_channel`, `channel_creator`,
`find_posted` through message metadata). Posts are paced to Slack's per-channel rate of about
one message a second by waiting, not by failing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from firehouse.chat.provider import (
    Channel,
    ChatRefused,
    ChatUser,
    Message,
    NameTaken,
    Posted,
    Thread,
)
from firehouse.integrations.slack.api_errors import refusal_or_outage, translated
from firehouse.integrations.slack.message_blocks import blocks_for
from firehouse.integrations.slack.permalinks import thread_from_permalink

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
POST_EVENT_TYPE = "firehouse_post"
INVITE_BATCH = 100
PAGE_SIZE = 200
PURPOSE_LIMIT = 250
UNREADABLE = frozenset({"not_in_channel", "thread_not_found"})


class SlackProvider:
    def __init__(
        self,
        api_url: str,
        token: str,
        timeout: float = 10.0,
        *,
        post_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = timeout
        self._client = WebClient(
            token=token,
            base_url=api_url.rstrip("/") + "/",
            # urllib takes fractional seconds; slack_sdk's hint only says int.
            timeout=cast(int, timeout),
            retry_handlers=[],  # the outbox retries the whole step, with back-off
        )
        self._post_interval = post_interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._next_post: dict[str, float] = {}
        self._pace_lock = threading.Lock()
        self._identity: dict[str, str] | None = None

    # who we are ----------------------------------------------------------------------------
    def bot_user_id(self) -> str:
        return self._whoami()["user_id"]

    def _whoami(self) -> dict[str, str]:
        if self._identity is None:
            with translated("auth.test"):
                answer = self._client.auth_test()
            self._identity = {
                "user_id": str(answer["user_id"]),
                "bot_id": str(answer.get("bot_id") or ""),
                "url": str(answer.get("url") or ""),
            }
        return self._identity

    def channel_url(self, channel_id: str) -> str:
        team_url = self._whoami()["url"]
        if team_url:
            return f"{team_url.rstrip('/')}/archives/{channel_id}"
        return f"https://slack.com/app_redirect?channel={channel_id}"

    # channels ------------------------------------------------------------------------------
    def create_channel(self, name: str, *, private: bool) -> Channel:
        self._whoami()  # before creating: a failure here must not strand a new channel
        try:
            with translated("conversations.create"):
                answer = self._client.conversations_create(name=name, is_private=private)
        except ChatRefused as refused:
            if refused.error == "name_taken":
                raise NameTaken(name) from refused
            raise
        channel_id = str(answer["channel"]["id"])
        log.info("slack: created channel %s (%s)", name, channel_id)
        return Channel(channel_id, str(answer["channel"]["name"]), self.channel_url(channel_id))

    def find_channel(self, name: str) -> Channel | None:
        for channel in self._all_channels():
            if channel.get("name") == name:
                return Channel(str(channel["id"]), name, self.channel_url(str(channel["id"])))
        return None

    def _all_channels(self) -> Iterator[dict[str, Any]]:
        cursor: str | None = None
        while True:
            with translated("conversations.list"):
                answer = self._client.conversations_list(
                    types="public_channel,private_channel",
                    exclude_archived=False,
                    limit=PAGE_SIZE,
                    cursor=cursor,
                )
            yield from answer.get("channels") or []
            cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    def channel_creator(self, channel_id: str) -> str | None:
        with translated("conversations.info"):
            answer = self._client.conversations_info(channel=channel_id)
        creator = answer["channel"].get("creator")
        return str(creator) if creator else None

    def describe_channel(self, channel_id: str, *, purpose: str, topic: str) -> None:
        with translated("conversations.setPurpose"):
            self._client.conversations_setPurpose(
                channel=channel_id, purpose=purpose[:PURPOSE_LIMIT]
            )
        with translated("conversations.setTopic"):
            self._client.conversations_setTopic(channel=channel_id, topic=topic[:PURPOSE_LIMIT])

    def add_bookmark(self, channel_id: str, *, title: str, url: str) -> None:
        with translated("bookmarks.add"):
            self._client.bookmarks_add(channel_id=channel_id, title=title, type="link", link=url)

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        """In batches of 100; `force` lets one unknown id not keep the others out."""
        bot = self.bot_user_id()
        wanted = [user for user in dict.fromkeys(user_ids) if user and user != bot]
        for start in range(0, len(wanted), INVITE_BATCH):
            batch = wanted[start : start + INVITE_BATCH]
            try:
                with translated("conversations.invite"):
                    answer = self._client.conversations_invite(
                        channel=channel_id, users=batch, force=True
                    )
            except ChatRefused as refused:
                if refused.error != "already_in_channel":
                    raise
                continue
            for problem in answer.get("errors") or []:
                log.warning(
                    "slack: could not invite %s: %s", problem.get("user"), problem.get("error")
                )

    def archive(self, channel_id: str) -> None:
        try:
            with translated("conversations.archive"):
                self._client.conversations_archive(channel=channel_id)
        except ChatRefused as refused:
            if refused.error != "already_archived":
                raise

    # messages ------------------------------------------------------------------------------
    def post(
        self, channel_id: str, message: Message, *, key: str, thread_ts: str | None = None
    ) -> Posted:
        self._pace(channel_id)
        with translated("chat.postMessage"):
            answer = self._client.chat_postMessage(
                channel=channel_id,
                text=message.text,
                blocks=blocks_for(message),
                thread_ts=thread_ts,
                metadata={"event_type": POST_EVENT_TYPE, "event_payload": {"key": key}},
                unfurl_links=False,
            )
        return Posted(str(answer["channel"]), str(answer["ts"]))

    def find_posted(
        self, channel_id: str, key: str, *, thread_ts: str | None = None
    ) -> Posted | None:
        """Looks among the latest 200 messages (of the thread): a lost reply is recent. A
        channel the bot cannot read (not a member) or a deleted thread holds nothing of ours
        that we could find, so the caller posts."""
        try:
            messages = self._recent(channel_id, thread_ts)
        except ChatRefused as refused:
            if refused.error in UNREADABLE:
                return None
            raise
        for message in messages:
            if self._is_ours(message) and _key_of(message) == key:
                return Posted(channel_id, str(message["ts"]))
        return None

    def _recent(self, channel_id: str, thread_ts: str | None) -> list[dict[str, Any]]:
        if thread_ts:
            with translated("conversations.replies"):
                answer = self._client.conversations_replies(
                    channel=channel_id, ts=thread_ts, include_all_metadata=True, limit=PAGE_SIZE
                )
        else:
            with translated("conversations.history"):
                answer = self._client.conversations_history(
                    channel=channel_id, include_all_metadata=True, limit=PAGE_SIZE
                )
        return list(answer.get("messages") or [])

    def _is_ours(self, message: dict[str, Any]) -> bool:
        me = self._whoami()
        return message.get("user") == me["user_id"] or (
            bool(me["bot_id"]) and message.get("bot_id") == me["bot_id"]
        )

    def message_text(self, channel_id: str, ts: str) -> str | None:
        """The text of one message (top level or in a thread), or None when it is gone."""
        with translated("conversations.history"):
            answer = self._client.conversations_history(
                channel=channel_id, latest=ts, oldest=ts, inclusive=True, limit=1
            )
        found = [m for m in answer.get("messages") or [] if m.get("ts") == ts]
        if not found:
            try:
                with translated("conversations.replies"):
                    answer = self._client.conversations_replies(
                        channel=channel_id, ts=ts, limit=PAGE_SIZE
                    )
            except ChatRefused as refused:
                if refused.error != "thread_not_found":
                    raise
                return None
            found = [m for m in answer.get("messages") or [] if m.get("ts") == ts]
        return str(found[0].get("text") or "") if found else None

    def update(self, channel_id: str, ts: str, message: Message) -> None:
        self._pace(channel_id)
        with translated("chat.update"):
            self._client.chat_update(
                channel=channel_id, ts=ts, text=message.text, blocks=blocks_for(message)
            )

    def _pace(self, channel_id: str) -> None:
        """Reserves the channel's next slot under the lock, then waits outside it."""
        with self._pace_lock:
            now = self._monotonic()
            slot = max(now, self._next_post.get(channel_id, now))
            self._next_post[channel_id] = slot + self._post_interval
        if slot > now:
            self._sleep(slot - now)

    def thread_from_url(self, url: str) -> Thread | None:
        return thread_from_permalink(url)

    # people --------------------------------------------------------------------------------
    def user_by_email(self, email: str) -> ChatUser | None:
        try:
            with translated("users.lookupByEmail"):
                answer = self._client.users_lookupByEmail(email=email)
        except ChatRefused as refused:
            if refused.error == "users_not_found":
                return None
            raise
        return _chat_user(answer["user"])

    def user(self, user_id: str) -> ChatUser | None:
        try:
            with translated("users.info"):
                answer = self._client.users_info(user=user_id)
        except ChatRefused as refused:
            if refused.error in {"user_not_found", "users_not_found"}:
                return None
            raise
        return _chat_user(answer["user"])

    # Slack-only: what the inbound routes need ----------------------------------------------
    def open_modal(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Call at once: a trigger id expires three seconds after the user's action."""
        with translated("views.open"):
            answer = self._client.views_open(trigger_id=trigger_id, view=view)
        return str(answer["view"]["id"])

    def update_modal(self, view_id: str, view: dict[str, Any]) -> None:
        with translated("views.update"):
            self._client.views_update(view_id=view_id, view=view)

    def post_ephemeral(self, channel_id: str, user_id: str, text: str) -> None:
        with translated("chat.postEphemeral"):
            self._client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)

    def permalink(self, channel_id: str, ts: str) -> str:
        with translated("chat.getPermalink"):
            answer = self._client.chat_getPermalink(channel=channel_id, message_ts=ts)
        return str(answer["permalink"])

    def respond(
        self,
        response_url: str,
        text: str,
        *,
        ephemeral: bool = True,
        replace_original: bool = False,
        blocks: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Answers a slash command or interaction later, through the URL Slack gave with it."""
        hook = WebhookClient(response_url, timeout=cast(int, self._timeout), retry_handlers=[])
        with translated("response_url"):
            answer = hook.send(
                text=text,
                blocks=blocks,
                response_type="ephemeral" if ephemeral else "in_channel",
                replace_original=replace_original,
            )
        if answer.status_code != 200:
            raise refusal_or_outage("response_url", answer.status_code, {"error": "http_error"})


def _key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != POST_EVENT_TYPE:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key is not None else None


def _chat_user(user: dict[str, Any]) -> ChatUser:
    profile = user.get("profile") or {}
    return ChatUser(
        id=str(user["id"]),
        email=profile.get("email") or None,
        handle=user.get("name") or None,
        name=user.get("real_name") or profile.get("real_name") or None,
    )
