"""The Twilio emulator answers as Twilio's REST API does, so the paging tests that use it
test against Twilio's real shapes: checked here with a plain HTTP client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, TwilioEmulator

AUTH = (ACCOUNT_SID, AUTH_TOKEN)


@pytest.fixture
def twilio() -> Iterator[TwilioEmulator]:
    with TwilioEmulator() as emulator:
        yield emulator


def url(twilio: TwilioEmulator, resource: str, account: str = ACCOUNT_SID) -> str:
    return f"{twilio.api_url}2010-04-01/Accounts/{account}/{resource}.json"


def sms(to: str = "+447700900123", body: str = "hello") -> dict[str, str]:
    return {"To": to, "From": FROM_NUMBER, "Body": body}


def test_a_message_is_created_queued_with_an_sm_sid(twilio: TwilioEmulator) -> None:
    response = httpx.post(url(twilio, "Messages"), data=sms(), auth=AUTH)
    assert response.status_code == 201
    body = response.json()
    assert body["sid"].startswith("SM")
    assert len(body["sid"]) == 34
    assert body["status"] == "queued"
    assert (body["to"], body["from"], body["body"]) == ("+447700900123", FROM_NUMBER, "hello")
    assert body["direction"] == "outbound-api"
    assert body["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{body['sid']}.json"
    assert body["date_created"].endswith("+0000")
    assert twilio.messages[0]["sid"] == body["sid"]


def test_a_call_is_created_from_twiml_with_a_ca_sid(twilio: TwilioEmulator) -> None:
    form = {
        "To": "+447700900123",
        "From": FROM_NUMBER,
        "Twiml": "<Response><Say>Hi</Say></Response>",
    }
    response = httpx.post(url(twilio, "Calls"), data=form, auth=AUTH)
    assert response.status_code == 201
    assert response.json()["sid"].startswith("CA")
    assert "twiml" not in response.json()
    assert twilio.voice_calls[0]["twiml"] == form["Twiml"]


def test_wrong_credentials_answer_401_with_twilios_error_shape(twilio: TwilioEmulator) -> None:
    response = httpx.post(url(twilio, "Messages"), data=sms(), auth=(ACCOUNT_SID, "wrong"))
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert twilio.messages == []


def test_an_unknown_account_sid_is_refused_as_bad_credentials(twilio: TwilioEmulator) -> None:
    other = "AC" + "f" * 32
    response = httpx.post(url(twilio, "Messages", other), data=sms(), auth=(other, AUTH_TOKEN))
    assert (response.status_code, response.json()["code"]) == (401, 20003)


def test_another_accounts_url_is_not_found(twilio: TwilioEmulator) -> None:
    other = "AC" + "f" * 32
    response = httpx.post(url(twilio, "Messages", other), data=sms(), auth=AUTH)
    assert (response.status_code, response.json()["code"]) == (404, 20404)
    assert other in response.json()["message"]


def test_an_invalid_to_number_answers_21211(twilio: TwilioEmulator) -> None:
    response = httpx.post(url(twilio, "Messages"), data=sms(to="+1555"), auth=AUTH)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 21211
    assert body["message"] == "The 'To' number +1555 is not a valid phone number."


@pytest.mark.parametrize(
    ("resource", "form", "code"),
    [
        ("Messages", {"To": "+447700900123", "From": "+15551230000", "Body": "x"}, 21606),
        ("Messages", {"To": "+447700900123", "From": FROM_NUMBER, "Body": ""}, 21602),
        ("Messages", {"To": "+447700900123", "From": FROM_NUMBER, "Body": "x" * 1601}, 21617),
        ("Calls", {"To": "+447700900123", "From": FROM_NUMBER}, 21205),
        ("Calls", {"To": "+447700900123", "From": "+15551230000", "Twiml": "<Response/>"}, 21210),
    ],
)
def test_invalid_requests_answer_twilios_400_codes(
    twilio: TwilioEmulator, resource: str, form: dict[str, str], code: int
) -> None:
    response = httpx.post(url(twilio, resource), data=form, auth=AUTH)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_throttling_answers_429_with_retry_after_and_creates_nothing(
    twilio: TwilioEmulator,
) -> None:
    twilio.fail_next("Messages", status=429, retry_after=3)
    response = httpx.post(url(twilio, "Messages"), data=sms(), auth=AUTH)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["code"] == 20429
    assert twilio.messages == []
    assert httpx.post(url(twilio, "Messages"), data=sms(), auth=AUTH).status_code == 201


def test_an_outage_answers_5xx(twilio: TwilioEmulator) -> None:
    twilio.fail_next("Calls", status=503)
    form = {"To": "+447700900123", "From": FROM_NUMBER, "Twiml": "<Response/>"}
    assert httpx.post(url(twilio, "Calls"), data=form, auth=AUTH).status_code == 503
    assert twilio.voice_calls == []


def test_a_lost_reply_still_creates_the_message(twilio: TwilioEmulator) -> None:
    twilio.lose_reply("Messages")
    with pytest.raises(httpx.TransportError):
        httpx.post(url(twilio, "Messages"), data=sms(), auth=AUTH)
    assert len(twilio.messages) == 1
    assert [call.status for call in twilio.calls_to("Messages")] == [None]


def test_latency_delays_every_answer(twilio: TwilioEmulator) -> None:
    twilio.set_latency(0.05)
    started = time.monotonic()
    httpx.post(url(twilio, "Messages"), data=sms(), auth=AUTH)
    assert time.monotonic() - started >= 0.05
