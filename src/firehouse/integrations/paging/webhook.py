"""The generic paging webhook: one signed JSON POST per notification, for whatever the team
pages with besides firehouse (a home-grown pager, a phone bridge, a ChatOps bot).

Signed per Standard Webhooks (firehouse.standard_webhooks) with the `whsec_` secret held in
the variable `paging.webhook.secret_env` names. `webhook-id` is the notification's id, the
same on every retry, so the receiver drops a second copy. 2xx is delivered; 410 means the
receiver is gone for good; anything else is tried again later (Retry-After obeyed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from firehouse import __version__, standard_webhooks
from firehouse.clock import Clock
from firehouse.integrations.paging.base import Delivered, Refused, console, secret_from, section
from firehouse.integrations.paging.messages import PageText
from firehouse.integrations.webhooks import THROTTLING_STATUSES, retry_after_seconds
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.redact import redact_url

EVENT_TYPE = "page.notify"


def document(work: NotificationWork, text: PageText) -> dict[str, Any]:
    """The JSON a receiver gets (documented in docs/notifications.md)."""
    incident = None
    if work.incident_number is not None:
        incident = {
            "number": work.incident_number,
            "message": work.incident_message,
            "priority": work.incident_priority,
            "url": text.incident_url,
        }
    return {
        "type": EVENT_TYPE,
        "notification_id": work.notification_id,
        "method": work.method,
        "page": {"id": work.page_id, "status": work.page_status, "message": work.page_message},
        "person": {
            "id": work.person_id,
            "name": work.person_name,
            "email": work.email,
            "phone": work.phone,
            "chat_handle": work.chat_handle,
        },
        "why": work.target,
        "incident": incident,
        "message": text.headline,
        "text": text.body,
        "ack_url": text.ack_url,
    }


class WebhookSender:
    def __init__(
        self, http: httpx.Client, clock: Clock, environ: Mapping[str, str] | None = None
    ) -> None:
        self.http = http
        self.clock = clock
        self.environ = environ

    def send(self, work: NotificationWork, text: PageText, envelope: Envelope) -> Delivered:
        hook = section(envelope, "webhook")
        if hook is None or not hook.get("url"):
            return console("webhook", work, text, None)
        url = str(hook["url"])
        secret = secret_from(str(hook.get("secret_env") or ""), "paging webhook", self.environ)
        body = json.dumps(document(work, text), separators=(",", ":"), sort_keys=True).encode()
        try:
            signed = standard_webhooks.headers(
                secret, str(work.notification_id), self.clock.now(), body
            )
        except standard_webhooks.InvalidSecret as exc:
            raise DeliveryFailed(f"paging webhook: {hook.get('secret_env')}: {exc}") from None
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"firehouse/{__version__}",
            **signed,
        }
        return self._post(url, body, headers)

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Delivered:
        where = redact_url(url)
        try:
            response = self.http.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"paging webhook: timed out posting to {where}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryFailed(
                f"paging webhook: could not reach {where}: {type(exc).__name__}"
            ) from None
        if response.is_success:
            return Delivered(f"webhook:{response.status_code}")
        if response.status_code == 410:
            raise Refused(f"the paging webhook {where} answered 410 Gone")
        retry_after = None
        if response.status_code in THROTTLING_STATUSES:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
        raise DeliveryFailed(
            f"paging webhook: HTTP {response.status_code} from {where}", retry_after=retry_after
        )
