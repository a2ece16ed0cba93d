"""The workspace a Slack emulator serves: users, channels, messages, views, and the Web API
methods over them, with Slack's response shapes and error codes.

No HTTP here: `tests.fakes.slack_methods` implements the Web API methods over this state, and
`tests.fakes.slack_api.SlackEmulator` serves them over HTTP and adds the failures.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

TEAM_URL = "https://firehouse-test.slack.com/"
BOT_USER_ID = "U0FIREBOT1"
BOT_ID = "B0FIREBOT1"
CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")
TRIGGER_TTL_SECONDS = 3.0

Json = dict[str, Any]


class SlackError(Exception):
    """An `ok: false` answer; `extra` is merged into the body (e.g. `errors`)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class User:
    id: str
    email: str | None = None
    name: str | None = None
    handle: str | None = None
    is_bot: bool = False

    def as_json(self) -> Json:
        profile = {"email": self.email, "real_name": self.name, "display_name": self.handle}
        return {
            "id": self.id,
            "team_id": "T0FIRETEST",
            "name": self.handle or self.id.lower(),
            "real_name": self.name,
            "is_bot": self.is_bot,
            "deleted": False,
            "profile": {k: v for k, v in profile.items() if v is not None},
        }


@dataclass
class Channel:
    id: str
    name: str
    creator: str
    is_private: bool = False
    created: int = 1_700_000_000
    members: list[str] = field(default_factory=list)
    purpose: str = ""
    topic: str = ""
    bookmarks: list[Json] = field(default_factory=list)
    archived: bool = False

    def as_json(self, viewer: str) -> Json:
        def text(value: str) -> Json:
            return {"value": value, "creator": self.creator if value else "", "last_set": 0}

        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_private": self.is_private,
            "is_archived": self.archived,
            "is_general": False,
            "is_member": viewer in self.members,
            "created": self.created,
            "creator": self.creator,
            "num_members": len(self.members),
            "purpose": text(self.purpose),
            "topic": text(self.topic),
        }


@dataclass
class SlackMessage:
    ts: str
    text: str
    user: str
    blocks: list[Json] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: Json | None = None
    edited: bool = False

    def as_json(self, *, with_metadata: bool, replies: int = 0) -> Json:
        body: Json = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.user == BOT_USER_ID:
            body["bot_id"] = BOT_ID
        if self.blocks:
            body["blocks"] = self.blocks
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if replies:
            body |= {"thread_ts": self.ts, "reply_count": replies}
        if self.edited:
            body["edited"] = {"user": self.user, "ts": self.ts}
        if with_metadata and self.metadata:
            body["metadata"] = self.metadata
        return body


@dataclass
class SlackWorkspace:
    """Everything the emulator knows; tests read these attributes directly."""

    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: dict[str, list[SlackMessage]] = field(default_factory=dict)
    ephemeral: list[Json] = field(default_factory=list)
    views: dict[str, Json] = field(default_factory=dict)
    views_opened: list[Json] = field(default_factory=list)
    home_tabs: dict[str, Json] = field(default_factory=dict)
    invite_batches: list[list[str]] = field(default_factory=list)
    triggers: dict[str, float] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.users[BOT_USER_ID] = User(
            BOT_USER_ID, name="firehouse", handle="firehouse", is_bot=True
        )

    # seeding and reading -------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):09d}"

    def new_ts(self) -> str:
        micros = next(self._ts) * 100
        return f"{1_700_000_000 + micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_channel(
        self,
        name: str,
        *,
        private: bool = False,
        creator: str = "U0SOMEONE1",
        members: Sequence[str] = (),
    ) -> Channel:
        people = list(dict.fromkeys([creator, *members]))
        channel = Channel(self.new_id("C"), name, creator, private, members=people)
        self.channels[channel.id] = channel
        self.messages[channel.id] = []
        return channel

    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def new_trigger_id(self) -> str:
        trigger = f"{next(self._ids)}.{1_700_000_000}.{'f' * 32}"
        self.triggers[trigger] = self.clock() + TRIGGER_TTL_SECONDS
        return trigger

    # helpers the methods share -------------------------------------------------------------
    def channel(self, params: Json, key: str = "channel") -> Channel:
        ref = str(params.get(key) or "")
        if not ref:
            raise SlackError("channel_not_found")
        found = self.channels.get(ref) or self.channel_named(ref.lstrip("#"))
        if found is None or (found.is_private and BOT_USER_ID not in found.members):
            raise SlackError("channel_not_found")
        return found

    def writable(self, params: Json, key: str = "channel") -> Channel:
        channel = self.channel(params, key)
        if channel.archived:
            raise SlackError("is_archived")
        return channel

    def message(self, channel: Channel, ts: str) -> SlackMessage:
        found = next((m for m in self.messages[channel.id] if m.ts == ts), None)
        if found is None:
            raise SlackError("message_not_found")
        return found

    def replies_to(self, channel: Channel, ts: str) -> list[SlackMessage]:
        return [m for m in self.messages[channel.id] if m.thread_ts == ts and m.ts != ts]

    def user(self, user_id: str) -> User:
        if user_id not in self.users:
            raise SlackError("user_not_found")
        return self.users[user_id]
