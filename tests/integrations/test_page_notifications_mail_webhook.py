"""Paging by e-mail (a real SMTP server, aiosmtpd) and by the signed paging webhook (a real
Standard Webhooks receiver), through the real outbox dispatcher."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from firehouse.clock import FakeClock
from firehouse.db import Database
from firehouse.standard_webhooks import new_secret
from tests.fakes.smtp_server import SmtpServer
from tests.fakes.standard_webhook_receiver import StandardWebhookReceiver
from tests.integrations.page_notification_support import BASE_URL, Paging

HOOK_SECRET_ENV = "FIREHOUSE_PAGING_WEBHOOK_SECRET"


@pytest.fixture
def clock() -> FakeClock:
    """Real time: the webhook receiver checks webhook-timestamp against its own clock."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandardWebhookReceiver]:
    secret = new_secret()
    monkeypatch.setenv(HOOK_SECRET_ENV, secret)
    with StandardWebhookReceiver(secret) as receiver:
        yield receiver


@pytest.fixture
def paging(
    db: Database,
    clock: FakeClock,
    http: httpx.Client,
    smtp: SmtpServer,
    hook: StandardWebhookReceiver,
) -> Paging:
    settings = {
        "smtp": smtp.settings(),
        "webhook": {"url": hook.url, "secret_env": HOOK_SECRET_ENV},
    }
    return Paging(db, clock, http, settings=settings).start()


# e-mail ------------------------------------------------------------------------------------
def test_a_page_mail_says_what_why_and_how_to_acknowledge(paging: Paging, smtp: SmtpServer) -> None:
    notification = paging.notify(method="email")
    paging.run()
    [mail] = smtp.messages
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "[firehouse] Page: P1 incident #1: Checkout fails for some users"
    assert mail["Message-ID"] == f"<page-notification.{notification}@firehouse.test>"
    text = mail.get_content()
    assert f"Acknowledge: {BASE_URL}/ack/" in text
    assert f"Incident: {BASE_URL}/incidents/1" in text
    assert "Why you: on call in schedule engineering/primary." in text
    assert paging.row(notification).state == "sent"
    assert paging.notified() == ["Emailed Alice Ng"]


def test_a_mail_server_that_defers_is_retried_and_the_mail_sent_once(
    paging: Paging, smtp: SmtpServer
) -> None:
    smtp.refuse_next(1, "451 4.3.0 try again later")
    notification = paging.notify(method="email")
    paging.run()
    assert smtp.messages == []
    assert paging.row(notification).state == "queued"
    paging.wait_for_retry()
    paging.run()
    paging.requeue(notification)
    paging.run()
    assert len(smtp.messages) == 1


def test_a_mail_the_server_refuses_for_good_is_recorded_as_failed(
    paging: Paging, smtp: SmtpServer
) -> None:
    smtp.refuse_next(1, "550 5.1.1 no such user")
    notification = paging.notify(method="email")
    paging.run()
    row = paging.row(notification)
    assert row.state == "failed"
    assert "SMTP 550" in (row.error or "")
    assert paging.notified()[0].startswith("Could not email Alice: the mail server refused it")


def test_without_a_mail_server_the_page_mail_is_logged_only(
    db: Database, clock: FakeClock, http: httpx.Client
) -> None:
    paging = Paging(db, clock, http).start()
    notification = paging.notify(method="email")
    paging.run()
    assert paging.row(notification).provider_ref == "console"
    assert "SMTP is not configured" in paging.notified()[0]


# webhook -----------------------------------------------------------------------------------
def test_the_paging_webhook_is_signed_and_carries_the_page_person_and_ack_link(
    paging: Paging, hook: StandardWebhookReceiver
) -> None:
    notification = paging.notify(method="webhook")
    paging.run()
    [received] = hook.accepted
    assert received.signature_valid
    assert received.headers["webhook-id"] == str(notification)
    body = received.json()
    assert body["type"] == "page.notify"
    assert body["page"] == {
        "id": paging.page_id,
        "status": "triggered",
        "message": "P1 incident #1: Checkout fails for some users",
    }
    assert body["person"]["id"] == "alice"
    assert body["incident"] == {
        "number": 1,
        "message": "Checkout fails for some users",
        "priority": "P1",
        "url": f"{BASE_URL}/incidents/1",
    }
    assert body["ack_url"].startswith(f"{BASE_URL}/ack/")
    assert paging.notified() == ["Sent the paging webhook for Alice Ng"]


def test_a_failing_webhook_receiver_is_retried_and_gets_the_page_once(
    paging: Paging, hook: StandardWebhookReceiver
) -> None:
    hook.fail_next(1, status=503)
    notification = paging.notify(method="webhook")
    paging.run()
    assert paging.row(notification).state == "queued"
    paging.wait_for_retry()
    paging.run()
    assert [r.status for r in hook.received] == [503, 204]
    assert len(hook.accepted) == 1
    assert hook.duplicates == 0
    assert hook.received[0].headers["webhook-id"] == hook.received[1].headers["webhook-id"]


def test_a_receiver_that_is_gone_records_the_notification_as_failed(
    paging: Paging, hook: StandardWebhookReceiver
) -> None:
    hook.fail_next(1, status=410)
    notification = paging.notify(method="webhook")
    paging.run()
    assert paging.row(notification).state == "failed"
    assert "410 Gone" in (paging.row(notification).error or "")


def test_a_missing_webhook_secret_names_its_variable(
    paging: Paging, hook: StandardWebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOOK_SECRET_ENV)
    paging.notify(method="webhook")
    paging.run()
    assert f"environment variable {HOOK_SECRET_ENV} is not set" in paging.pending_error()
    assert hook.received == []
