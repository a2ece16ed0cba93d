"""SMS and voice calls through the team's own Twilio account, over Twilio's REST API.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (To, From, Body) and `.../Calls.json`
(To, From, Twiml), form-encoded, HTTP basic auth with the account SID and the auth token
(read from the environment variable `paging.twilio.auth_token_env` names, at send time).

What Twilio's answers mean here:
- 201: sent; the SID (SM... / CA...) is the notification's provider_ref.
- 429 (error 20429), 5xx, timeouts, refused connections: try again later (Retry-After obeyed).
- 401 and 404 (wrong token, wrong account SID): retried too. It is a misconfiguration an
  operator fixes by setting the right secret; once fixed, the waiting notifications go out,
  and those whose page was acknowledged meanwhile are skipped rather than sent late. Giving up
  would drop every page of the outage on the floor.
- any other 4xx (21211 invalid To number, 21610 the person replied STOP, 21614 not a mobile
  number, ...): refused for good, with Twilio's reason on the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from firehouse.clock import Clock
from firehouse.integrations.paging.base import Delivered, Refused, console, secret_from, section
from firehouse.integrations.paging.messages import PageText
from firehouse.integrations.webhooks import retry_after_seconds
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import DeliveryFailed, Envelope

API_VERSION = "2010-04-01"
DEFAULT_API_URL = "https://api.twilio.com/"
DEFAULT_TOKEN_ENV = "FIREHOUSE_TWILIO_AUTH_TOKEN"  # noqa: S105 (a variable name)
CONFIGURATION_STATUSES = frozenset({401, 403, 404})


class TwilioSender:
    """`voice=False` texts (Messages), `voice=True` calls and reads the page out (Calls)."""

    def __init__(
        self,
        http: httpx.Client,
        clock: Clock,
        *,
        voice: bool,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.http = http
        self.clock = clock
        self.voice = voice
        self.environ = environ

    @property
    def method(self) -> str:
        return "voice" if self.voice else "sms"

    def send(self, work: NotificationWork, text: PageText, envelope: Envelope) -> Delivered:
        if not work.phone:
            raise Refused("no phone number")
        twilio = section(envelope, "twilio")
        if twilio is None:
            return console(self.method, work, text, work.phone)
        account = str(twilio.get("account_sid") or "")
        token_env = str(twilio.get("auth_token_env") or DEFAULT_TOKEN_ENV)
        token = secret_from(token_env, "Twilio", self.environ)
        resource = "Calls" if self.voice else "Messages"
        base = str(twilio.get("api_url") or DEFAULT_API_URL).rstrip("/")
        url = f"{base}/{API_VERSION}/Accounts/{account}/{resource}.json"
        form = {"To": work.phone, "From": str(twilio.get("from") or "")}
        form |= {"Twiml": text.twiml} if self.voice else {"Body": text.sms}
        answer = self._post(url, form, (account, token))
        return Delivered(str(answer.get("sid") or "twilio"))

    def _post(self, url: str, form: dict[str, str], auth: tuple[str, str]) -> dict[str, Any]:
        what = f"Twilio {'call' if self.voice else 'SMS'}"
        try:
            response = self.http.post(url, data=form, auth=auth)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{what}: timed out waiting for Twilio") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise DeliveryFailed(f"{what}: could not reach Twilio: {type(exc).__name__}") from None
        body = _json(response)
        if response.is_success:
            return body
        code, message = body.get("code"), str(body.get("message") or "no message")
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.clock.now())
            raise DeliveryFailed(
                f"{what}: Twilio answered HTTP {status} (error {code})", retry_after=retry_after
            )
        if status in CONFIGURATION_STATUSES:
            raise DeliveryFailed(
                f"{what}: Twilio refused the account or its credentials (HTTP {status}, "
                f"error {code}); check paging.twilio.account_sid and the auth token variable"
            )
        raise Refused(f"Twilio refused it: {message} (error {code})")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
