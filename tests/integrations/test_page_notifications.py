"""Paging by SMS and voice call through Twilio (against the local Twilio emulator), through
the real outbox dispatcher: sent once, retried when Twilio falters, refused for good when the
number is bad, skipped once the page is acknowledged, logged when Twilio is not configured."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import httpx
import pytest

from firehouse.auth.signing import signing_key
from firehouse.catalog.model import Person
from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.oncall.ack_links import read_ack_token
from tests.fakes.twilio_api import AUTH_TOKEN, TwilioEmulator
from tests.integrations.page_notification_support import (
    ALICE_PHONE,
    BASE_URL,
    SECRET_KEY,
    TOKEN_ENV,
    Paging,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[TwilioEmulator]:
    monkeypatch.setenv(TOKEN_ENV, AUTH_TOKEN)
    with TwilioEmulator() as emulator:
        yield emulator


@pytest.fixture
def paging(db: Database, clock: FakeClock, http: httpx.Client, twilio: TwilioEmulator) -> Paging:
    return Paging(db, clock, http, settings={"twilio": twilio.settings()}).start()


def test_an_sms_goes_out_once_with_the_incident_and_a_working_ack_link(
    paging: Paging, twilio: TwilioEmulator, db: Database, clock: FakeClock
) -> None:
    notification = paging.notify(method="sms")
    paging.run()
    [sms] = twilio.messages
    assert (sms["to"], sms["from"]) == (ALICE_PHONE, "+15005550006")
    assert sms["body"].startswith("firehouse page: P1 incident #1: Checkout fails for some users")
    token = sms["body"].split(f"{BASE_URL}/ack/")[1]
    claim = read_ack_token(signing_key(db, SECRET_KEY), token, clock.now())
    assert (claim.page_id, claim.person_id) == (paging.page_id, "alice")
    assert claim.expires_at == clock.now().replace(microsecond=0) + timedelta(minutes=60)
    row = paging.row(notification)
    assert (row.state, row.provider_ref) == ("sent", sms["sid"])
    assert paging.notified() == ["Sent an SMS to Alice Ng"]


def test_a_redelivered_notification_is_not_sent_again(
    paging: Paging, twilio: TwilioEmulator
) -> None:
    notification = paging.notify(method="sms")
    paging.run()
    paging.requeue(notification)
    paging.run()
    assert len(twilio.messages) == 1
    assert paging.notified() == ["Sent an SMS to Alice Ng"]


def test_a_voice_call_reads_the_page_out_in_escaped_twiml(
    db: Database, clock: FakeClock, http: httpx.Client, twilio: TwilioEmulator
) -> None:
    paging = Paging(db, clock, http, settings={"twilio": twilio.settings()})
    paging.start(message="Payments <API> & checkout down")
    paging.notify(method="voice")
    paging.run()
    [call] = twilio.voice_calls
    assert call["sid"].startswith("CA")
    spoken = [say.text for say in ElementTree.fromstring(call["twiml"]).iter("Say")]  # noqa: S314 (our own TwiML)
    assert len(spoken) == 2
    assert "incident #1: Payments <API> & checkout down" in (spoken[0] or "")
    assert paging.notified() == ["Called Alice Ng"]


def test_a_twilio_outage_is_retried_and_the_sms_sent_exactly_once(
    paging: Paging, twilio: TwilioEmulator
) -> None:
    notification = paging.notify(method="sms")
    twilio.fail_next("Messages", status=503)
    paging.run()
    assert twilio.messages == []
    assert paging.row(notification).state == "queued"
    assert "HTTP 503" in paging.pending_error()
    paging.wait_for_retry()
    paging.run()
    assert len(twilio.messages) == 1
    assert paging.row(notification).state == "sent"
    assert [c.status for c in twilio.calls_to("Messages")] == [503, 201]


def test_twilio_throttling_is_retried_no_sooner_than_its_retry_after(
    paging: Paging, twilio: TwilioEmulator, clock: FakeClock
) -> None:
    paging.notify(method="sms")
    twilio.fail_next("Messages", status=429, retry_after=30)
    paging.run()
    [delivery] = paging.deliveries()
    assert delivery.next_attempt_at.replace(tzinfo=UTC) >= clock.now() + timedelta(seconds=30)
    paging.wait_for_retry(seconds=31)
    paging.run()
    assert len(twilio.messages) == 1


def test_an_invalid_number_is_recorded_as_failed_and_not_retried(
    paging: Paging, twilio: TwilioEmulator, db: Database
) -> None:
    with db.write() as session:
        session.get_one(Person, "alice").phone = "+1555"
    notification = paging.notify(method="sms")
    paging.run()
    row = paging.row(notification)
    assert row.state == "failed"
    assert "error 21211" in (row.error or "")
    assert paging.notified() == [
        "Could not text Alice: Twilio refused it: The 'To' number +1555 is not a valid phone "
        "number. (error 21211)"
    ]
    assert [d.state for d in paging.deliveries()] == ["delivered"]


def test_a_person_without_a_phone_number_is_recorded_as_failed(
    paging: Paging, twilio: TwilioEmulator
) -> None:
    notification = paging.notify(person_id="bob", method="voice")
    paging.run()
    assert paging.row(notification).state == "failed"
    assert paging.notified() == ["Could not call Bob: no phone number"]
    assert twilio.calls == []


def test_wrong_twilio_credentials_are_retried_and_never_quoted(
    paging: Paging, twilio: TwilioEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "not-the-auth-token")
    notification = paging.notify(method="sms")
    paging.run()
    assert paging.row(notification).state == "queued"
    error = paging.pending_error()
    assert "HTTP 401" in error
    assert "error 20003" in error
    assert "not-the-auth-token" not in error
    monkeypatch.setenv(TOKEN_ENV, AUTH_TOKEN)  # the operator fixes the secret
    paging.wait_for_retry()
    paging.run()
    assert len(twilio.messages) == 1


def test_a_missing_auth_token_names_the_variable(
    paging: Paging, twilio: TwilioEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    paging.notify(method="sms")
    paging.run()
    assert f"environment variable {TOKEN_ENV} is not set" in paging.pending_error()
    assert twilio.calls == []


def test_nothing_is_sent_once_the_page_is_acknowledged(
    paging: Paging, twilio: TwilioEmulator
) -> None:
    notification = paging.notify(method="sms")
    paging.acknowledge()
    paging.run()
    assert paging.row(notification).state == "skipped"
    assert twilio.calls == []
    assert paging.notified() == []


def test_an_acknowledgement_between_retries_stops_the_retry(
    paging: Paging, twilio: TwilioEmulator
) -> None:
    notification = paging.notify(method="voice")
    twilio.fail_next("Calls", status=500)
    paging.run()
    paging.acknowledge()
    paging.wait_for_retry()
    paging.run()
    assert paging.row(notification).state == "skipped"
    assert twilio.voice_calls == []


def test_without_twilio_the_sms_is_logged_and_the_timeline_says_it_was_not_sent(
    db: Database, clock: FakeClock, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    paging = Paging(db, clock, http).start()
    notification = paging.notify(method="sms")
    with caplog.at_level(logging.INFO, logger="firehouse.integrations.paging"):
        paging.run()
    row = paging.row(notification)
    assert (row.state, row.provider_ref) == ("sent", "console")
    assert "sms to alice (+447700900123) NOT sent" in caplog.text
    assert "/ack/" not in caplog.text  # the link acknowledges for whoever holds it
    assert paging.notified() == [
        "Would have sent an SMS to Alice Ng, but Twilio is not configured: the message was "
        "written to the log only"
    ]
