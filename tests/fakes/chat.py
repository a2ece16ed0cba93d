"""An in-memory chat system behind the ChatProvider Protocol, for testing the chat flow.

It keeps channels, members, bookmarks and messages as a real workspace would, logs every call,
and can be told to fail: `fail_next(method, n, error)` makes the next n calls of a method raise
(ChatUnavailable with a Retry-After, or ChatRefused), and `lose_answer(method, n)` makes the
next n calls do their work and then raise ChatUnavailable, as when a reply is lost on the way.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from firehouse.chat.provider import (
    Channel,
    ChatProvider,
    ChatRefused,
    ChatUnavailable,
    ChatUser,
    Message,
    NameTaken,
    Posted,
    Thread,
)

T = TypeVar("T")

BOT = "UBOT"
WORKSPACE = "https://fake.slack.test"
_PERMALINK = re.compile(r"^https://fake\.slack\.test/archives/(C\w+)/p(\d{10})(\d{6})$")


@dataclass
class FakeMessage:
    ts: str
    key: str
    message: Message
    thread_ts: str | None = None
    edits: int = 0


@dataclass
class FakeChannel:
    id: str
    name: str
    private: bool
    creator: str
    purpose: str = ""
    topic: str = ""
    archived: bool = False
    members: set[str] = field(default_factory=set)
    bookmarks: list[tuple[str, str]] = field(default_factory=list)
    messages: list[FakeMessage] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{WORKSPACE}/archives/{self.id}"

    def texts(self, *, thread_ts: str | None = None) -> list[str]:
        return [m.message.text for m in self.messages if m.thread_ts == thread_ts]


class FakeChatProvider:
    def __init__(self) -> None:
        self.channels: dict[str, FakeChannel] = {}
        self.users: dict[str, ChatUser] = {}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._failures: dict[str, list[Exception]] = {}
        self._lost: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    # -- arranging the workspace and its failures ------------------------------------------

    def add_user(self, user_id: str, email: str, handle: str | None = None) -> ChatUser:
        user = ChatUser(id=user_id, email=email, handle=handle, name=handle)
        self.users[user_id] = user
        return user

    def add_channel(self, name: str, *, creator: str = "UHUMAN") -> FakeChannel:
        channel = FakeChannel(f"C{next(self._ids):04d}", name, private=False, creator=creator)
        channel.members.add(creator)
        self.channels[channel.id] = channel
        return channel

    def add_thread(self, channel_name: str = "incidents") -> tuple[FakeChannel, str]:
        """A report in a channel, and its permalink."""
        channel = self.named(channel_name) or self.add_channel(channel_name)
        ts = self._next_ts()
        channel.messages.append(FakeMessage(ts, "", Message(text="the site is down")))
        seconds, micros = ts.split(".")
        return channel, f"{WORKSPACE}/archives/{channel.id}/p{seconds}{micros}"

    def fail_next(self, method: str, times: int = 1, error: Exception | None = None) -> None:
        error = error or ChatUnavailable("chat is down", retry_after=30)
        self._failures.setdefault(method, []).extend([error] * times)

    def lose_answer(self, method: str, times: int = 1) -> None:
        self._lost[method] = self._lost.get(method, 0) + times

    # -- reading what happened -------------------------------------------------------------

    def named(self, name: str) -> FakeChannel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def called(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, args in self.calls if name == method]

    # -- the ChatProvider Protocol ---------------------------------------------------------

    def create_channel(self, name: str, *, private: bool) -> Channel:
        self._enter("create_channel", name, private)
        if self.named(name) is not None:
            raise NameTaken(name)
        channel = self.add_channel(name, creator=BOT)
        channel.private = private
        return self._leave("create_channel", Channel(channel.id, name, channel.url))

    def find_channel(self, name: str) -> Channel | None:
        self._enter("find_channel", name)
        found = self.named(name)
        return self._leave("find_channel", Channel(found.id, name, found.url) if found else None)

    def channel_creator(self, channel_id: str) -> str | None:
        self._enter("channel_creator", channel_id)
        return self._leave("channel_creator", self._channel(channel_id).creator)

    def bot_user_id(self) -> str:
        self._enter("bot_user_id")
        return self._leave("bot_user_id", BOT)

    def describe_channel(self, channel_id: str, *, purpose: str, topic: str) -> None:
        self._enter("describe_channel", channel_id, purpose, topic)
        channel = self._open_channel(channel_id)
        channel.purpose, channel.topic = purpose, topic
        self._leave("describe_channel", None)

    def add_bookmark(self, channel_id: str, *, title: str, url: str) -> None:
        self._enter("add_bookmark", channel_id, title, url)
        self._open_channel(channel_id).bookmarks.append((title, url))
        self._leave("add_bookmark", None)

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        self._enter("invite", channel_id, tuple(user_ids))
        if len(user_ids) > 100:
            raise ChatRefused("too_many_users")
        unknown = [uid for uid in user_ids if uid not in self.users]
        if unknown:
            raise ChatRefused("user_not_found")
        self._open_channel(channel_id).members.update(user_ids)
        self._leave("invite", None)

    def post(
        self, channel_id: str, message: Message, *, key: str, thread_ts: str | None = None
    ) -> Posted:
        self._enter("post", channel_id, key, thread_ts)
        channel = self._open_channel(channel_id)
        ts = self._next_ts()
        channel.messages.append(FakeMessage(ts, key, message, thread_ts))
        return self._leave("post", Posted(channel_id, ts))

    def find_posted(
        self, channel_id: str, key: str, *, thread_ts: str | None = None
    ) -> Posted | None:
        self._enter("find_posted", channel_id, key, thread_ts)
        found = next(
            (
                m
                for m in self._channel(channel_id).messages
                if m.key == key and m.thread_ts == thread_ts
            ),
            None,
        )
        return self._leave("find_posted", Posted(channel_id, found.ts) if found else None)

    def update(self, channel_id: str, ts: str, message: Message) -> None:
        self._enter("update", channel_id, ts)
        channel = self._open_channel(channel_id)
        target = next((m for m in channel.messages if m.ts == ts), None)
        if target is None:
            raise ChatRefused("message_not_found")
        target.message, target.edits = message, target.edits + 1
        self._leave("update", None)

    def archive(self, channel_id: str) -> None:
        self._enter("archive", channel_id)
        channel = self._channel(channel_id)
        if channel.archived:
            raise ChatRefused("already_archived")
        channel.archived = True
        self._leave("archive", None)

    def thread_from_url(self, url: str) -> Thread | None:
        found = _PERMALINK.match(url)
        if found is None:
            return None
        return Thread(found.group(1), f"{found.group(2)}.{found.group(3)}")

    def user_by_email(self, email: str) -> ChatUser | None:
        self._enter("user_by_email", email)
        found = next((u for u in self.users.values() if u.email == email), None)
        return self._leave("user_by_email", found)

    def user(self, user_id: str) -> ChatUser | None:
        self._enter("user", user_id)
        return self._leave("user", self.users.get(user_id))

    # -- plumbing ----------------------------------------------------------------------------

    def _enter(self, method: str, *args: Any) -> None:
        self.calls.append((method, args))
        pending = self._failures.get(method)
        if pending:
            raise pending.pop(0)

    def _leave(self, method: str, result: T) -> T:
        if self._lost.get(method):
            self._lost[method] -= 1
            raise ChatUnavailable(f"{method}: the answer was lost (timeout)")
        return result

    def _channel(self, channel_id: str) -> FakeChannel:
        if channel_id not in self.channels:
            raise ChatRefused("channel_not_found")
        return self.channels[channel_id]

    def _open_channel(self, channel_id: str) -> FakeChannel:
        channel = self._channel(channel_id)
        if channel.archived:
            raise ChatRefused("is_archived")
        return channel

    def _next_ts(self) -> str:
        return f"1767268800.{next(self._ts):06d}"


def _conforms(provider: FakeChatProvider) -> ChatProvider:
    """mypy checks here that the fake keeps up with the Protocol."""
    return provider
