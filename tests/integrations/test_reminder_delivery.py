"""Reminders reach the incident's chat channel through the outbox, once, even when the chat
provider fails or loses an answer; with no chat configured they are logged and recorded."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from firehouse.catalog.config import ChatConfig
from firehouse.chat.flow import ChatFlow
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.guidance.reminder_delivery import Nudge, ReminderDelivery, message
from firehouse.guidance.reminder_service import run_reminder_pass
from firehouse.incidents.model import TimelineEntry
from firehouse.outbox.append import append_addressed
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import OutboxDelivery, Subscription
from tests.factories import declare
from tests.fakes.chat import FakeChannel, FakeChatProvider

BASE_URL = "https://firehouse.example.com"


@pytest.fixture
def chat() -> FakeChatProvider:
    provider = FakeChatProvider()
    provider.add_user("UALICE", "alice@example.com", handle="alice")
    return provider


def subscribe(db: Database, *, with_chat: bool) -> None:
    with db.write() as session:
        session.add(
            Subscription(name="reminders", kind="reminders", event_types=["guidance.reminder"])
        )
        if with_chat:
            session.add(
                Subscription(
                    name="chat",
                    kind="chat",
                    event_types=["incident.*"],
                    settings=ChatConfig().model_dump(),
                )
            )


def dispatcher(db: Database, clock: FakeClock, chat: FakeChatProvider) -> Dispatcher:
    handlers = {
        "chat": ChatFlow(db, clock, BASE_URL, lambda _settings: chat),
        "reminders": ReminderDelivery(db, clock, lambda _settings: chat),
    }
    return Dispatcher(db, handlers, clock)  # type: ignore[arg-type]


def reminder_texts(channel: FakeChannel) -> list[str]:
    return [m.message.text for m in channel.messages if m.key.startswith("reminder:")]


def sent_entries(db: Database) -> list[str]:
    with db.read() as session:
        rows = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.kind == "guidance.reminder_sent")
        )
        return list(rows)


def no_commander_due(db: Database, clock: FakeClock, chat: FakeChatProvider) -> Dispatcher:
    subscribe(db, with_chat=True)
    running = dispatcher(db, clock, chat)
    declare(db, clock.now(), priority="P1")
    running.run_until_idle()  # the channel is set up
    clock.advance(minutes=5)
    assert run_reminder_pass(db, clock.now()) == 1
    return running


def test_a_reminder_is_posted_to_the_incident_channel(
    seeded_db: Database, clock: FakeClock, chat: FakeChatProvider
) -> None:
    no_commander_due(seeded_db, clock, chat).run_until_idle()
    channel = chat.named("incident-1")
    assert channel is not None
    [text] = reminder_texts(channel)
    assert "has no commander yet" in text
    assert len(sent_entries(seeded_db)) == 1


def test_a_reminder_reaches_the_channel_once_when_chat_fails_once(
    seeded_db: Database, clock: FakeClock, chat: FakeChatProvider
) -> None:
    running = no_commander_due(seeded_db, clock, chat)
    chat.fail_next("post")
    running.run_until_idle()
    clock.advance(minutes=1)
    running.run_until_idle()
    channel = chat.named("incident-1")
    assert channel is not None
    assert len(reminder_texts(channel)) == 1
    assert len(sent_entries(seeded_db)) == 1
    with seeded_db.read() as session:
        states = set(session.scalars(select(OutboxDelivery.state)))
    assert states == {"delivered"}


def test_a_lost_answer_does_not_post_the_reminder_twice(
    seeded_db: Database, clock: FakeClock, chat: FakeChatProvider
) -> None:
    running = no_commander_due(seeded_db, clock, chat)
    chat.lose_answer("post")
    running.run_until_idle()
    clock.advance(minutes=1)
    running.run_until_idle()
    channel = chat.named("incident-1")
    assert channel is not None
    assert len(reminder_texts(channel)) == 1
    assert len(sent_entries(seeded_db)) == 1


def test_without_chat_a_reminder_is_logged_and_recorded(
    seeded_db: Database,
    clock: FakeClock,
    chat: FakeChatProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    subscribe(seeded_db, with_chat=False)
    running = dispatcher(seeded_db, clock, chat)
    declare(seeded_db, clock.now(), priority="P1")
    clock.advance(minutes=5)
    run_reminder_pass(seeded_db, clock.now())
    with caplog.at_level(logging.INFO, logger="firehouse.guidance.reminder_delivery"):
        running.run_until_idle()
    assert "for incident 1 (no chat channel)" in caplog.text
    assert "has no commander yet" not in caplog.text  # the words go to chat, not the log
    assert chat.called("post") == []
    [entry] = sent_entries(seeded_db)
    assert entry.startswith("Reminder sent: ")


def test_a_commander_chat_knows_is_mentioned_so_their_chat_notifies_them(
    seeded_db: Database, clock: FakeClock, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, with_chat=True)
    running = dispatcher(seeded_db, clock, chat)
    declare(seeded_db, clock.now(), priority="P1", commander="alice")
    running.run_until_idle()  # the channel is set up; alice is matched to UALICE on invite
    with seeded_db.write() as session:
        append_addressed(
            session,
            type="guidance.reminder",
            stream="incident:1",
            data={
                "incident": {"number": 1},
                "reminder": "status_update_due",
                "text": "No public update for 30 minutes",
                "due_at": clock.now().isoformat(),
                "commander": "alice",
            },
            subscription="reminders",
            now=clock.now(),
        )
    running.run_until_idle()
    channel = chat.named("incident-1")
    assert channel is not None
    [posted] = [m.message for m in channel.messages if m.key.startswith("reminder:")]
    assert posted.context == "Commander: <@UALICE>"


def test_a_commander_chat_does_not_know_is_named() -> None:
    nudge = Nudge(1, "no_commander", "Still open", "2026-01-01T00:00:00+00:00", "maya")
    assert message(nudge).context == "Commander: maya"
    assert message(nudge, "U42").context == "Commander: <@U42>"
