"""The console twin behaves like a chat system, in memory, so `make run` needs no Slack."""

from __future__ import annotations

import logging

import pytest

from firehouse.chat.console import BOT_USER_ID, ConsoleChatProvider
from firehouse.chat.provider import ChatProvider, Message, NameTaken


def test_it_is_a_chat_provider() -> None:
    provider: ChatProvider = ConsoleChatProvider()
    assert provider.bot_user_id() == BOT_USER_ID


def test_channel_ids_differ_between_processes_and_names_are_unique() -> None:
    provider = ConsoleChatProvider()
    first = provider.create_channel("incident-1", private=False)
    second = provider.create_channel("incident-2", private=False)
    assert first.id != second.id
    restarted = ConsoleChatProvider().create_channel("incident-3", private=False)
    assert restarted.id not in {first.id, second.id}
    assert provider.find_channel("incident-1") == first
    assert provider.channel_creator(first.id) == BOT_USER_ID
    with pytest.raises(NameTaken):
        provider.create_channel("incident-1", private=True)


def test_a_post_is_found_by_its_key_and_updated_in_place() -> None:
    provider = ConsoleChatProvider()
    channel = provider.create_channel("incident-1", private=False)
    posted = provider.post(channel.id, Message(text="P2"), key="summary")
    assert provider.find_posted(channel.id, "summary") == posted
    assert provider.find_posted(channel.id, "summary", thread_ts="1.2") is None
    provider.update(channel.id, posted.ts, Message(text="P1"))
    assert provider.messages_in(channel.id) == [Message(text="P1")]


def test_channel_details_and_members_are_kept() -> None:
    provider = ConsoleChatProvider()
    channel = provider.create_channel("incident-1", private=False)
    provider.describe_channel(channel.id, purpose="https://f.example/1", topic="P2")
    provider.add_bookmark(channel.id, title="Incident 1", url="https://f.example/1")
    provider.invite(channel.id, ["U1", "U2", "U1"])
    provider.archive(channel.id)
    state = provider.channels[channel.id]
    assert state.purpose == "https://f.example/1"
    assert state.bookmarks == [("Incident 1", "https://f.example/1")]
    assert state.members == {BOT_USER_ID, "U1", "U2"}
    assert state.archived


def test_it_knows_no_threads_and_no_users() -> None:
    provider = ConsoleChatProvider()
    assert provider.thread_from_url("https://acme.slack.com/archives/C1/p1700000000123456") is None
    assert provider.user_by_email("ada@example.com") is None
    assert provider.user("U1") is None


def test_each_action_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="firehouse.chat.console")
    provider = ConsoleChatProvider()
    channel = provider.create_channel("incident-1", private=False)
    provider.post(channel.id, Message(text="P2: checkout fails", title="Incident 1"), key="s")
    assert "created public channel #incident-1" in caplog.text
    assert f"posted in {channel.id}: Incident 1" in caplog.text


def test_the_words_of_a_private_channel_stay_out_of_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    provider = ConsoleChatProvider()
    channel = provider.create_channel("incident-7", private=True)
    provider.describe_channel(channel.id, purpose="Payroll leak at Acme", topic="P1")
    posted = provider.post(channel.id, Message(text="Payroll leak at Acme"), key="summary")
    provider.update(channel.id, posted.ts, Message(text="Payroll leak at Acme: contained"))
    assert "Payroll" not in caplog.text
    assert caplog.text.count("text withheld") == 3
    assert provider.messages_in(channel.id) == [Message(text="Payroll leak at Acme: contained")]
