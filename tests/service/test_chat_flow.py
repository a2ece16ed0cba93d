"""The outbound chat flow, driven through the real outbox dispatcher on both databases."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from firehouse.app import build_dispatcher, chat_providers
from firehouse.catalog.config import ChatConfig
from firehouse.catalog.model import Person
from firehouse.chat.console import ConsoleChatProvider
from firehouse.chat.flow import ChatFlow
from firehouse.chat.model import ChatIdentity, ChatPost, IncidentChannel
from firehouse.chat.provider import ChatRefused, ChatUnavailable
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents import roles, service
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.integrations.slack.client import SlackProvider
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.model import OutboxDelivery, Subscription
from firehouse.settings import Settings
from tests.factories import declare
from tests.fakes.chat import BOT, FakeChannel, FakeChatProvider

BASE_URL = "https://firehouse.example.com"
USERS = {"alice": "UALICE", "bob": "UBOB", "carol": "UCAROL"}  # dan has no chat account


@pytest.fixture
def chat() -> FakeChatProvider:
    provider = FakeChatProvider()
    for person, user_id in USERS.items():
        provider.add_user(user_id, f"{person}@example.com", handle=person)
    return provider


@pytest.fixture
def flow(seeded_db: Database, clock: FakeClock, chat: FakeChatProvider) -> ChatFlow:
    return ChatFlow(seeded_db, clock, BASE_URL, lambda _settings: chat)


@pytest.fixture
def dispatcher(seeded_db: Database, clock: FakeClock, flow: ChatFlow) -> Dispatcher:
    subscribe(seeded_db)
    return Dispatcher(seeded_db, {"chat": flow}, clock)


def subscribe(db: Database, **settings: Any) -> None:
    with db.write() as session:
        session.add(
            Subscription(
                name="chat",
                kind="chat",
                event_types=["incident.*"],
                settings=ChatConfig(**settings).model_dump(),
            )
        )


def channel_of(db: Database, number: int = 1) -> IncidentChannel:
    with db.read() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        return session.get_one(IncidentChannel, incident_id)


def the_channel(chat: FakeChatProvider, name: str = "incident-1") -> FakeChannel:
    found = chat.named(name)
    assert found is not None, f"no channel #{name}"
    return found


def timeline_kinds(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(TimelineEntry.kind).order_by(TimelineEntry.id)))


def timeline_texts(db: Database, kind: str) -> list[str]:
    with db.read() as session:
        query = select(TimelineEntry.text).where(TimelineEntry.kind == kind)
        return list(session.scalars(query.order_by(TimelineEntry.id)))


def pending(db: Database) -> list[OutboxDelivery]:
    with db.read() as session:
        return list(
            session.scalars(select(OutboxDelivery).where(OutboxDelivery.state == "pending"))
        )


def declare_and_deliver(
    db: Database, clock: FakeClock, dispatcher: Dispatcher, **extra: Any
) -> None:
    declare(db, clock.now(), **extra)
    dispatcher.run_until_idle()


# -- on declare ------------------------------------------------------------------------------


def test_declaring_creates_a_channel_named_from_the_pattern(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)

    row = channel_of(seeded_db)
    channel = the_channel(chat)
    assert (row.channel_id, row.name, row.url) == (channel.id, "incident-1", channel.url)
    assert channel.creator == BOT
    assert not channel.private


def test_the_pattern_may_name_the_service_and_priority(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, channel_name="INC {number} {service} {priority}")
    declare(seeded_db, clock.now(), priority="P1")
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()

    assert chat.named("inc-1-website-p1") is not None


def test_the_channel_purpose_and_topic_are_the_incident_page(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)

    channel = the_channel(chat)
    assert channel.purpose == channel.topic == f"{BASE_URL}/incidents/1"


def test_bookmarks_the_incident_page_and_the_services_playbook(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)

    assert the_channel(chat).bookmarks == [
        ("Incident page", f"{BASE_URL}/incidents/1"),
        ("Playbook", "https://wiki.example.com/website"),
    ]


def test_a_service_without_playbook_gets_only_the_incident_bookmark(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, service_id="cms")

    assert [title for title, _ in the_channel(chat).bookmarks] == ["Incident page"]


def test_invites_the_reporter_the_commander_and_the_teams_default_responders(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, actor="alice", commander="carol")

    assert the_channel(chat).members == {BOT, "UALICE", "UCAROL", "UBOB"}
    assert set(channel_of(seeded_db).invited) == {"alice", "carol", "bob"}


def test_people_not_found_in_chat_are_skipped_and_named_on_the_timeline(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, actor="alice", commander="dan")

    assert "UALICE" in the_channel(chat).members
    [text] = timeline_texts(seeded_db, "chat.invited")
    assert "not found in chat: Dan Kim" in text


def test_a_reporter_that_is_an_api_token_is_nobody_to_invite_and_goes_unmentioned(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, actor="token:ci", commander="carol")

    assert the_channel(chat).members == {BOT, "UCAROL", "UBOB"}
    assert all("token:ci" not in text for text in timeline_texts(seeded_db, "chat.invited"))


def test_a_reporter_known_only_by_a_chat_id_is_invited_by_it(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.add_user("U0STRANGER", "stranger@elsewhere.example", handle="stranger")
    declare_and_deliver(seeded_db, clock, dispatcher, actor="slack:U0STRANGER")

    assert the_channel(chat).members == {BOT, "U0STRANGER", "UBOB"}


def test_people_found_by_email_are_remembered_and_not_looked_up_again(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, actor="alice")
    lookups = len(chat.called("user_by_email"))
    declare_and_deliver(seeded_db, clock, dispatcher, actor="alice")

    assert len(chat.called("user_by_email")) == lookups
    with seeded_db.read() as session:
        remembered = session.get_one(ChatIdentity, ("slack", "UALICE"))
    assert remembered.person_id == "alice"


def test_a_chat_handle_that_is_a_user_id_is_used_without_a_lookup(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    with seeded_db.write() as session:
        session.get_one(Person, "carol").chat_handle = "UCAROL"
    declare_and_deliver(seeded_db, clock, dispatcher, actor="carol", service_id="cms")

    assert "UCAROL" in the_channel(chat).members
    assert ("carol@example.com",) not in chat.called("user_by_email")


def test_posts_the_summary_and_remembers_where(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, commander="carol")

    [summary] = [m for m in the_channel(chat).messages if m.key == "summary"]
    assert "Incident 1: Checkout fails for some users" in summary.message.text
    assert "P2 · High" in summary.message.text
    assert "Commander: Carol Diaz" in summary.message.text
    assert channel_of(seeded_db).summary_ts == summary.ts


def test_replies_in_the_report_thread_with_a_link_to_the_channel(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    incidents, permalink = chat.add_thread("incidents")
    declare_and_deliver(seeded_db, clock, dispatcher, source_url=permalink)

    report_ts = incidents.messages[0].ts
    [reply] = incidents.texts(thread_ts=report_ts)
    assert "#incident-1" in reply
    assert the_channel(chat).url in reply
    assert "continue there" in reply


def test_a_source_that_is_not_a_chat_thread_gets_no_reply(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, source_url="https://jira.example.com/X-1")

    assert [args for args in chat.called("post") if args[1] == "handoff"] == []


def test_every_setup_step_is_on_the_timeline(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    _, permalink = chat.add_thread()
    declare_and_deliver(seeded_db, clock, dispatcher, source_url=permalink)

    assert [kind for kind in timeline_kinds(seeded_db) if kind.startswith("chat.")] == [
        "chat.channel_created",
        "chat.channel_described",
        "chat.bookmark_added",
        "chat.bookmark_added",
        "chat.invited",
        "chat.summary_posted",
        "chat.handoff_posted",
    ]


def test_a_private_incident_gets_a_private_channel(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db)
    declare(seeded_db, clock.now())
    [envelope] = Dispatcher(seeded_db, {"chat": flow}, clock).claim()
    incident = {**envelope.payload["incident"], "private": True}
    flow(dataclasses.replace(envelope, payload={**envelope.payload, "incident": incident}))

    assert the_channel(chat).private


# -- name collisions and lost answers --------------------------------------------------------


def test_a_name_taken_by_someone_else_gets_a_suffix(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.add_channel("incident-1")
    chat.add_channel("incident-1-2")
    declare_and_deliver(seeded_db, clock, dispatcher)

    assert channel_of(seeded_db).name == "incident-1-3"
    assert the_channel(chat, "incident-1-3").creator == BOT


def test_a_channel_created_by_a_lost_attempt_is_adopted_not_duplicated(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.lose_answer("create_channel")
    declare_and_deliver(seeded_db, clock, dispatcher)
    clock.advance(minutes=5)
    dispatcher.run_until_idle()

    assert [c.name for c in chat.channels.values()] == ["incident-1"]
    assert channel_of(seeded_db).channel_id == the_channel(chat).id
    assert timeline_texts(seeded_db, "chat.channel_created") == ["Took over channel #incident-1"]


def test_a_channel_of_ours_claimed_by_another_incident_is_not_adopted(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    with seeded_db.write() as session:
        session.get_one(Subscription, "chat").settings = ChatConfig(
            channel_name="fixed-{number}"
        ).model_dump()
    declare_and_deliver(seeded_db, clock, dispatcher)
    the_channel(chat, "fixed-1").name = "fixed-2"  # renamed by hand: now squats on 2's name
    declare_and_deliver(seeded_db, clock, dispatcher)

    assert channel_of(seeded_db, 2).name == "fixed-2-2"


def test_a_lost_summary_post_is_found_not_posted_twice(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.lose_answer("post")
    declare_and_deliver(seeded_db, clock, dispatcher)
    clock.advance(minutes=5)
    dispatcher.run_until_idle()

    summaries = [m for m in the_channel(chat).messages if m.key == "summary"]
    assert len(summaries) == 1
    assert channel_of(seeded_db).summary_ts == summaries[0].ts


# -- outages ---------------------------------------------------------------------------------


def test_an_outage_delays_setup_and_the_retry_finishes_it_without_duplicates(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    _, permalink = chat.add_thread()
    chat.fail_next("add_bookmark", times=3)
    chat.fail_next("post", times=2)
    declare(seeded_db, clock.now(), source_url=permalink, commander="carol")
    for _ in range(8):
        dispatcher.run_until_idle()
        clock.advance(minutes=5)

    channel = the_channel(chat)
    assert len(chat.channels) == 2  # the incidents channel and one incident channel
    assert len(channel.bookmarks) == 2
    assert [m.key for m in channel.messages].count("summary") == 1
    replies = [t for c in chat.channels.values() for t in c.texts(thread_ts=c.messages[0].ts)]
    assert sum("continue there" in text for text in replies) == 1
    assert pending(seeded_db) == []
    assert len(chat.called("describe_channel")) == 1


def test_the_outage_fails_the_delivery_and_honours_retry_after(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.fail_next("create_channel", error=ChatUnavailable("ratelimited", retry_after=120))
    declare_and_deliver(seeded_db, clock, dispatcher)

    [delivery, *_] = pending(seeded_db)
    assert "ratelimited" in (delivery.last_error or "")
    assert delivery.next_attempt_at >= clock.now() + timedelta(seconds=120)
    assert chat.channels == {}


def test_a_refused_channel_creation_fails_the_delivery_to_be_retried(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.fail_next("create_channel", error=ChatRefused("restricted_action"))
    declare_and_deliver(seeded_db, clock, dispatcher)

    [delivery, *_] = pending(seeded_db)
    assert "restricted_action" in (delivery.last_error or "")


def test_a_refused_bookmark_is_recorded_and_setup_carries_on(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    chat.fail_next("add_bookmark", error=ChatRefused("not_allowed_token_type"))
    declare_and_deliver(seeded_db, clock, dispatcher)

    assert timeline_texts(seeded_db, "chat.step_failed") == [
        "Could not bookmark Incident page: not_allowed_token_type"
    ]
    assert any(m.key == "summary" for m in the_channel(chat).messages)
    assert pending(seeded_db) == []


def test_an_event_arriving_after_setup_failed_finishes_setup_first(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db)
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.add_timeline_entry(session, 1, "Rolled back", actor="bob", now=clock.now())
    dispatcher = Dispatcher(seeded_db, {"chat": flow}, clock)
    [declared] = dispatcher.claim()
    assert declared.event_type == "incident.declared"
    with seeded_db.write() as session:  # the declared delivery gave up
        session.get_one(OutboxDelivery, declared.delivery_id).state = "dead"
    dispatcher.run_until_idle()

    channel = the_channel(chat)
    assert channel.messages[0].key == "summary"
    assert "Timeline: Rolled back" in channel.texts()[1]


# -- later events ----------------------------------------------------------------------------


def test_a_priority_change_edits_the_summary_and_is_announced_once(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.change_priority(session, 1, "P1", actor="alice", now=clock.now())
    dispatcher.run_until_idle()

    channel = the_channel(chat)
    summary = next(m for m in channel.messages if m.key == "summary")
    assert "P1 · Critical" in summary.message.text
    announced = [text for text in channel.texts() if text.startswith("Priority changed")]
    assert announced == ["Priority changed from P2 to P1 · Critical — Alice Ng"]


def test_a_commander_named_when_declaring_is_in_the_summary_not_announced(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, commander="carol")

    channel = the_channel(chat)
    assert [m.key for m in channel.messages] == ["summary"]
    assert "UCAROL" in channel.members
    assert pending(seeded_db) == []


def test_redelivering_an_event_does_nothing_the_second_time(
    seeded_db: Database,
    clock: FakeClock,
    dispatcher: Dispatcher,
    flow: ChatFlow,
    chat: FakeChatProvider,
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.change_priority(session, 1, "P1", actor="alice", now=clock.now())
    [envelope] = dispatcher.claim()
    before = len(chat.calls)
    flow(envelope)
    after_first = len(chat.calls)
    flow(envelope)

    assert after_first > before
    assert chat.calls[after_first:] == []


def test_assigning_a_role_invites_the_new_holder_and_announces_it(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, service_id="cms", actor="bob")
    assert "UALICE" not in the_channel(chat).members
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        roles.assign_role(session, 1, "communications_lead", "alice", actor="bob", now=clock.now())
    dispatcher.run_until_idle()

    channel = the_channel(chat)
    assert "UALICE" in channel.members
    assert "Alice Ng is now communications lead — Bob Ortiz" in channel.texts()


def test_notes_from_anywhere_are_announced(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher)
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.add_timeline_entry(session, 1, "Rolled back", actor="bob", now=clock.now())
    dispatcher.run_until_idle()

    assert "Timeline: Rolled back — Bob Ortiz" in the_channel(chat).texts()


def test_resolving_posts_the_resolution_and_what_is_still_open(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher, chat: FakeChatProvider
) -> None:
    declare_and_deliver(seeded_db, clock, dispatcher, priority="P1")
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.resolve(session, 1, "Rolled back the deploy", actor="alice", now=clock.now())
    dispatcher.run_until_idle()

    [resolution] = [t for t in the_channel(chat).texts() if t.startswith("*Resolved*")]
    assert "Rolled back the deploy" in resolution
    assert "Follow-ups: none linked yet" in resolution
    assert "Postmortem: required for P1 · Critical, not linked yet" in resolution


def test_resolving_schedules_archiving_when_configured(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, archive_after_days=3)
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()

    assert channel_of(seeded_db).archive_due_at == clock.now() + timedelta(days=3)


def test_without_an_archive_delay_nothing_is_scheduled(
    seeded_db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
    dispatcher.run_until_idle()

    assert channel_of(seeded_db).archive_due_at is None


def test_due_channels_are_archived_once_the_delay_has_passed(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, archive_after_days=3)
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()

    assert flow.archive_due_channels(clock.advance(days=2)) == 0
    assert flow.archive_due_channels(clock.advance(days=1, seconds=1)) == 1
    assert the_channel(chat).archived
    assert channel_of(seeded_db).archived_at == clock.now()
    assert flow.archive_due_channels(clock.advance(days=1)) == 0


def test_reopening_cancels_the_archiving(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, archive_after_days=1)
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.resolve(session, 1, "Fixed", actor="alice", now=clock.now())
        service.reopen(session, 1, actor="alice", now=clock.now(), reason="Back again")
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()

    assert channel_of(seeded_db).archive_due_at is None
    assert flow.archive_due_channels(clock.advance(days=2)) == 0
    assert "Reopened (was resolved): Back again — Alice Ng" in the_channel(chat).texts()


def test_archiving_waits_while_chat_is_unavailable(
    seeded_db: Database, clock: FakeClock, flow: ChatFlow, chat: FakeChatProvider
) -> None:
    subscribe(seeded_db, archive_after_days=1)
    declare(seeded_db, clock.now())
    clock.advance(minutes=1)
    with seeded_db.write() as session:
        service.close(session, 1, "Duplicate", actor="alice", now=clock.now())
    Dispatcher(seeded_db, {"chat": flow}, clock).run_until_idle()
    chat.fail_next("archive")

    assert flow.archive_due_channels(clock.advance(days=2)) == 0
    assert flow.archive_due_channels(clock.advance(minutes=1)) == 1


# -- no chat configured ----------------------------------------------------------------------


def test_without_a_chat_subscription_nothing_is_queued(
    seeded_db: Database, clock: FakeClock
) -> None:
    declare(seeded_db, clock.now())

    with seeded_db.read() as session:
        assert session.scalars(select(OutboxDelivery)).all() == []
        assert session.scalars(select(ChatPost)).all() == []


# -- wiring ----------------------------------------------------------------------------------


def test_without_a_bot_token_the_console_twin_runs_the_whole_flow(
    seeded_db: Database, clock: FakeClock
) -> None:
    settings = Settings(base_url=BASE_URL, slack_bot_token=None)
    subscribe(seeded_db)
    dispatcher = build_dispatcher(seeded_db, settings, clock)
    declare(seeded_db, clock.now(), commander="carol")
    dispatcher.run_until_idle()

    assert pending(seeded_db) == []
    assert channel_of(seeded_db).name == "incident-1"
    assert channel_of(seeded_db).summary_ts is not None


def test_with_a_bot_token_slack_is_the_provider() -> None:
    settings = Settings(slack_bot_token="xoxb-test")
    provider = chat_providers(settings)(ChatConfig().model_dump())
    assert isinstance(provider, SlackProvider)
    assert isinstance(chat_providers(Settings())(ChatConfig().model_dump()), ConsoleChatProvider)
