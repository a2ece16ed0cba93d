"""The Slack emulator answers as Slack does, so tests against it mean something."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack_api import SlackEmulator


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.token, base_url=emulator.api_url, retry_handlers=[])


def error_of(call: object) -> str:
    assert isinstance(call, SlackApiError)
    return str(call.response["error"])


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Incident-1", "invalid_name_specials"),
        ("incident 1", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("", "invalid_name_required"),
        ("--", "invalid_name_punctuation"),
    ],
)
def test_channel_names_follow_slack_rules(client: WebClient, name: str, error: str) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.conversations_create(name=name)
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == error


def test_an_archived_channel_still_holds_its_name(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_channel("incident-1").archived = True
    with pytest.raises(SlackApiError) as raised:
        client.conversations_create(name="incident-1")
    assert raised.value.response["error"] == "name_taken"


def test_a_missing_token_is_not_authed(emulator: SlackEmulator) -> None:
    answer = httpx.post(emulator.api_url + "auth.test")
    assert (answer.status_code, answer.json()) == (200, {"ok": False, "error": "not_authed"})


def test_a_form_token_works_like_a_bearer_header(emulator: SlackEmulator) -> None:
    answer = httpx.post(emulator.api_url + "auth.test", data={"token": emulator.token})
    assert answer.json()["ok"] is True


def test_an_unknown_method_is_404_unknown_method(emulator: SlackEmulator) -> None:
    answer = httpx.post(emulator.api_url + "nope.nope", data={"token": emulator.token})
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown_method")


def test_message_timestamps_increase(client: WebClient, emulator: SlackEmulator) -> None:
    channel = client.conversations_create(name="incident-1")["channel"]["id"]
    stamps = [client.chat_postMessage(channel=channel, text=str(n))["ts"] for n in range(3)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 3


def test_history_leaves_out_thread_replies(client: WebClient, emulator: SlackEmulator) -> None:
    channel = client.conversations_create(name="incident-1")["channel"]["id"]
    root = client.chat_postMessage(channel=channel, text="root")["ts"]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=root)
    [message] = client.conversations_history(channel=channel)["messages"]
    assert (message["text"], message["reply_count"]) == ("root", 1)


def test_metadata_is_returned_only_when_asked_for(client: WebClient) -> None:
    channel = client.conversations_create(name="incident-1")["channel"]["id"]
    metadata = {"event_type": "firehouse_post", "event_payload": {"key": "k"}}
    client.chat_postMessage(channel=channel, text="x", metadata=metadata)
    assert "metadata" not in client.conversations_history(channel=channel)["messages"][0]
    history = client.conversations_history(channel=channel, include_all_metadata=True)
    assert history["messages"][0]["metadata"] == metadata


def test_an_archived_channel_takes_no_messages(client: WebClient) -> None:
    channel = client.conversations_create(name="incident-1")["channel"]["id"]
    client.conversations_archive(channel=channel)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=channel, text="x")
    assert raised.value.response["error"] == "is_archived"


def test_inviting_the_bot_itself_is_cant_invite_self(client: WebClient) -> None:
    channel = client.conversations_create(name="incident-1")["channel"]["id"]
    bot = client.auth_test()["user_id"]
    with pytest.raises(SlackApiError) as raised:
        client.conversations_invite(channel=channel, users=bot)
    assert raised.value.response["error"] == "cant_invite_self"


def test_a_failure_takes_no_effect(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.fail_next("conversations.create", status=503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.conversations_create(name="incident-1")
    assert emulator.channel_named("incident-1") is None
    client.conversations_create(name="incident-1")
    assert emulator.channel_named("incident-1") is not None


def test_a_lost_reply_still_takes_effect(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.lose_reply("conversations.create", how="500")
    with pytest.raises(SlackApiError) as raised:
        client.conversations_create(name="incident-1")
    assert raised.value.response.status_code == 500
    assert emulator.channel_named("incident-1") is not None


def test_every_call_is_logged_with_its_parameters(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.conversations_create(name="incident-1", is_private=True)
    [call] = emulator.calls_to("conversations.create")
    assert call.params == {"name": "incident-1", "is_private": "1"}
    assert call.answer is not None
    assert call.answer["ok"] is True
