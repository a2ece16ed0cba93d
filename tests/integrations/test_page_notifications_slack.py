"""Paging by Slack direct message (the real slack_sdk against the local Slack emulator), and
acknowledging with the message's button (a signed interaction to the real app)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firehouse.app import create_app
from firehouse.catalog.config import ChatConfig, SlackConfig
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.oncall.model import Page
from firehouse.oncall.paging import cancel_page
from firehouse.outbox.model import Subscription
from firehouse.settings import Settings
from tests.fakes.slack_api import SlackEmulator
from tests.fakes.slack_state import SlackMessage
from tests.integrations.page_notification_support import BASE_URL, SECRET_KEY, Paging
from tests.integrations.slack_requests import SIGNING_SECRET, TEAM, SlackInbound


@dataclass
class World:
    paging: Paging
    slack: SlackEmulator
    inbound: SlackInbound

    def dm_channel(self, user_id: str = "U0ALICE") -> str:
        [channel] = [c for c in self.slack.channels.values() if c.id.startswith("D")]
        assert channel.creator == user_id
        return channel.id

    def dm(self, user_id: str = "U0ALICE") -> list[SlackMessage]:
        return self.slack.messages[self.dm_channel(user_id)]

    def page(self) -> Page:
        with self.paging.db.read() as session:
            return session.get_one(Page, self.paging.page_id)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        running.add_user("U0ALICE", email="alice@example.com", name="Alice Ng", handle="alice")
        running.add_user("U0BOB", email="bob@example.com", name="Bob Ortiz", handle="bob")
        yield running


@pytest.fixture
def world(
    database_url: str, clock: FakeClock, emulator: SlackEmulator, http: httpx.Client
) -> Iterator[World]:
    settings = Settings(
        database_url=database_url,
        base_url=BASE_URL,
        secret_key=SECRET_KEY,
        slack_signing_secret=SIGNING_SECRET,
        slack_bot_token=emulator.token,
        chat_post_interval_seconds=0,
    )
    app = create_app(settings, clock=clock, run_dispatcher=False)
    db: Database = app.state.runtime.db
    process = {"slack_bot_token": emulator.token}
    paging = Paging(db, clock, http, process=process).start()
    chat = ChatConfig(slack=SlackConfig(api_url=emulator.api_url))
    with db.write() as session:
        session.add(
            Subscription(name="chat", kind="chat", event_types=[], settings=chat.model_dump())
        )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(paging, emulator, SlackInbound(client, clock))
    db.dispose()


def button_press(message: SlackMessage, channel_id: str, response_url: str) -> dict[str, Any]:
    """A `block_actions` interaction as Slack sends it when the button is pressed."""
    [button] = [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    return {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": "U0ALICE", "username": "alice", "name": "alice", "team_id": TEAM["id"]},
        "api_app_id": "A0FIREHOUSE",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "container": {"type": "message", "message_ts": message.ts, "channel_id": channel_id},
        "channel": {"id": channel_id, "name": "directmessage"},
        "message": message.as_json(with_metadata=False),
        "response_url": response_url,
        "actions": [button | {"block_id": "page", "action_ts": "1700000000.000001"}],
    }


def test_a_page_reaches_the_person_by_direct_message_with_an_acknowledge_button(
    world: World,
) -> None:
    notification = world.paging.notify(method="slack")
    world.paging.run()
    [message] = world.dm("U0ALICE")
    assert message.text == "You are being paged: P1 incident #1: Checkout fails for some users"
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == "page_acknowledge"
    assert button["value"] == f"{world.paging.page_id}:alice"
    row = world.paging.row(notification)
    assert (row.state, row.provider_ref) == ("sent", f"{world.dm_channel()}:{message.ts}")
    assert world.paging.notified() == ["Sent a Slack direct message to Alice Ng"]


def test_a_slack_outage_is_retried_and_the_message_posted_once(world: World) -> None:
    world.slack.fail_next("chat.postMessage", status=503)
    notification = world.paging.notify(method="slack")
    world.paging.run()
    assert world.paging.row(notification).state == "queued"
    world.paging.wait_for_retry()
    world.paging.run()
    assert len(world.dm()) == 1
    assert world.paging.row(notification).state == "sent"


def test_a_post_whose_reply_was_lost_is_found_instead_of_posted_again(world: World) -> None:
    world.slack.lose_reply("chat.postMessage")
    notification = world.paging.notify(method="slack")
    world.paging.run()
    world.paging.wait_for_retry()
    world.paging.run()
    assert len(world.dm()) == 1
    assert world.paging.row(notification).state == "sent"


def test_a_person_slack_does_not_know_is_recorded_as_failed(world: World) -> None:
    notification = world.paging.notify(person_id="carol", method="slack")
    world.paging.run()
    assert world.paging.row(notification).state == "failed"
    assert world.paging.notified() == [
        "Could not send a Slack message to Carol: no Slack user found (by chat handle, or by "
        "e-mail in Slack)"
    ]


def test_pressing_acknowledge_acknowledges_the_page_and_updates_the_message(
    world: World,
) -> None:
    world.paging.notify(method="slack")
    world.paging.run()
    [message] = world.dm()
    press = button_press(message, world.dm_channel(), world.slack.response_url("ack"))
    response = world.inbound.interaction(press)
    assert response.status_code == 200, response.text
    page = world.page()
    assert (page.status, page.acknowledged_by, page.acknowledged_via) == (
        "acknowledged",
        "alice",
        "slack",
    )
    [update] = world.slack.responses
    assert update.body["replace_original"] is True
    assert "acknowledged by Alice Ng (via slack)" in update.body["text"]
    assert all(block["type"] != "actions" for block in update.body["blocks"])


def test_pressing_acknowledge_on_a_cancelled_page_says_so(world: World, clock: FakeClock) -> None:
    world.paging.notify(method="slack")
    world.paging.run()
    [message] = world.dm()
    with world.paging.db.write() as session:
        cancel_page(session, world.paging.page_id, actor="bob", now=clock.now())
    press = button_press(message, world.dm_channel(), world.slack.response_url("unused"))
    response = world.inbound.interaction(press)
    assert response.status_code == 200
    assert "cancelled" in response.json()["text"]
    assert world.page().status == "cancelled"


def test_a_button_press_with_a_bad_value_is_a_clear_4xx(world: World) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALICE"},
        "actions": [{"action_id": "page_acknowledge", "value": "not-a-page"}],
    }
    response = world.inbound.interaction(payload)
    assert response.status_code == 422
    assert "payload.actions.value" in response.text
    with world.paging.db.read() as session:
        assert session.scalars(select(Page.status)).all() == ["triggered"]


def test_without_slack_the_direct_message_is_logged_only(
    db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    paging = Paging(db, clock, http).start()
    notification = paging.notify(method="slack")
    paging.run()
    assert paging.row(notification).provider_ref == "console"
    assert paging.notified()[0].startswith("Would have sent a Slack direct message to Alice Ng")
