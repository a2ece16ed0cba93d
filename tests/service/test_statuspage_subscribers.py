"""Subscriber use cases on both databases: double opt-in, one-click unsubscribe, checked
input, and a fan-out that never queues anyone twice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from firehouse.catalog.apply import apply_config
from firehouse.catalog.config import FirehouseConfig
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.outbox.events import EventType
from firehouse.outbox.model import OutboxEvent, Subscription
from firehouse.statuspage import subscribers
from firehouse.statuspage.model import Subscriber
from firehouse.statuspage.notices import notice_of
from firehouse.statuspage.notify import KIND, fan_out
from tests.integrations.subscriber_support import (
    confirmed_email,
    emit_incident,
    enable,
    notifications,
)


@pytest.fixture
def page(db: Database, clock: FakeClock) -> Database:
    enable(db, clock.now())
    return db


def _events(db: Database, event_type: str) -> list[OutboxEvent]:
    with db.read() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type)))


def test_signing_up_by_email_leaves_a_pending_subscriber_and_queues_a_confirmation(
    page: Database, clock: FakeClock
) -> None:
    with page.write() as session:
        row = subscribers.subscribe_email(session, "Ann@Example.COM", ["api"], now=clock.now())
        assert (row.address, subscribers.state_of(row)) == ("Ann@example.com", "pending")
    [event] = _events(page, subscribers.CONFIRMATION)
    assert event.payload == {"subscriber_id": row.id}
    assert "Ann" not in str(event.payload)  # no address or token in the outbox


def test_signing_up_again_while_pending_queues_the_confirmation_again(
    page: Database, clock: FakeClock
) -> None:
    for _ in range(2):
        with page.write() as session:
            subscribers.subscribe_email(session, "ann@example.com", [], now=clock.now())
    with page.read() as session:
        assert len(list(session.scalars(select(Subscriber)))) == 1
    assert len(_events(page, subscribers.CONFIRMATION)) == 2


def test_the_confirmation_link_works_once(page: Database, clock: FakeClock) -> None:
    with page.write() as session:
        row = subscribers.subscribe_email(session, "ann@example.com", [], now=clock.now())
        token = subscribers.link_token(row, "confirm")
    with page.write() as session:
        assert subscribers.state_of(subscribers.confirm(session, token, now=clock.now())) == (
            "confirmed"
        )
    with pytest.raises(NotFound) as refused, page.write() as session:
        subscribers.confirm(session, token, now=clock.now())
    assert refused.value.field == "token"


def test_an_unknown_confirmation_token_is_not_found(page: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound), page.write() as session:
        subscribers.confirm(session, "nonsense", now=clock.now())


def test_the_unsubscribe_link_unsubscribes_and_may_be_used_again(
    page: Database, clock: FakeClock
) -> None:
    row = confirmed_email(page, clock.now(), "ann@example.com")
    token = subscribers.link_token(row, "unsubscribe")
    for _ in range(2):
        with page.write() as session:
            done = subscribers.unsubscribe(session, token, now=clock.now())
            assert subscribers.state_of(done) == "unsubscribed"


def test_an_unknown_component_is_refused_by_name(page: Database, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused, page.write() as session:
        subscribers.subscribe_email(session, "ann@example.com", ["billing"], now=clock.now())
    assert refused.value.field == "components"
    assert "billing" in refused.value.message


@pytest.mark.parametrize(
    "address", ["ann", "ann@", "ann@example", "a b@example.com", "ann@example.com\r\nBcc: x@y.z"]
)
def test_a_malformed_email_address_is_refused(
    page: Database, clock: FakeClock, address: str
) -> None:
    with pytest.raises(InvalidInput) as refused, page.write() as session:
        subscribers.subscribe_email(session, address, [], now=clock.now())
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest",
        "https://127.0.0.1/x",
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
    ],
)
def test_a_webhook_must_be_https_to_a_public_host(
    page: Database, clock: FakeClock, url: str
) -> None:
    with pytest.raises(InvalidInput) as refused, page.write() as session:
        subscribers.subscribe_webhook(session, url, [], now=clock.now())
    assert refused.value.field == "url"


def test_a_webhook_subscriber_is_active_at_once_and_gets_a_standard_webhooks_secret(
    page: Database, clock: FakeClock
) -> None:
    with page.write() as session:
        created = subscribers.subscribe_webhook(
            session, "https://hooks.example.com/status", [], now=clock.now()
        )
        assert subscribers.state_of(created.subscriber) == "confirmed"
    assert created.secret.startswith("whsec_")
    assert _events(page, subscribers.CONFIRMATION) == []


def test_signing_up_is_refused_while_the_page_has_no_subscriptions(
    db: Database, clock: FakeClock
) -> None:
    with pytest.raises(Conflict), db.write() as session:
        subscribers.subscribe_email(session, "ann@example.com", [], now=clock.now())


def test_fan_out_queues_confirmed_subscribers_whose_components_match(
    page: Database, clock: FakeClock
) -> None:
    everything = confirmed_email(page, clock.now(), "all@example.com")
    website = confirmed_email(page, clock.now(), "web@example.com", ("website",))
    confirmed_email(page, clock.now(), "api@example.com", ("api",))
    with page.write() as session:
        subscribers.subscribe_email(session, "pending@example.com", [], now=clock.now())
    event_id = emit_incident(page, clock.now(), components=("website",))
    notice = notice_of(EventType.STATUSPAGE_INCIDENT_UPDATED, _payload(page, event_id))
    assert notice is not None
    with page.write() as session:
        assert fan_out(session, event_id, notice, now=clock.now()) == 2
    queued = {subscriber for _event, subscriber, _state in notifications(page)}
    assert queued == {everything.id, website.id}


def test_a_repeated_fan_out_queues_nobody_twice(page: Database, clock: FakeClock) -> None:
    confirmed_email(page, clock.now(), "ann@example.com")
    event_id = emit_incident(page, clock.now())
    notice = notice_of(EventType.STATUSPAGE_INCIDENT_UPDATED, _payload(page, event_id))
    assert notice is not None
    for expected in (1, 0):
        with page.write() as session:
            assert fan_out(session, event_id, notice, now=clock.now()) == expected
    assert len(notifications(page)) == 1
    assert len(_events(page, subscribers.NOTIFICATION)) == 1


def test_removing_a_subscriber_erases_it(page: Database, clock: FakeClock) -> None:
    row = confirmed_email(page, clock.now(), "ann@example.com")
    with page.write() as session:
        subscribers.remove(session, row.id)
    with page.read() as session:
        assert subscribers.list_subscribers(session) == []
    with pytest.raises(NotFound), page.write() as session:
        subscribers.remove(session, row.id)


def _payload(db: Database, event_id: int) -> dict[str, object]:
    with db.read() as session:
        return dict(session.get_one(OutboxEvent, event_id).payload)


def _apply(db: Database, clock: FakeClock, statuspage: dict[str, object] | None) -> list[str]:
    document: dict[str, object] = {"organisation": {"name": "Example Arts"}}
    if statuspage is not None:
        document["statuspage"] = statuspage
    with db.write() as session:
        changes = apply_config(
            session, FirehouseConfig.model_validate(document), source="test", now=clock.now()
        )
    return [str(change) for change in changes]


def test_config_apply_turns_a_statuspage_section_into_the_subscribers_subscription(
    db: Database, clock: FakeClock
) -> None:
    smtp = {
        "host": "mail.example.com",
        "port": 465,
        "from": "status@example.com",
        "security": "ssl",
    }
    section = {"name": "Example Status", "url": "https://status.example.com", "smtp": smtp}
    assert "created subscription statuspage-subscribers" in _apply(db, clock, section)
    with db.read() as session:
        row = session.get_one(Subscription, subscribers.SUBSCRIPTION)
        assert (row.kind, row.event_types, row.active) == (KIND, ["statuspage.*"], True)
        assert row.settings["smtp"]["host"] == "mail.example.com"
        assert row.settings["smtp"]["from"] == "status@example.com"
    assert not any("subscription" in change for change in _apply(db, clock, section))


def test_config_apply_without_a_statuspage_section_stops_telling_subscribers(
    db: Database, clock: FakeClock
) -> None:
    _apply(db, clock, {"name": "Example Status"})
    assert "deactivated subscription statuspage-subscribers" in _apply(db, clock, None)
