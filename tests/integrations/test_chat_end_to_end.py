"""The whole chat story through the real parts: the API declares, the outbox dispatcher runs
the chat flow, slack_sdk calls the local Slack emulator, and a slash command changes the
incident, whose channel then shows the change exactly once, outages included."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from firehouse.alerts import service as alerts
from firehouse.alerts.events import Action, AlertEvent, Source
from firehouse.alerts.routing import SETTING as ROUTING_SETTING
from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.catalog.config import ChatConfig, SlackConfig
from firehouse.catalog.model import OrganisationSetting, Service
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.oncall.model import EscalationPolicy, Schedule
from firehouse.outbox.append import append
from firehouse.outbox.dispatcher import Dispatcher
from firehouse.outbox.events import DomainEvent, EventType
from firehouse.outbox.model import Subscription
from firehouse.settings import Settings
from tests.api.client import BASE_URL
from tests.factories import seed_catalog
from tests.fakes.slack_api import SlackEmulator
from tests.fakes.slack_state import BOT_USER_ID, SlackMessage
from tests.integrations.slack_requests import SIGNING_SECRET, SlackInbound

SLACK_IDS = {"alice": "U0ALICE", "bob": "U0BOB", "carol": "U0CAROL"}
ROUTING = {
    "rules": [
        {"name": "warnings", "match": {"labels": {"severity": "warning"}}, "action": "channel"}
    ],
    "default": "record",
}


@dataclass
class Stack:
    api: TestClient
    token: str
    slack: SlackInbound
    emulator: SlackEmulator
    dispatcher: Dispatcher
    clock: FakeClock
    db: Database
    reports_channel: str

    def declare(self, **body: Any) -> dict[str, Any]:
        payload = {"service": "website", "message": "Checkout fails", "priority": "P2", **body}
        response = self.api.post("/api/v1/incidents", json=payload, headers=self.auth)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def incident(self, number: int) -> dict[str, Any]:
        response = self.api.get(f"/api/v1/incidents/{number}", headers=self.auth)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def deliver(self) -> None:
        self.dispatcher.run_until_idle()

    def report(self, text: str) -> str:
        """A report in the incidents channel, as a person writes it; returns its permalink."""
        ts = self.emulator.post_as(self.reports_channel, "U0CAROL", text)
        return f"https://acme.slack.com/archives/{self.reports_channel}/p{ts.replace('.', '')}"

    def channel_messages(self, name: str) -> list[SlackMessage]:
        channel = self.emulator.channel_named(name)
        assert channel is not None, f"no channel {name}"
        return [m for m in self.emulator.messages[channel.id] if m.user == BOT_USER_ID]


@pytest.fixture
def stack(database_url: str, clock: FakeClock) -> Iterator[Stack]:
    with SlackEmulator() as emulator:
        for person, user_id in SLACK_IDS.items():
            emulator.add_user(user_id, email=f"{person}@example.com", name=person, handle=person)
        reports = emulator.add_channel("incidents").id
        emulator.add_channel("alerts")
        settings = Settings(
            database_url=database_url,
            base_url=BASE_URL,
            slack_bot_token=emulator.token,
            slack_signing_secret=SIGNING_SECRET,
            chat_post_interval_seconds=0,
        )
        app = create_app(settings, clock=clock, run_dispatcher=False)
        db: Database = app.state.runtime.db
        chat = ChatConfig(
            incidents_channel="#incidents",
            alerts_channel="#alerts",
            slack=SlackConfig(api_url=emulator.api_url),
        )
        with db.write() as session:
            seed_catalog(session)
            session.add(
                Subscription(
                    name="chat",
                    kind="chat",
                    event_types=["incident.*", "alert.*", "page.*"],
                    settings=chat.model_dump(),
                )
            )
            _row, token = create_token(session, name="ci", role="responder", now=clock.now())
            session.add(OrganisationSetting(key=ROUTING_SETTING, value=ROUTING))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Stack(
                api=client,
                token=token,
                slack=SlackInbound(client, clock),
                emulator=emulator,
                dispatcher=app.state.runtime.dispatcher,
                clock=clock,
                db=db,
                reports_channel=reports,
            )
        db.dispose()


def test_declaring_sets_up_the_channel_and_hands_the_report_thread_over(stack: Stack) -> None:
    source = stack.report("Checkout is failing for many collectors")
    number = stack.declare(source_url=source, commander="alice")["number"]
    stack.deliver()

    channel = stack.emulator.channel_named(f"incident-{number}")
    assert channel is not None
    incident_url = f"{BASE_URL}/incidents/{number}"
    assert incident_url in channel.purpose
    assert {b["link"] for b in channel.bookmarks} >= {
        incident_url,
        "https://wiki.example.com/website",
    }
    assert {"U0ALICE", "U0BOB"} <= set(channel.members)  # commander, team's default responder
    summary = stack.channel_messages(f"incident-{number}")
    assert len(summary) == 1
    assert "Checkout fails" in summary[0].text
    handoff = [m for m in stack.emulator.messages[stack.reports_channel] if m.thread_ts]
    assert len(handoff) == 1
    assert channel.id in handoff[0].text or channel.name in handoff[0].text
    assert stack.incident(number)["channel"]["id"] == channel.id


def test_a_slash_command_in_the_channel_edits_the_summary_and_is_announced_once(
    stack: Stack,
) -> None:
    number = stack.declare()["number"]
    stack.deliver()
    channel = stack.emulator.channel_named(f"incident-{number}")
    assert channel is not None
    stack.clock.advance(minutes=1)

    reply = stack.slack.command("priority P1", channel_id=channel.id, user_id="U0ALICE")
    assert reply.status_code == 200
    stack.deliver()
    stack.deliver()  # a second run finds nothing more to do

    assert stack.incident(number)["priority"] == "P1"
    posts = stack.channel_messages(f"incident-{number}")
    assert len(posts) == 2  # the summary, and one announcement of the change
    assert "P1" in posts[0].text  # the summary was edited in place
    assert posts[0].edited
    assert "P1" in posts[1].text


def test_a_slack_outage_delays_the_channel_and_loses_or_doubles_nothing(stack: Stack) -> None:
    stack.emulator.fail_next("conversations.create", status=503, times=3)
    stack.emulator.fail_next("chat.postMessage", status=429, retry_after=30)
    number = stack.declare(source_url=stack.report("Search is down"))["number"]
    for _ in range(6):  # each round fails until Slack is back; the clock moves past back-off
        stack.deliver()
        stack.clock.advance(minutes=10)
    stack.deliver()

    assert [c.name for c in stack.emulator.channels.values()].count(f"incident-{number}") == 1
    assert len(stack.channel_messages(f"incident-{number}")) == 1
    replies = [m for m in stack.emulator.messages[stack.reports_channel] if m.thread_ts]
    assert len(replies) == 1


def test_a_channel_whose_creation_answer_was_lost_is_adopted_not_duplicated(
    stack: Stack,
) -> None:
    stack.emulator.lose_reply("conversations.create")
    number = stack.declare()["number"]
    stack.deliver()
    stack.clock.advance(minutes=5)
    stack.deliver()

    names = [c.name for c in stack.emulator.channels.values() if c.creator == BOT_USER_ID]
    assert names == [f"incident-{number}"]
    assert len(stack.channel_messages(f"incident-{number}")) == 1


def test_a_taken_name_gets_a_suffix(stack: Stack) -> None:
    stack.emulator.add_channel("incident-1", creator="U0SOMEONE1")
    stack.declare()
    stack.deliver()
    assert stack.incident(1)["channel"]["name"] == "incident-1-2"


def test_an_alert_routed_to_chat_is_posted_once_in_the_alerts_channel(stack: Stack) -> None:
    warning = AlertEvent(
        source=Source.GENERIC,
        action=Action.TRIGGER,
        fingerprint="disk-almost-full",
        summary="Disk 91% full on db-2",
        labels={"severity": "warning"},
    )
    stack.emulator.lose_reply("chat.postMessage")  # posted, but the answer never arrives
    with stack.db.write() as session:
        [result] = alerts.ingest(session, [warning], integration="default", now=stack.clock.now())
        alerts.ingest(session, [warning], integration="default", now=stack.clock.now())
    stack.deliver()
    stack.clock.advance(minutes=5)
    stack.deliver()

    posts = stack.channel_messages("alerts")
    assert [post.text.startswith("*Alert: Disk 91% full on db-2*") for post in posts] == [True]
    assert result.outcome == "created"


def _put_carol_and_alice_on_call(db: Database) -> None:
    """Website's team pages through a policy whose schedule has carol (primary) and alice
    (secondary) on call, while the team's default responder is bob."""
    with db.write() as session:
        session.add(
            Schedule(
                id="web",
                name="Web on-call",
                timezone="UTC",
                layers=[
                    {"name": "primary", "people": ["carol"], "start": "2025-12-01"},
                    {"name": "secondary", "people": ["alice"], "start": "2025-12-01"},
                ],
            )
        )
        session.add(
            EscalationPolicy(
                id="web", name="Web", steps=[{"notify": [{"schedule": "web"}], "wait_minutes": 5}]
            )
        )
        session.get_one(Service, "website").escalation_policy_id = "web"


def test_the_people_on_call_are_invited_instead_of_the_teams_default_responders(
    stack: Stack,
) -> None:
    _put_carol_and_alice_on_call(stack.db)
    number = stack.declare()["number"]
    stack.deliver()

    channel = stack.emulator.channel_named(f"incident-{number}")
    assert channel is not None
    assert {"U0CAROL", "U0ALICE"} <= set(channel.members)
    assert "U0BOB" not in channel.members


def test_a_point_person_paged_into_an_incident_is_invited_to_its_channel(stack: Stack) -> None:
    number = stack.declare()["number"]
    stack.deliver()
    channel = stack.emulator.channel_named(f"incident-{number}")
    assert channel is not None
    assert "U0CAROL" not in channel.members
    with stack.db.write() as session:
        event = DomainEvent(
            EventType.PAGE_TRIGGERED,
            stream=f"incident:{number}",
            data={
                "page": 1,
                "incident": number,
                "reason": "point_person",
                "people": ["carol"],
                "invite": True,
                "round": 0,
                "step": 0,
            },
        )
        append(session, event, now=stack.clock.now())
    stack.deliver()

    assert "U0CAROL" in channel.members
