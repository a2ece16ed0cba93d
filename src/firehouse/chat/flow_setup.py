"""Setting up an incident's channel, one remembered step at a time.

Steps run in order: channel, purpose and topic, bookmarks, invites, summary, thread hand-off.
Each is saved once the provider confirmed it, so a retry after an outage resumes at the step
that failed. Only the channel is essential: when the provider refuses anything else, the
refusal goes on the timeline and setup carries on, because a missing bookmark must not hold
up the summary and the hand-off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from firehouse.chat import messages
from firehouse.chat.naming import alternatives, channel_name
from firehouse.chat.people import chat_users
from firehouse.chat.progress import Context, Entry, channel_claimed_elsewhere, save, save_channel
from firehouse.chat.provider import Channel, ChatProvider, ChatRefused, Message, NameTaken, Posted
from firehouse.clock import Clock
from firehouse.db import Database
from firehouse.outbox.envelope import DeliveryFailed

MAX_NAMES_TRIED = 20
INVITE_BATCH = 100  # Slack's limit per conversations.invite call

Done = tuple[Entry, tuple[str, Posted] | None]  # a step's timeline entry, and its post if any


@dataclass
class Steps:
    """What every step needs: where to record, what to call, and whether a post may be lost.

    `check_posts` is true when an earlier attempt may have posted without hearing back (a
    retried delivery, or setup finished by a later event); the provider is then asked for
    the message's key before posting again, so a lost answer never makes a duplicate.
    """

    db: Database
    clock: Clock
    provider: ChatProvider
    provider_name: str
    settings: dict[str, object]
    check_posts: bool

    def post_once(
        self,
        ctx: Context,
        key: str,
        channel_id: str,
        message: Message,
        *,
        check: bool,
        thread_ts: str | None = None,
    ) -> Posted:
        if key in ctx.posts:
            return ctx.posts[key]
        found = None
        if check:
            found = self.provider.find_posted(channel_id, key, thread_ts=thread_ts)
        return found or self.provider.post(channel_id, message, key=key, thread_ts=thread_ts)

    def invite(self, ctx: Context, keys: Sequence[str], *, step: str | None = None) -> None:
        """Invites whoever of `keys` was not dealt with yet; people with no chat account are
        named on the timeline. `invited` remembers the people (not their chat ids) handled
        either way, so nobody is looked up or named twice."""
        assert ctx.channel is not None  # noqa: S101 -- setup creates the channel first
        todo = [key for key in dict.fromkeys(keys) if key not in ctx.channel.invited]
        entry = None
        if todo:
            matching = chat_users(self.db, self.provider, self.provider_name, todo, now=self.now())
            user_ids = list(dict.fromkeys(matching.user_ids.values()))
            entry = _invited_entry(ctx, list(matching.user_ids), matching.unmatched, user_ids)
            try:
                for start in range(0, len(user_ids), INVITE_BATCH):
                    batch = user_ids[start : start + INVITE_BATCH]
                    self.provider.invite(ctx.channel.channel.id, batch)
            except ChatRefused as refusal:
                entry = _failed("invite " + ", ".join(ctx.names.get(k, k) for k in todo), refusal)
        if todo or step:
            save(self.db, ctx, now=self.now(), step=step, invited=todo, entry=entry)

    def now(self) -> datetime:
        return self.clock.now()


class ChannelSetup(Steps):
    def run(self, ctx: Context, *, private: bool) -> None:
        if ctx.channel is None:
            self._create_channel(ctx, private=private)
        assert ctx.channel is not None  # noqa: S101 -- _create_channel raises or sets it
        for step, action in self._steps(ctx):
            if step not in ctx.channel.steps_done:
                action(ctx, step)

    def _steps(self, ctx: Context) -> list[tuple[str, Callable[[Context, str], None]]]:
        steps: list[tuple[str, Callable[[Context, str], None]]] = [
            ("describe", self._describe),
            ("bookmark:incident", self._bookmark_incident),
        ]
        if ctx.playbook_url:
            steps.append(("bookmark:playbook", self._bookmark_playbook))
        steps += [("invite", self._invite_everyone), ("summary", self._summary)]
        if ctx.source_url and self.provider.thread_from_url(ctx.source_url) is not None:
            steps.append(("handoff", self._handoff))
        return steps

    def _create_channel(self, ctx: Context, *, private: bool) -> None:
        pattern = str(self.settings.get("channel_name") or "incident-{number}")
        base = channel_name(
            pattern, number=ctx.number, service=ctx.service_id, priority=ctx.facts.priority
        )
        for tried, name in enumerate(alternatives(base)):
            if tried >= MAX_NAMES_TRIED:
                break
            channel, adopted = self._take_name(ctx, name, private=private)
            if channel is not None:
                verb = "Took over" if adopted else "Created"
                entry = Entry(
                    "chat.channel_created",
                    f"{verb} channel #{channel.name}",
                    {"channel_id": channel.id, "url": channel.url, "adopted": adopted},
                )
                save_channel(
                    self.db,
                    ctx,
                    channel,
                    provider=self.provider_name,
                    private=private,
                    now=self.now(),
                    entry=entry,
                )
                return
        raise DeliveryFailed(f"no free channel name after {MAX_NAMES_TRIED} tries from #{base}")

    def _take_name(self, ctx: Context, name: str, *, private: bool) -> tuple[Channel | None, bool]:
        try:
            return self.provider.create_channel(name, private=private), False
        except NameTaken:
            return self._adoptable(ctx, name), True
        except ChatRefused as refusal:
            raise DeliveryFailed(
                f"chat refused to create channel #{name}: {refusal.error}"
            ) from refusal

    def _adoptable(self, ctx: Context, name: str) -> Channel | None:
        """The taken name's channel, when it is the one a lost attempt of ours created."""
        found = self.provider.find_channel(name)
        if found is None or self.provider.channel_creator(found.id) != self.provider.bot_user_id():
            return None
        return None if channel_claimed_elsewhere(self.db, found.id, ctx.incident_id) else found

    def _optional(self, ctx: Context, step: str, what: str, call: Callable[[], Done]) -> None:
        post = None
        try:
            entry, post = call()
        except ChatRefused as refusal:
            entry = _failed(what, refusal)
        save(self.db, ctx, now=self.now(), step=step, post=post, entry=entry)

    def _describe(self, ctx: Context, step: str) -> None:
        channel_id, url = _channel(ctx).id, ctx.facts.url

        def call() -> Done:
            self.provider.describe_channel(channel_id, purpose=url, topic=url)
            text = f"Set the channel's purpose and topic to {url}"
            return Entry("chat.channel_described", text), None

        self._optional(ctx, step, "set the channel's purpose and topic", call)

    def _bookmark_incident(self, ctx: Context, step: str) -> None:
        self._bookmark(ctx, step, "Incident page", ctx.facts.url)

    def _bookmark_playbook(self, ctx: Context, step: str) -> None:
        self._bookmark(ctx, step, "Playbook", ctx.playbook_url or "")

    def _bookmark(self, ctx: Context, step: str, title: str, url: str) -> None:
        def call() -> Done:
            self.provider.add_bookmark(_channel(ctx).id, title=title, url=url)
            return Entry("chat.bookmark_added", f"Bookmarked {title}: {url}", {"url": url}), None

        self._optional(ctx, step, f"bookmark {title}", call)

    def _invite_everyone(self, ctx: Context, step: str) -> None:
        self.invite(ctx, ctx.people_to_invite(), step=step)

    def _summary(self, ctx: Context, step: str) -> None:
        channel = _channel(ctx)

        def call() -> Done:
            posted = self.post_once(
                ctx, "summary", channel.id, messages.summary(ctx.facts), check=self.check_posts
            )
            text = f"Posted the incident summary in #{channel.name}"
            return Entry("chat.summary_posted", text), ("summary", posted)

        self._optional(ctx, step, "post the summary", call)

    def _handoff(self, ctx: Context, step: str) -> None:
        channel = _channel(ctx)
        thread = self.provider.thread_from_url(ctx.source_url or "")
        if thread is None:
            return
        message = messages.handoff(
            number=ctx.number, channel_name=channel.name, channel_url=channel.url
        )

        def call() -> Done:
            posted = self.post_once(
                ctx,
                "handoff",
                thread.channel_id,
                message,
                check=self.check_posts,
                thread_ts=thread.ts,
            )
            text = f"Replied in the report's thread, directing everyone to #{channel.name}"
            return Entry("chat.handoff_posted", text), ("handoff", posted)

        self._optional(ctx, step, "reply in the report's thread", call)


def _channel(ctx: Context) -> Channel:
    assert ctx.channel is not None  # noqa: S101 -- steps run only once the channel exists
    return ctx.channel.channel


def _failed(what: str, refusal: ChatRefused) -> Entry:
    return Entry("chat.step_failed", f"Could not {what}: {refusal.error}", {"error": refusal.error})


def _invited_entry(
    ctx: Context, keys: list[str], unmatched: list[str], user_ids: list[str]
) -> Entry | None:
    if not keys and not unmatched:
        return None
    parts = []
    if keys:
        parts.append("Invited " + ", ".join(ctx.names.get(key, key) for key in keys))
    if unmatched:
        parts.append("not found in chat: " + ", ".join(ctx.names.get(k, k) for k in unmatched))
    data: dict[str, object] = {"user_ids": user_ids, "unmatched": unmatched}
    return Entry("chat.invited", "; ".join(parts), data)
