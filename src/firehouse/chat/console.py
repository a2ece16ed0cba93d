"""`ConsoleChatProvider`: the chat provider used when no Slack bot token is set.

It does what a chat system would, in memory, and logs each action, so `make run` shows the
whole chat flow (channel, invites, summary, updates) with nothing configured. Channel ids
carry a random prefix per process (`C3F9A1B0001`), so ids stay unique across restarts and an
incident is never confused with an older one by its channel id. Nothing secret passes
through it; it logs names, ids and message titles only, and no text of private channels.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from firehouse.chat.provider import Channel, ChatUser, Message, NameTaken, Posted, Thread

log = logging.getLogger(__name__)

BOT_USER_ID = "UFIREHOUSE"
WITHHELD = "(private channel: text withheld)"


@dataclass
class ConsoleChannel:
    channel: Channel
    private: bool
    purpose: str = ""
    topic: str = ""
    members: set[str] = field(default_factory=set)
    bookmarks: list[tuple[str, str]] = field(default_factory=list)
    archived: bool = False


@dataclass
class ConsolePost:
    posted: Posted
    key: str
    message: Message
    thread_ts: str | None


class ConsoleChatProvider:
    def __init__(self, base_url: str = "console://chat") -> None:
        self._base_url = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._counter = 0
        self._prefix = secrets.token_hex(3).upper()
        self.channels: dict[str, ConsoleChannel] = {}
        self.posts: list[ConsolePost] = []

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def bot_user_id(self) -> str:
        return BOT_USER_ID

    def create_channel(self, name: str, *, private: bool) -> Channel:
        with self._lock:
            if any(c.channel.name == name for c in self.channels.values()):
                raise NameTaken(name)
            self._counter += 1
            channel_id = f"C{self._prefix}{self._counter:04d}"
            channel = Channel(channel_id, name, f"{self._base_url}/{channel_id}")
            self.channels[channel_id] = ConsoleChannel(channel, private, members={BOT_USER_ID})
        log.info("chat (console): created %s channel #%s (%s)", _kind(private), name, channel_id)
        return channel

    def find_channel(self, name: str) -> Channel | None:
        return next((c.channel for c in self.channels.values() if c.channel.name == name), None)

    def channel_creator(self, channel_id: str) -> str | None:
        return BOT_USER_ID if channel_id in self.channels else None

    def describe_channel(self, channel_id: str, *, purpose: str, topic: str) -> None:
        channel = self.channels[channel_id]
        channel.purpose, channel.topic = purpose, topic
        shown = WITHHELD if channel.private else purpose
        log.info("chat (console): #%s purpose and topic set to %s", channel.channel.name, shown)

    def add_bookmark(self, channel_id: str, *, title: str, url: str) -> None:
        channel = self.channels[channel_id]
        channel.bookmarks.append((title, url))
        log.info("chat (console): #%s bookmark %r -> %s", channel.channel.name, title, url)

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        channel = self.channels[channel_id]
        new = sorted(set(user_ids) - channel.members)
        channel.members.update(new)
        log.info("chat (console): #%s invited %s", channel.channel.name, ", ".join(new) or "nobody")

    def post(
        self, channel_id: str, message: Message, *, key: str, thread_ts: str | None = None
    ) -> Posted:
        posted = Posted(channel_id, self._ts())
        self.posts.append(ConsolePost(posted, key, message, thread_ts))
        where = f" (thread {thread_ts})" if thread_ts else ""
        log.info(
            "chat (console): posted in %s%s: %s",
            channel_id,
            where,
            self._shown(channel_id, message),
        )
        return posted

    def find_posted(
        self, channel_id: str, key: str, *, thread_ts: str | None = None
    ) -> Posted | None:
        return next(
            (
                p.posted
                for p in self.posts
                if p.posted.channel_id == channel_id and p.key == key and p.thread_ts == thread_ts
            ),
            None,
        )

    def update(self, channel_id: str, ts: str, message: Message) -> None:
        for index, post in enumerate(self.posts):
            if post.posted == Posted(channel_id, ts):
                self.posts[index] = ConsolePost(post.posted, post.key, message, post.thread_ts)
        log.info(
            "chat (console): updated %s in %s: %s", ts, channel_id, self._shown(channel_id, message)
        )

    def _shown(self, channel_id: str, message: Message) -> str:
        """A private incident's words stay out of the log, which more people read than the
        incident's participants."""
        channel = self.channels.get(channel_id)
        return WITHHELD if channel is not None and channel.private else _headline(message)

    def archive(self, channel_id: str) -> None:
        self.channels[channel_id].archived = True
        log.info("chat (console): archived #%s", self.channels[channel_id].channel.name)

    def thread_from_url(self, url: str) -> Thread | None:
        """No chat system, so no thread a report could have come from."""
        log.debug("chat (console): %s is not a chat thread", url)
        return None

    def user_by_email(self, email: str) -> ChatUser | None:
        """No chat users: people are invited by the ids firehouse already knows, or not."""
        log.debug("chat (console): no chat user has the email %s", email)
        return None

    def user(self, user_id: str) -> ChatUser | None:
        log.debug("chat (console): no chat user %s", user_id)
        return None

    def messages_in(self, channel_id: str) -> list[Message]:
        return [p.message for p in self.posts if p.posted.channel_id == channel_id]

    def _ts(self) -> str:
        return f"1700000000.{self._next():06d}"


def _kind(private: bool) -> str:
    return "private" if private else "public"


def _headline(message: Message) -> str:
    first = message.title or message.text
    return first.splitlines()[0] if first else ""
