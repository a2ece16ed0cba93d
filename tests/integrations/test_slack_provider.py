"""SlackProvider against the local Slack emulator, through the real slack_sdk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from firehouse.chat.provider import ChatRefused, ChatUnavailable, Message, NameTaken, Thread
from firehouse.integrations.slack.client import SlackProvider
from tests.fakes.slack_api import SlackEmulator
from tests.fakes.slack_state import BOT_USER_ID, TEAM_URL

SUMMARY = Message(
    text="P2 (High): checkout fails",
    title="Incident 7: checkout fails",
    fields=(("Priority", "P2 (High)"), ("Service", "checkout")),
    context="Declared by Ada",
    links=(("Incident", "https://firehouse.example/incidents/7"),),
)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


@pytest.fixture
def provider(emulator: SlackEmulator) -> SlackProvider:
    return SlackProvider(emulator.api_url, emulator.token, 1.0, post_interval=0)


def people(emulator: SlackEmulator, count: int) -> list[str]:
    ids = [f"U{n:05d}" for n in range(count)]
    for user_id in ids:
        emulator.add_user(user_id, f"{user_id.lower()}@example.com")
    return ids


# channels ----------------------------------------------------------------------------------
def test_a_new_channel_links_to_the_workspace(provider: SlackProvider) -> None:
    channel = provider.create_channel("incident-7", private=False)
    assert channel.name == "incident-7"
    assert channel.url == f"{TEAM_URL}archives/{channel.id}"


def test_a_private_incident_gets_a_private_channel(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = provider.create_channel("incident-8", private=True)
    assert emulator.channels[channel.id].is_private


def test_a_taken_name_raises_name_taken(provider: SlackProvider, emulator: SlackEmulator) -> None:
    emulator.add_channel("incident-7")
    with pytest.raises(NameTaken) as raised:
        provider.create_channel("incident-7", private=False)
    assert raised.value.name == "incident-7"


def test_find_channel_pages_through_archived_channels(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    for n in range(250):
        emulator.add_channel(f"general-{n}")
    wanted = emulator.add_channel("incident-9")
    wanted.archived = True
    found = provider.find_channel("incident-9")
    assert found is not None
    assert found.id == wanted.id
    assert len(emulator.calls_to("conversations.list")) == 2


def test_find_channel_is_none_for_an_unknown_name(provider: SlackProvider) -> None:
    assert provider.find_channel("incident-404") is None


def test_the_creator_of_a_channel_the_bot_made_is_the_bot(provider: SlackProvider) -> None:
    channel = provider.create_channel("incident-7", private=False)
    assert provider.channel_creator(channel.id) == provider.bot_user_id() == BOT_USER_ID


def test_describe_sets_purpose_and_topic(provider: SlackProvider, emulator: SlackEmulator) -> None:
    channel = provider.create_channel("incident-7", private=False)
    provider.describe_channel(channel.id, purpose="https://f.example/7", topic="P2 checkout")
    state = emulator.channels[channel.id]
    assert (state.purpose, state.topic) == ("https://f.example/7", "P2 checkout")


def test_a_bookmark_links_the_incident_page(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = provider.create_channel("incident-7", private=False)
    provider.add_bookmark(channel.id, title="Incident 7", url="https://f.example/7")
    [bookmark] = emulator.channels[channel.id].bookmarks
    assert (bookmark["title"], bookmark["link"]) == ("Incident 7", "https://f.example/7")


def test_archiving_twice_is_not_an_error(provider: SlackProvider, emulator: SlackEmulator) -> None:
    channel = provider.create_channel("incident-7", private=False)
    provider.archive(channel.id)
    provider.archive(channel.id)
    assert emulator.channels[channel.id].archived


# invites -----------------------------------------------------------------------------------
def test_invites_go_in_batches_of_at_most_100(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    users = people(emulator, 250)
    channel = provider.create_channel("incident-7", private=False)
    provider.invite(channel.id, users)
    assert [len(batch) for batch in emulator.invite_batches] == [100, 100, 50]
    assert set(users) <= set(emulator.channels[channel.id].members)


def test_inviting_people_already_in_the_channel_is_not_an_error(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    users = people(emulator, 3)
    channel = provider.create_channel("incident-7", private=False)
    provider.invite(channel.id, users)
    provider.invite(channel.id, users)
    assert [call.answer for call in emulator.calls_to("conversations.invite")][-1] == {
        "ok": False,
        "error": "already_in_channel",
    }


def test_invite_leaves_out_the_bot_itself(provider: SlackProvider, emulator: SlackEmulator) -> None:
    users = people(emulator, 2)
    channel = provider.create_channel("incident-7", private=False)
    provider.invite(channel.id, [BOT_USER_ID, *users, users[0]])
    assert emulator.invite_batches == [users]


def test_an_unknown_user_does_not_keep_the_others_out(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    users = people(emulator, 2)
    channel = provider.create_channel("incident-7", private=False)
    provider.invite(channel.id, [*users, "U0GONE"])
    assert set(users) <= set(emulator.channels[channel.id].members)


# messages ----------------------------------------------------------------------------------
def test_a_post_carries_its_key_a_fallback_text_and_blocks(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = provider.create_channel("incident-7", private=False)
    posted = provider.post(channel.id, SUMMARY, key="summary")
    [message] = emulator.messages[channel.id]
    assert message.ts == posted.ts
    assert message.text == SUMMARY.text
    assert message.metadata == {"event_type": "firehouse_post", "event_payload": {"key": "summary"}}
    assert [block["type"] for block in message.blocks] == [
        "header",
        "section",
        "section",
        "section",
        "context",
    ]


def test_a_post_whose_reply_was_lost_is_found_by_its_key(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = provider.create_channel("incident-7", private=False)
    provider.post(channel.id, Message(text="earlier"), key="other")
    emulator.lose_reply("chat.postMessage")
    with pytest.raises(ChatUnavailable):
        provider.post(channel.id, SUMMARY, key="summary")
    found = provider.find_posted(channel.id, "summary")
    assert found is not None
    assert found.ts == emulator.messages[channel.id][-1].ts


def test_find_posted_is_none_before_anything_was_posted(provider: SlackProvider) -> None:
    channel = provider.create_channel("incident-7", private=False)
    assert provider.find_posted(channel.id, "summary") is None


def test_find_posted_ignores_messages_people_wrote(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = emulator.add_channel("incidents")
    emulator.post_as(channel.id, "U00001", "summary")
    assert provider.find_posted(channel.id, "summary") is None


def test_find_posted_looks_inside_the_thread(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = emulator.add_channel("incidents")
    root = emulator.post_as(channel.id, "U00001", "checkout is down")
    reply = provider.post(
        channel.id, Message(text="Continue in #incident-7"), key="hand-off", thread_ts=root
    )
    assert provider.find_posted(channel.id, "hand-off") is None
    assert provider.find_posted(channel.id, "hand-off", thread_ts=root) == reply


def test_find_posted_is_none_where_the_bot_cannot_read(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = emulator.add_channel("incidents", with_bot=False)
    root = emulator.post_as(channel.id, "U00001", "checkout is down")
    assert provider.find_posted(channel.id, "hand-off", thread_ts=root) is None


def test_update_edits_the_same_message(provider: SlackProvider, emulator: SlackEmulator) -> None:
    channel = provider.create_channel("incident-7", private=False)
    posted = provider.post(channel.id, SUMMARY, key="summary")
    provider.update(channel.id, posted.ts, Message(text="P1 (Critical): checkout fails"))
    [message] = emulator.messages[channel.id]
    assert (message.text, message.edited) == ("P1 (Critical): checkout fails", True)


def test_posts_to_one_channel_are_paced_and_other_channels_are_not(
    emulator: SlackEmulator,
) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    provider = SlackProvider(
        emulator.api_url, emulator.token, 1.0, sleep=sleep, monotonic=lambda: now[0]
    )
    first = provider.create_channel("incident-1", private=False)
    second = provider.create_channel("incident-2", private=False)
    provider.post(first.id, Message(text="one"), key="a")
    now[0] += 0.25
    provider.post(first.id, Message(text="two"), key="b")
    provider.post(second.id, Message(text="three"), key="c")
    assert slept == [0.75]


def test_message_text_reads_a_message_in_a_thread(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = emulator.add_channel("incidents")
    root = emulator.post_as(channel.id, "U00001", "root")
    reply = emulator.post_as(channel.id, "U00002", "the clue", thread_ts=root)
    assert provider.message_text(channel.id, root) == "root"
    assert provider.message_text(channel.id, reply) == "the clue"
    assert provider.message_text(channel.id, "1600000000.000001") is None


# people ------------------------------------------------------------------------------------
def test_users_are_found_by_email_and_by_id(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    emulator.add_user("U0ADA", "ada@example.com", "Ada Lovelace", "ada")
    ada = provider.user_by_email("ada@example.com")
    assert ada is not None
    assert (ada.id, ada.email, ada.handle, ada.name) == (
        "U0ADA",
        "ada@example.com",
        "ada",
        "Ada Lovelace",
    )
    assert provider.user("U0ADA") == ada


def test_unknown_users_are_none(provider: SlackProvider) -> None:
    assert provider.user_by_email("nobody@example.com") is None
    assert provider.user("U0NOBODY") is None


# failures ----------------------------------------------------------------------------------
def test_a_rate_limit_is_unavailable_for_retry_after_seconds(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    emulator.fail_next("conversations.create", status=429, retry_after=7)
    with pytest.raises(ChatUnavailable) as raised:
        provider.create_channel("incident-7", private=False)
    assert raised.value.retry_after == 7
    assert len(emulator.calls_to("conversations.create")) == 1  # slack_sdk did not retry


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_unavailable(
    provider: SlackProvider, emulator: SlackEmulator, status: int
) -> None:
    emulator.fail_next("chat.postMessage", status=status)
    with pytest.raises(ChatUnavailable):
        provider.post("C1", SUMMARY, key="summary")


@pytest.mark.parametrize(
    "error", ["internal_error", "fatal_error", "service_unavailable", "ratelimited"]
)
def test_a_transient_api_error_is_unavailable(
    provider: SlackProvider, emulator: SlackEmulator, error: str
) -> None:
    emulator.fail_next("conversations.create", error=error)
    with pytest.raises(ChatUnavailable):
        provider.create_channel("incident-7", private=False)


def test_a_slow_slack_times_out_as_unavailable(emulator: SlackEmulator) -> None:
    provider = SlackProvider(emulator.api_url, emulator.token, 0.1, post_interval=0)
    emulator.set_latency(0.5, method="conversations.create")
    with pytest.raises(ChatUnavailable):
        provider.create_channel("incident-7", private=False)


def test_a_dropped_connection_is_unavailable(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    emulator.lose_reply("conversations.create")
    with pytest.raises(ChatUnavailable):
        provider.create_channel("incident-7", private=False)
    assert emulator.channel_named("incident-7") is not None


def test_nothing_listening_is_unavailable() -> None:
    with SlackEmulator() as gone:
        url = gone.api_url
    with pytest.raises(ChatUnavailable):
        SlackProvider(url, "xoxb-x", 0.5).bot_user_id()


def test_a_wrong_token_is_refused_without_showing_it(emulator: SlackEmulator) -> None:
    secret = "xoxb-1234-very-secret-token"
    provider = SlackProvider(emulator.api_url, secret, 1.0)
    with pytest.raises(ChatRefused) as raised:
        provider.create_channel("incident-7", private=False)
    assert raised.value.error == "invalid_auth"
    assert secret not in str(raised.value)
    assert secret not in repr(raised.value.__cause__)


def test_other_api_errors_are_refused_with_their_code(provider: SlackProvider) -> None:
    with pytest.raises(ChatRefused) as raised:
        provider.describe_channel("C0GONE", purpose="p", topic="t")
    assert raised.value.error == "channel_not_found"


# Slack-only helpers for the inbound routes -------------------------------------------------
def test_a_modal_opens_with_a_live_trigger(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []}
    view_id = provider.open_modal(emulator.new_trigger_id(), view)
    provider.update_modal(view_id, view | {"blocks": [{"type": "divider"}]})
    assert emulator.workspace.views[view_id]["blocks"] == [{"type": "divider"}]


def test_an_expired_trigger_is_refused(provider: SlackProvider, emulator: SlackEmulator) -> None:
    trigger = emulator.new_trigger_id()
    emulator.expire_triggers()
    with pytest.raises(ChatRefused) as raised:
        provider.open_modal(trigger, {"type": "modal", "blocks": []})
    assert raised.value.error == "expired_trigger_id"


def test_respond_posts_to_the_response_url(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    provider.respond(emulator.response_url("cmd-1"), "Declared incident 7")
    [response] = emulator.responses
    assert response.key == "cmd-1"
    assert response.body["text"] == "Declared incident 7"
    assert response.body["response_type"] == "ephemeral"


def test_an_ephemeral_message_reaches_only_its_user(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    emulator.add_user("U0ADA", "ada@example.com")
    channel = provider.create_channel("incident-7", private=False)
    provider.invite(channel.id, ["U0ADA"])
    provider.post_ephemeral(channel.id, "U0ADA", "Only you can see this")
    assert emulator.workspace.ephemeral[0]["user"] == "U0ADA"
    assert emulator.messages[channel.id] == []


def test_a_permalink_leads_back_to_its_thread(
    provider: SlackProvider, emulator: SlackEmulator
) -> None:
    channel = emulator.add_channel("incidents")
    root = emulator.post_as(channel.id, "U00001", "report")
    reply = emulator.post_as(channel.id, "U00002", "more", thread_ts=root)
    assert provider.thread_from_url(provider.permalink(channel.id, root)) == Thread(
        channel.id, root
    )
    assert provider.thread_from_url(provider.permalink(channel.id, reply)) == Thread(
        channel.id, root
    )


@pytest.mark.parametrize(
    ("url", "thread"),
    [
        (
            "https://acme.slack.com/archives/C024BE91L/p1700000000123456",
            Thread("C024BE91L", "1700000000.123456"),
        ),
        (
            "https://acme.slack.com/archives/C024BE91L/p1700000009000100?thread_ts=1700000000.123456&cid=C024BE91L",
            Thread("C024BE91L", "1700000000.123456"),
        ),
        (
            "https://acme.enterprise.slack.com/archives/G0PRIVATE1/p1700000000123456",
            Thread("G0PRIVATE1", "1700000000.123456"),
        ),
        ("https://acme.slack.com/archives/C024BE91L/p17000000001234", None),
        ("https://acme.slack.com/archives/C024BE91L", None),
        ("https://slack.com.evil.example/archives/C024BE91L/p1700000000123456", None),
        ("http://acme.slack.com/archives/C024BE91L/p1700000000123456", None),
        ("https://github.com/acme/checkout/issues/1", None),
        ("not a url", None),
    ],
)
def test_permalinks_are_read_without_asking_slack(
    provider: SlackProvider, emulator: SlackEmulator, url: str, thread: Thread | None
) -> None:
    assert provider.thread_from_url(url) == thread
    assert emulator.calls == []
