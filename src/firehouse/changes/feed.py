"""The change feed: "something you watch may have changed, look again".

Readers that show live state (an incident page's event stream, the public status page
snapshot) used to poll the database on a timer in every process. The feed tells them when to
look instead. It carries hints, never data: a subscriber woken for nothing reads nothing
new, and a subscriber that is not woken still looks now and then (see `cross_process`), so a
lost hint delays an update but never loses it.

Two channels: `INCIDENT`, keyed by the incident id (as text), for its row and its timeline
entries; and `STATUSPAGE`, unkeyed, for anything the public status page shows. A hint
without a key means "every key of this channel".

This module holds the in-process hub every feed shares. Which process's changes reach it
depends on the implementation: `firehouse.changes.postgres` hears every process's commits
(LISTEN/NOTIFY); `firehouse.changes.sessions` hears only this process's (SQLite).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from contextlib import suppress

INCIDENT = "incident"
STATUSPAGE = "statuspage"
CHANNELS = (INCIDENT, STATUSPAGE)


class Subscription:
    """One reader's view of a channel (or of one key in it): a "changed since you last
    looked" flag, waited on from a thread, from asyncio, or answered by a callback.

    Waiting clears the flag before returning, so the reader must look *after* a wait: a
    change landing while it looks sets the flag again and the next wait returns at once.
    """

    def __init__(
        self, hub: ChangeFeed, channel: str, key: str | None, callback: Callable[[], None] | None
    ) -> None:
        self.channel = channel
        self.key = key
        self._hub = hub
        self._callback = callback
        self._flag = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def notify(self) -> None:
        """From any thread: set the flag and wake whoever waits. Never blocks."""
        self._flag.set()
        with self._lock:
            waiters = list(self._waiters)
        for loop, future in waiters:
            with suppress(RuntimeError):  # that loop has closed; its waiter is gone too
                loop.call_soon_threadsafe(_settle, future)
        if self._callback is not None:
            self._callback()

    def wait(self, timeout: float) -> bool:
        """Block this thread until a change or `timeout` seconds; True if something changed."""
        changed = self._flag.wait(timeout)
        self._flag.clear()
        return changed

    async def changed(self, timeout: float) -> bool:
        """The same for a coroutine, without tying up a thread while it waits."""
        if not self._flag.is_set():
            loop = asyncio.get_running_loop()
            future: asyncio.Future[None] = loop.create_future()
            entry = (loop, future)
            with self._lock:
                self._waiters.append(entry)
            try:
                if not self._flag.is_set():  # set between the check and the append
                    await asyncio.wait((future,), timeout=timeout)
            finally:
                with self._lock:
                    self._waiters.remove(entry)
                future.cancel()
        changed = self._flag.is_set()
        self._flag.clear()
        return changed

    def close(self) -> None:
        self._hub.unsubscribe(self)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ChangeFeed:
    """The hub, and the feed for a single process: only `publish` feeds it.

    Subscriptions are held weakly, so a reader that vanishes without closing (a stream whose
    generator was never finalised) does not stay subscribed for the life of the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[str, weakref.WeakSet[Subscription]] = {
            channel: weakref.WeakSet() for channel in CHANNELS
        }

    @property
    def cross_process(self) -> bool:
        """True while other processes' changes reach this feed too. While False, a reader
        must keep polling at its old pace: a wake is a bonus, its absence proves nothing."""
        return False

    def subscribe(
        self, channel: str, key: str | None = None, *, callback: Callable[[], None] | None = None
    ) -> Subscription:
        """Watch `channel` (or one `key` of it). A callback runs in the publishing thread.

        Keep the subscription while watching: the feed holds it weakly."""
        subscription = Subscription(self, channel, key, callback)
        with self._lock:
            self._subscriptions[channel].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions[subscription.channel].discard(subscription)

    def publish(self, channel: str, key: str | None = None) -> None:
        """Wake the subscribers of `key`, and those of the whole channel; no key wakes all."""
        with self._lock:
            chosen = [
                subscription
                for subscription in self._subscriptions.get(channel, ())
                if key is None or subscription.key is None or subscription.key == key
            ]
        for subscription in chosen:
            subscription.notify()

    def publish_everything(self) -> None:
        """When hints may have been lost (a dropped connection): everyone looks again."""
        for channel in CHANNELS:
            self.publish(channel)

    def start(self) -> None:
        """Nothing to start: `publish` is called directly."""

    def stop(self) -> None:
        """Nothing to stop."""
