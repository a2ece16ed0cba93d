"""What firehouse needs from a chat system, and nothing about how one provides it.

The chat flow (`firehouse.chat.flow`) talks only to this Protocol; Slack implements it in
`firehouse.integrations.slack`, a console twin in `firehouse.chat.console`, and a second
provider (Mattermost, Matrix, Teams) can be added without touching the flow or the domain.

Every method may raise `ChatUnavailable` (the provider is down, slow or throttling us: try the
whole step again later) or `ChatRefused` (it answered and said no: retrying the same call will
not help). Both messages are shown to operators and must never contain a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    url: str


@dataclass(frozen=True)
class Posted:
    """Where a message landed; `ts` is its id within the channel (Slack's message timestamp)."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class Thread:
    """A message thread, found from its permalink, that a reply can be posted into."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class Message:
    """Provider-neutral content. `text` (mrkdwn-style) is the whole message on its own; the
    fields and context let a provider lay it out richer (Slack blocks)."""

    text: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    context: str | None = None
    links: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class ChatUser:
    id: str
    email: str | None = None
    handle: str | None = None
    name: str | None = None


class ChatUnavailable(Exception):
    """Transient: retry later, after `retry_after` seconds when the provider said so."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatRefused(Exception):
    """Permanent for this call: `error` is the provider's error code (e.g. `channel_not_found`)."""

    def __init__(self, error: str, message: str | None = None) -> None:
        super().__init__(message or error)
        self.error = error


class NameTaken(ChatRefused):
    def __init__(self, name: str) -> None:
        super().__init__("name_taken", f"a channel named '{name}' already exists")
        self.name = name


class ChatProvider(Protocol):
    def create_channel(self, name: str, *, private: bool) -> Channel:
        """Raises NameTaken when the name is in use (including by an archived channel)."""

    def find_channel(self, name: str) -> Channel | None:
        """The channel of that name that this app can see, archived or not."""

    def channel_creator(self, channel_id: str) -> str | None:
        """Who created a channel: lets a retry adopt the channel its lost attempt created."""

    def bot_user_id(self) -> str:
        """The user firehouse itself acts as."""

    def describe_channel(self, channel_id: str, *, purpose: str, topic: str) -> None: ...

    def add_bookmark(self, channel_id: str, *, title: str, url: str) -> None: ...

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        """Adds people; someone already in the channel is not an error."""

    def post(
        self, channel_id: str, message: Message, *, key: str, thread_ts: str | None = None
    ) -> Posted:
        """Posts, tagged with `key` so that `find_posted` finds it after a lost answer."""

    def find_posted(
        self, channel_id: str, key: str, *, thread_ts: str | None = None
    ) -> Posted | None:
        """A message this app posted with `key` in the channel (or thread), if any."""

    def update(self, channel_id: str, ts: str, message: Message) -> None: ...

    def archive(self, channel_id: str) -> None: ...

    def thread_from_url(self, url: str) -> Thread | None:
        """The thread a permalink points at, or None when the URL is not this provider's."""

    def user_by_email(self, email: str) -> ChatUser | None: ...

    def user(self, user_id: str) -> ChatUser | None: ...
