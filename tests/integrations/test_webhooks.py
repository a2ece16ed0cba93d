"""The webhook integration against a real HTTP receiver on 127.0.0.1: what goes on the wire,
and how each kind of receiver trouble becomes a retryable, secret-free failure."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from firehouse.clock import FakeClock
from firehouse.integrations.webhooks import WebhookHandler, body_of, retry_after_seconds, verify
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from tests.fakes.webhook_receiver import WebhookReceiver

SECRET = "integration-test-secret"
SECRET_ENV = "FIREHOUSE_TEST_WEBHOOK_SECRET"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=SECRET) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0, follow_redirects=False) as http:
        yield http


def envelope(url: str, **changes: object) -> Envelope:
    base = Envelope(
        delivery_id=7,
        event_id=41,
        event_type="incident.declared",
        stream="incident:3",
        payload={"incident": {"number": 3, "message": "Checkout fails"}},
        occurred_at=NOW,
        subscription="webhook:ops",
        kind="webhook",
        settings={"url": url, "secret_env": SECRET_ENV},
        attempt=1,
        lease_token="w/1",
        lease_expires_at=NOW + timedelta(minutes=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def handler(client: httpx.Client, **environ: str) -> WebhookHandler:
    env = environ or {SECRET_ENV: SECRET}
    return WebhookHandler(client, environ=env, clock=FakeClock(NOW))


def failure_of(send: WebhookHandler, sent: Envelope) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        send(sent)
    return failed.value


def test_the_body_is_signed_with_hmac_sha256_over_the_raw_bytes(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    handler(client)(envelope(receiver.url))
    [request] = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Firehouse-Signature") == expected
    assert request.signature_valid


def test_every_documented_header_is_sent(receiver: WebhookReceiver, client: httpx.Client) -> None:
    handler(client)(envelope(receiver.url, attempt=3))
    [request] = receiver.requests
    assert request.header("Content-Type") == "application/json"
    assert (request.header("User-Agent") or "").startswith("firehouse/")
    assert request.header("X-Firehouse-Event") == "incident.declared"
    assert request.header("X-Firehouse-Delivery") == "7"
    assert request.header("X-Firehouse-Attempt") == "3"
    assert request.header("Idempotency-Key") == "41:webhook:ops"


def test_the_body_carries_the_event_and_its_incident(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    handler(client)(envelope(receiver.url))
    assert receiver.requests[0].json() == {
        "id": 41,
        "type": "incident.declared",
        "stream": "incident:3",
        "occurred_at": "2026-03-01T09:30:00+00:00",
        "data": {"incident": {"number": 3, "message": "Checkout fails"}},
    }


def test_a_retry_sends_the_same_bytes_and_key_so_the_receiver_drops_it(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    send = handler(client)
    send(envelope(receiver.url, attempt=1))
    send(envelope(receiver.url, attempt=2))
    first, second = receiver.requests
    assert first.body == second.body
    assert len(receiver.accepted) == 1
    assert receiver.duplicates == 1


def test_verify_rejects_a_tampered_body_or_a_wrong_secret() -> None:
    body = body_of(envelope("http://127.0.0.1/hook"))
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert verify(SECRET, body, signature)
    assert not verify(SECRET, body.replace(b"Checkout", b"Checkin"), signature)
    assert not verify("another-secret", body, signature)


def test_a_receiver_with_another_secret_refuses_the_delivery(client: httpx.Client) -> None:
    with WebhookReceiver(secret="not-the-same") as strict:
        failure = failure_of(handler(client), envelope(strict.url))
    assert str(failure) == f"HTTP 401 from {strict.url}"
    assert not strict.requests[0].signature_valid


def test_a_429_passes_on_the_receivers_retry_after(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.fail_next(1, status=429, retry_after="30")
    failure = failure_of(handler(client), envelope(receiver.url))
    assert failure.retry_after == 30.0
    assert str(failure) == f"HTTP 429 from {receiver.url}"


def test_a_503_retry_after_may_be_an_http_date(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.fail_next(1, status=503, retry_after=format_datetime(NOW + timedelta(minutes=2), True))
    assert failure_of(handler(client), envelope(receiver.url)).retry_after == 120.0


def test_retry_after_is_ignored_on_other_errors(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.fail_next(1, status=500, retry_after="30")
    assert failure_of(handler(client), envelope(receiver.url)).retry_after is None


@pytest.mark.parametrize("value", ["", "soon", "-5", "Wed, 99 Foo 2026 00:00:00"])
def test_an_unreadable_retry_after_is_ignored(value: str) -> None:
    assert retry_after_seconds(value, NOW) is None


def test_a_connection_reset_is_a_retryable_failure(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.reset_next(1)
    failure = failure_of(handler(client), envelope(receiver.url))
    assert str(failure).startswith(f"could not reach {receiver.url}: ")
    assert failure.retry_after is None


def test_a_slow_receiver_times_out_as_a_retryable_failure(receiver: WebhookReceiver) -> None:
    receiver.delay_next(1, 0.5)
    with httpx.Client(timeout=0.1) as impatient:
        failure = failure_of(handler(impatient), envelope(receiver.url))
    assert str(failure) == f"timed out posting to {receiver.url}"


def test_latency_below_the_timeout_still_delivers(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.delay_next(1, 0.2)
    handler(client)(envelope(receiver.url))
    assert len(receiver.accepted) == 1


def test_an_unreachable_receiver_is_a_retryable_failure(client: httpx.Client) -> None:
    with WebhookReceiver(secret=SECRET) as gone:
        url = gone.url
    failure = failure_of(handler(client), envelope(url))
    assert str(failure) == f"could not reach {url}: ConnectError"


def test_a_missing_secret_variable_fails_with_its_name_and_sends_nothing(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    failure = failure_of(handler(client, OTHER="x"), envelope(receiver.url))
    assert SECRET_ENV in str(failure)
    assert "not set" in str(failure)
    assert receiver.requests == []


def test_a_webhook_without_a_secret_env_setting_fails_clearly(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    sent = envelope(receiver.url, settings={"url": receiver.url})
    assert str(failure_of(handler(client), sent)) == "webhook 'webhook:ops' names no secret_env"


def test_a_webhook_without_an_http_url_fails_clearly(client: httpx.Client) -> None:
    sent = envelope("", settings={"secret_env": SECRET_ENV})
    assert str(failure_of(handler(client), sent)) == "webhook 'webhook:ops' has no http(s) url"


def test_errors_name_the_receiver_without_its_credentials_or_query(
    receiver: WebhookReceiver, client: httpx.Client
) -> None:
    receiver.fail_next(1, status=500)
    secret_url = receiver.url.replace("http://", "http://ops-user:hunter2@") + "?token=abc123"
    message = str(failure_of(handler(client), envelope(secret_url)))
    assert message == f"HTTP 500 from {receiver.url}"
    for credential in ("ops-user", "hunter2", "abc123", SECRET):
        assert credential not in message


def test_the_body_is_compact_sorted_json() -> None:
    body = body_of(envelope("http://127.0.0.1/hook"))
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True).encode()
