"""Slack calling firehouse: signed slash commands, modals, shortcuts and events, answered by
the real app, with the real slack_sdk talking to the local Slack emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from firehouse.app import create_app
from firehouse.catalog.config import ChatConfig, SlackConfig
from firehouse.chat.model import ChatEventReceipt, ChatIdentity, IncidentChannel
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.incidents.model import Incident, TimelineEntry
from firehouse.oncall.model import Page, PageNotification
from firehouse.outbox.model import Subscription
from firehouse.settings import Settings
from firehouse.statuspage import service as statuspage
from firehouse.statuspage.model import PublicIncident, PublicUpdate
from tests.api.client import BASE_URL, error_fields
from tests.factories import declare, seed_catalog
from tests.fakes.slack_api import SlackEmulator
from tests.fakes.slack_state import BOT_USER_ID
from tests.integrations.slack_requests import (
    SIGNING_SECRET,
    SlackInbound,
    message_action,
    reaction_added,
    signed_headers,
    view_submission,
)
from tests.service.statuspage_support import add_components

INCIDENT_CHANNEL = "C0INCIDENT1"


@dataclass
class World:
    slack: SlackInbound
    emulator: SlackEmulator
    db: Database
    clock: FakeClock

    def incidents(self) -> list[Incident]:
        with self.db.read() as session:
            return list(session.scalars(select(Incident).order_by(Incident.number)))

    def incident(self, number: int = 1) -> Incident:
        return next(i for i in self.incidents() if i.number == number)

    def roles(self, number: int = 1) -> dict[str, list[str]]:
        with self.db.read() as session:
            found = session.scalar(select(Incident).where(Incident.number == number))
            assert found is not None
            return {
                role: found.holders(role)
                for role in ("commander", "communications_lead", "responder")
            }

    def timeline(self, kind: str | None = None) -> list[TimelineEntry]:
        with self.db.read() as session:
            entries = list(session.scalars(select(TimelineEntry).order_by(TimelineEntry.id)))
        return [e for e in entries if kind is None or e.kind == kind]

    def declare(self, **extra: Any) -> Incident:
        return declare(self.db, self.clock.now(), **extra)

    def give_channel(self, number: int = 1, channel_id: str = INCIDENT_CHANNEL) -> None:
        with self.db.write() as session:
            incident = session.scalar(select(Incident).where(Incident.number == number))
            assert incident is not None
            session.add(
                IncidentChannel(
                    incident_id=incident.id,
                    provider="slack",
                    channel_id=channel_id,
                    name=f"incident-{number}",
                    url=f"https://acme.slack.com/archives/{channel_id}",
                    created_at=self.clock.now(),
                )
            )

    def unconfigure_chat(self) -> None:
        with self.db.write() as session:
            row = session.get(Subscription, "chat")
            assert row is not None
            row.active = False


def make_app(database_url: str, clock: FakeClock, emulator: SlackEmulator, **settings: Any) -> Any:
    config = {
        "database_url": database_url,
        "base_url": BASE_URL,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_bot_token": emulator.token,
        **settings,
    }
    app = create_app(Settings(**config), clock=clock, run_dispatcher=False)
    db: Database = app.state.runtime.db
    chat = ChatConfig(slack=SlackConfig(api_url=emulator.api_url))
    with db.write() as session:
        seed_catalog(session)
        session.add(
            Subscription(
                name="chat", kind="chat", event_types=["incident.*"], settings=chat.model_dump()
            )
        )
    return app


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        running.add_user("U0ALICE", email="alice@example.com", name="Alice Ng", handle="alice")
        running.add_user("U0BOB", email="bob@example.com", name="Bob Ortiz", handle="bob")
        running.add_user("U0CAROL", email="carol@example.com", name="Carol Diaz", handle="cdz")
        yield running


@pytest.fixture
def world(database_url: str, clock: FakeClock, emulator: SlackEmulator) -> Iterator[World]:
    app = make_app(database_url, clock, emulator)
    db: Database = app.state.runtime.db
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(SlackInbound(client, clock), emulator, db, clock)
    db.dispose()


def ephemeral(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    text: str = body["text"]
    return text


# signatures --------------------------------------------------------------------------------
def test_a_request_without_a_signature_is_refused_and_changes_nothing(world: World) -> None:
    response = world.slack.client.post(
        "/api/v1/integrations/slack/commands",
        content=b"user_id=U0ALICE&text=declare+P2+website+Down",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401
    error_fields(response)
    assert world.incidents() == []


def test_a_request_signed_with_another_secret_is_refused(world: World) -> None:
    world.slack.secret = "not-the-signing-secret"
    response = world.slack.command("declare P2 website Checkout is down")
    assert response.status_code == 401
    assert "does not match" in response.json()["detail"]
    assert world.incidents() == []


def test_a_request_signed_six_minutes_ago_is_refused(world: World) -> None:
    stale = int(world.clock.now().timestamp()) - 360
    response = world.slack.command("declare P2 website Checkout is down", timestamp=stale)
    assert response.status_code == 401
    assert world.incidents() == []


def test_a_request_dated_in_the_future_is_refused(world: World) -> None:
    ahead = int(world.clock.now().timestamp()) + 360
    assert world.slack.command("note hello", timestamp=ahead).status_code == 401


def test_a_replayed_request_is_refused_once_its_timestamp_is_old(world: World) -> None:
    body = b"user_id=U0ALICE&channel_id=C0GENERAL&text=declare+P2+website+Checkout+down"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(body, int(world.clock.now().timestamp())),
    }
    path = "/api/v1/integrations/slack/commands"
    assert world.slack.client.post(path, content=body, headers=headers).status_code == 200
    world.clock.advance(minutes=10)
    replay = world.slack.client.post(path, content=body, headers=headers)
    assert replay.status_code == 401
    assert len(world.incidents()) == 1


def test_a_tampered_body_is_refused(world: World) -> None:
    body = b"user_id=U0ALICE&channel_id=C0GENERAL&text=help"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(body, int(world.clock.now().timestamp())),
    }
    tampered = body.replace(b"help", b"declare+P1+website+Fake")
    path = "/api/v1/integrations/slack/commands"
    assert world.slack.client.post(path, content=tampered, headers=headers).status_code == 401
    assert world.incidents() == []


def test_without_a_signing_secret_every_request_is_refused(
    database_url: str, clock: FakeClock, emulator: SlackEmulator
) -> None:
    app = make_app(database_url, clock, emulator, slack_signing_secret=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = SlackInbound(client, clock).command("help")
    app.state.runtime.db.dispose()
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Slack is not configured: set FIREHOUSE_SLACK_SIGNING_SECRET"
    )


def test_unconfigured_chat_says_so(world: World) -> None:
    world.unconfigure_chat()
    assert "chat is not configured" in ephemeral(world.slack.command("help"))


# declaring ---------------------------------------------------------------------------------
def test_declare_with_arguments_declares_without_a_form(world: World) -> None:
    text = ephemeral(world.slack.command("declare P2 website Partners cannot delete artworks"))
    incident = world.incident(1)
    assert (incident.priority, incident.service_id) == ("P2", "website")
    assert incident.message == "Partners cannot delete artworks"
    assert incident.reporter == "alice"
    assert "#1" in text
    assert "P2 High" in text
    assert world.emulator.views_opened == []


def test_declare_on_an_unknown_service_names_the_problem(world: World) -> None:
    text = ephemeral(world.slack.command("declare P2 nowhere Something broke"))
    assert text == "Could not declare: service: unknown service 'nowhere'"
    assert world.incidents() == []


def test_a_command_that_does_not_parse_answers_with_its_usage(world: World) -> None:
    text = ephemeral(world.slack.command("priority P9"))
    assert "priority must be one of P1-P5" in text
    assert "Usage: `/incident [number] priority P1-P5`" in text


def test_help_lists_the_commands(world: World) -> None:
    text = ephemeral(world.slack.command("help"))
    assert "/incident declare" in text
    assert "/incident status" in text


def test_declare_alone_opens_the_form_with_services_and_priority_guidance(world: World) -> None:
    response = world.slack.command("declare", trigger_id=world.emulator.new_trigger_id())
    assert response.status_code == 200
    assert response.content == b""
    [view] = world.emulator.views_opened
    assert view["callback_id"] == "declare_incident"
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    services = [o["value"] for o in blocks["service"]["element"]["options"]]
    assert services == ["cms", "website"]  # active services only
    priorities = blocks["priority"]["element"]["options"]
    assert [o["text"]["text"] for o in priorities][:2] == ["P1 Critical", "P2 High"]
    assert priorities[0]["description"]["text"].startswith("Very high impact")
    assert {"message", "description"} <= set(blocks)


def test_a_form_that_cannot_open_says_why(world: World) -> None:
    text = ephemeral(world.slack.command("declare", trigger_id="expired.trigger"))
    assert text.startswith("Could not open the form")
    assert "invalid_trigger_id" in text


def test_submitting_the_form_declares_the_incident(world: World) -> None:
    payload = view_submission(
        {
            "service": "cms",
            "priority": "P3",
            "message": "One partner cannot sign in",
            "description": "Since the deploy",
        }
    )
    response = world.slack.interaction(payload)
    assert response.status_code == 200
    assert response.json() == {"response_action": "clear"}
    incident = world.incident(1)
    assert (incident.service_id, incident.priority) == ("cms", "P3")
    assert (incident.message, incident.description) == (
        "One partner cannot sign in",
        "Since the deploy",
    )
    assert incident.reporter == "alice"


def test_an_empty_message_is_shown_under_the_message_field(world: World) -> None:
    payload = view_submission({"service": "cms", "priority": "P3", "message": None})
    response = world.slack.interaction(payload)
    assert response.json() == {
        "response_action": "errors",
        "errors": {"message": "must not be empty"},
    }
    assert world.incidents() == []


def test_an_unchosen_service_is_shown_under_the_service_field(world: World) -> None:
    payload = view_submission({"service": None, "priority": "P3", "message": "Broken"})
    assert world.slack.interaction(payload).json()["errors"] == {"service": "choose one"}


def test_a_retired_service_is_refused_by_the_form(world: World) -> None:
    payload = view_submission({"service": "legacy", "priority": "P3", "message": "Broken"})
    assert world.slack.interaction(payload).json()["errors"] == {
        "service": "unknown service 'legacy'"
    }


def test_the_message_shortcut_opens_the_form_prefilled_with_the_message(world: World) -> None:
    channel = world.emulator.add_channel("incidents")
    ts = world.emulator.post_as(channel.id, "U0BOB", "Checkout returns 500\nfor EU users")
    payload = message_action(
        "Checkout returns 500\nfor EU users",
        channel_id=channel.id,
        ts=ts,
        trigger_id=world.emulator.new_trigger_id(),
        response_url=world.emulator.response_url(),
        user_id="U0ALICE",
    )
    assert world.slack.interaction(payload).status_code == 200
    [view] = world.emulator.views_opened
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["message"]["element"]["initial_value"] == "Checkout returns 500"
    assert "for EU users" in blocks["description"]["element"]["initial_value"]
    permalink = f"https://acme.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
    assert json.loads(view["private_metadata"]) == {"source_url": permalink}


def test_declaring_from_a_message_takes_its_permalink_as_the_source(world: World) -> None:
    source = "https://acme.slack.com/archives/C0INCIDENTS/p1700000000000100"
    payload = view_submission(
        {"service": "website", "priority": "P2", "message": "Checkout returns 500"},
        private_metadata=json.dumps({"source_url": source}),
    )
    assert world.slack.interaction(payload).json() == {"response_action": "clear"}
    assert world.incident(1).source_url == source


def test_a_shortcut_when_chat_is_off_is_acknowledged_and_opens_nothing(world: World) -> None:
    world.unconfigure_chat()
    payload = message_action(
        "text",
        channel_id="C0X",
        ts="1700000000.000100",
        trigger_id=world.emulator.new_trigger_id(),
        response_url=world.emulator.response_url(),
        user_id="U0ALICE",
    )
    assert world.slack.interaction(payload).status_code == 200
    assert world.emulator.views_opened == []


def test_a_malformed_interaction_payload_is_a_422_naming_it(world: World) -> None:
    body = b"payload=not-json"
    response = world.slack.post("/interactions", body, "application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert error_fields(response) == ["payload"]


# commands on an incident -------------------------------------------------------------------
@pytest.fixture
def running(world: World) -> World:
    """Incident 1, open, with its channel."""
    world.declare()
    world.give_channel()
    return world


def in_channel(world: World, text: str, **kwargs: Any) -> str:
    return ephemeral(world.slack.command(text, channel_id=INCIDENT_CHANNEL, **kwargs))


def test_priority_in_the_incident_channel_changes_its_priority(running: World) -> None:
    assert in_channel(running, "priority P1") == "#1 is now P1 Critical."
    assert running.incident().priority == "P1"


def test_commander_takes_the_mentioned_person(running: World) -> None:
    assert in_channel(running, "commander <@U0BOB|bob>") == "bob is now commander of #1."
    assert running.roles()["commander"] == ["bob"]


def test_comms_assigns_the_communications_lead(running: World) -> None:
    in_channel(running, "comms @carol")
    assert running.roles()["communications_lead"] == ["carol"]


def test_a_person_firehouse_cannot_match_yet_is_looked_up_for_next_time(running: World) -> None:
    running.emulator.add_user("U0DAN", email="dan@example.com", handle="dk")
    first = in_channel(running, "commander <@U0DAN>")
    assert "not a firehouse person yet" in first
    assert running.roles()["commander"] == []
    # Looked up by email after the answer: the same command now works.
    assert in_channel(running, "commander <@U0DAN>") == "dan is now commander of #1."


def pages(world: World) -> list[tuple[str, str, list[str]]]:
    """(reason, message, people notified) of every page, oldest first."""
    with world.db.read() as session:
        found = []
        for page in session.scalars(select(Page).order_by(Page.id)):
            people = session.scalars(
                select(PageNotification.person_id)
                .where(PageNotification.page_id == page.id)
                .distinct()
            )
            found.append((page.reason, page.message, sorted(people)))
        return found


def test_escalate_pages_the_services_point_people(running: World) -> None:
    assert in_channel(running, "escalate") == (
        "Paged Alice Ng for #1 (page 1); they are invited here."
    )
    [(reason, message, people)] = pages(running)
    assert (reason, people) == ("point_person", ["alice"])
    assert message.startswith("Incident #1 needs you")


def test_escalate_to_another_service_or_a_person_with_a_message(running: World) -> None:
    in_channel(running, "escalate cms partners cannot sign in")
    in_channel(running, "escalate <@U0BOB|bob> can you check the load balancer?")
    assert pages(running) == [
        ("point_person", "partners cannot sign in", ["carol"]),
        ("point_person", "can you check the load balancer?", ["bob"]),
    ]


def test_escalate_words_that_name_no_service_are_the_message(running: World) -> None:
    in_channel(running, "escalate the database is down")
    assert pages(running) == [("point_person", "the database is down", ["alice"])]


def test_note_adds_a_timeline_entry(running: World) -> None:
    assert in_channel(running, "note rolled back &lt;v2&gt;") == "Added to the timeline of #1."
    [entry] = running.timeline("note")
    assert (entry.text, entry.actor) == ("rolled back <v2>", "alice")


def test_link_adds_a_link_of_the_given_kind(running: World) -> None:
    text = in_channel(running, "link <https://jira.example.com/B-1> follow_up")
    assert text == "Linked follow-up to #1: https://jira.example.com/B-1"
    with running.db.read() as session:
        incident = session.scalar(select(Incident).where(Incident.number == 1))
        assert incident is not None
        assert [(link.kind, link.url) for link in incident.links] == [
            ("follow_up", "https://jira.example.com/B-1")
        ]


def test_resolve_resolves_with_the_note(running: World) -> None:
    assert in_channel(running, "resolve rolled back the deploy") == "#1 is resolved."
    incident = running.incident()
    assert (incident.status, incident.resolution_note) == ("resolved", "rolled back the deploy")


def test_close_closes_with_the_reason(running: World) -> None:
    assert in_channel(running, "close duplicate of another report") == "#1 is closed."
    assert running.incident().close_reason == "duplicate of another report"


def test_a_refused_change_is_a_friendly_message_not_a_failure(running: World) -> None:
    in_channel(running, "resolve fixed")
    text = in_channel(running, "resolve fixed again")
    assert text == "Could not resolve: status: incident is already resolved"


def test_status_is_a_summary_only_the_caller_sees(running: World) -> None:
    in_channel(running, "commander @bob")
    text = in_channel(running, "status")
    assert text.startswith(f"*<{BASE_URL}/incidents/1|#1> P2 High: Checkout fails for some users*")
    assert "(open)" in text
    assert "Commander: bob" in text
    assert "Service: Website" in text
    assert "Checklist: " in text  # progress through the runbook's duties, with the next one
    assert "done, next: " in text


def test_help_in_the_incident_channel(running: World) -> None:
    assert "/incident note" in in_channel(running, "help")


def test_outside_the_channel_a_number_names_the_incident(running: World) -> None:
    assert ephemeral(running.slack.command("1 priority P3")) == "#1 is now P3 Moderate."
    assert ephemeral(running.slack.command("#1 note seen from elsewhere")).endswith("#1.")
    assert ephemeral(running.slack.command("1 comms <@U0CAROL|carol>")).startswith("carol")
    assert ephemeral(running.slack.command("#1 link https://x.example.com/pm postmortem"))
    assert ephemeral(running.slack.command("1 resolve fixed")) == "#1 is resolved."
    assert "(resolved)" in ephemeral(running.slack.command("#1 status"))
    running.declare()
    assert ephemeral(running.slack.command("2 close duplicate of 1")) == "#2 is closed."
    assert running.incident().priority == "P3"
    assert running.roles()["communications_lead"] == ["carol"]


def test_outside_the_channel_without_a_number_asks_for_one(running: World) -> None:
    text = ephemeral(running.slack.command("priority P1"))
    assert "not an incident channel" in text
    assert "`/incident 12 priority ...`" in text


def test_a_number_that_is_no_incident_says_so(running: World) -> None:
    assert (
        ephemeral(running.slack.command("99 note hi")) == "Could not note: number: no incident 99"
    )


def test_an_unknown_user_still_works_and_is_recorded_by_slack_id(running: World) -> None:
    in_channel(running, "note from a stranger", user_id="U0STRANGER", user_name="stranger")
    assert running.timeline("note")[0].actor == "slack:U0STRANGER"


def test_a_user_matched_by_email_acts_as_that_person_from_then_on(running: World) -> None:
    # U0CAROL's Slack handle (cdz) matches nobody; her email matches carol once looked up.
    in_channel(running, "note first", user_id="U0CAROL", user_name="cdz")
    in_channel(running, "note second", user_id="U0CAROL", user_name="cdz")
    assert [e.actor for e in running.timeline("note")] == ["slack:U0CAROL", "carol"]
    with running.db.read() as session:
        remembered = session.get(ChatIdentity, ("slack", "U0CAROL"))
        assert remembered is not None
        assert (remembered.person_id, remembered.email) == ("carol", "carol@example.com")


# events ------------------------------------------------------------------------------------
def test_url_verification_answers_the_challenge(world: World) -> None:
    payload = {
        "token": "x",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    response = world.slack.event(payload)
    assert response.status_code == 200
    assert response.json() == {"challenge": payload["challenge"]}


def test_url_verification_must_be_signed_too(world: World) -> None:
    world.slack.secret = "wrong"
    assert world.slack.event({"type": "url_verification", "challenge": "c"}).status_code == 401


@pytest.fixture
def pinnable(world: World) -> tuple[World, str, str]:
    """Incident 1 with a real channel in the emulator and a message from Bob in it."""
    world.declare()
    channel = world.emulator.add_channel("incident-1", creator=BOT_USER_ID)
    world.give_channel(channel_id=channel.id)
    ts = world.emulator.post_as(channel.id, "U0BOB", "Failover to the replica finished")
    return world, channel.id, ts


def test_a_pin_reaction_adds_the_message_to_the_timeline_once(
    pinnable: tuple[World, str, str],
) -> None:
    world, channel_id, ts = pinnable
    event = reaction_added(
        event_id="Ev0PIN1", channel_id=channel_id, ts=ts, user="U0ALICE", author="U0BOB"
    )
    assert world.slack.event(event).status_code == 200
    assert world.slack.event(event, headers={"X-Slack-Retry-Num": "1"}).status_code == 200
    assert world.slack.event(event).status_code == 200
    [entry] = world.timeline("note")
    assert entry.text == "Pinned from chat, bob wrote: Failover to the replica finished"
    assert entry.actor == "alice"
    assert entry.occurred_at == datetime.fromtimestamp(float(ts), UTC)
    with world.db.read() as session:
        assert session.get(ChatEventReceipt, "Ev0PIN1") is not None


def test_another_emoji_adds_nothing(pinnable: tuple[World, str, str]) -> None:
    world, channel_id, ts = pinnable
    event = reaction_added(
        event_id="Ev0EYES",
        channel_id=channel_id,
        ts=ts,
        user="U0ALICE",
        author="U0BOB",
        reaction="eyes",
    )
    assert world.slack.event(event).status_code == 200
    assert world.timeline("note") == []


def test_a_pin_outside_an_incident_channel_adds_nothing(pinnable: tuple[World, str, str]) -> None:
    world, _channel_id, ts = pinnable
    other = world.emulator.add_channel("random")
    event = reaction_added(
        event_id="Ev0ELSE", channel_id=other.id, ts=ts, user="U0ALICE", author="U0BOB"
    )
    assert world.slack.event(event).status_code == 200
    assert world.timeline("note") == []


def test_a_pin_while_slack_is_down_is_still_recorded_without_its_text(
    pinnable: tuple[World, str, str],
) -> None:
    world, channel_id, ts = pinnable
    world.emulator.fail_next("conversations.history", status=503)
    event = reaction_added(
        event_id="Ev0DOWN", channel_id=channel_id, ts=ts, user="U0ALICE", author="U0BOB"
    )
    assert world.slack.event(event).status_code == 200
    [entry] = world.timeline("note")
    assert entry.text == "Pinned a message by bob; its text could not be fetched"


def test_an_event_body_that_is_not_json_is_a_422(world: World) -> None:
    response = world.slack.post("/events", b"{nope", "application/json")
    assert response.status_code == 422
    assert error_fields(response) == ["body"]


def give_public_incident(world: World) -> str:
    add_components(world.db, world.clock.now())
    with world.db.write() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == 1))
        public = statuspage.create_incident(
            session,
            name="Website: some pages fail to load",
            actor="alice",
            now=world.clock.now(),
            impact="major",
            components={"website": "partial_outage"},
            body="We are looking into reports of pages failing to load.",
            incident_id=incident_id,
        )
        return public.id


def public_incident(world: World, public_id: str) -> PublicIncident:
    with world.db.read() as session:
        found = session.get(PublicIncident, public_id)
        assert found is not None
        return found


def test_statuspage_publish_publishes_the_draft_of_the_channels_incident(running: World) -> None:
    public_id = give_public_incident(running)
    reply = in_channel(running, "statuspage publish")
    assert reply == "Published the public incident of #1: Website: some pages fail to load"
    assert public_incident(running, public_id).published_at is not None


def test_statuspage_with_a_status_posts_a_public_update(running: World) -> None:
    public_id = give_public_incident(running)
    in_channel(running, "statuspage publish")
    running.clock.advance(minutes=1)
    reply = in_channel(running, "statuspage identified A faulty cache node; replacing it")
    assert reply == "Posted a public update (identified) for #1."
    with running.db.read() as session:
        latest = session.scalars(
            select(PublicUpdate)
            .where(PublicUpdate.public_incident_id == public_id)
            .order_by(PublicUpdate.created_at.desc())
        ).first()
        assert latest is not None
        assert (latest.status, latest.body) == (
            "identified",
            "A faulty cache node; replacing it",
        )


def test_statuspage_on_an_incident_without_a_public_incident_says_why(running: World) -> None:
    reply = in_channel(running, "statuspage identified Found it")
    assert "#1 has no public incident" in reply


def test_a_private_incident_named_by_number_elsewhere_is_missing_to_a_non_participant(
    world: World,
) -> None:
    world.declare(private=True, reporter="alice", message="Payroll data exposed")
    refused = ephemeral(world.slack.command("1 note looking", user_id="U0BOB", user_name="bob"))
    assert "no incident 1" in refused
    assert "Payroll" not in ephemeral(world.slack.command("1", user_id="U0BOB", user_name="bob"))
    assert world.timeline("note") == []

    assert ephemeral(world.slack.command("1 note looking")) == "Added to the timeline of #1."
