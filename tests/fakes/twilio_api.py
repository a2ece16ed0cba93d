"""A Twilio REST API (2010-04-01) emulator on 127.0.0.1: Messages and Calls, misbehaving on cue.

It answers as Twilio does: form-encoded requests, HTTP basic auth `AccountSid:AuthToken`,
201 with the created resource (sid `SM...`/`CA...`, status `queued`, RFC 2822 dates, `uri`,
`subresource_uris`), and errors as `{"code", "message", "more_info", "status"}`: 401 code 20003
for bad credentials, 404 code 20404 for another account's URL, 400 code 21211 for an invalid
To number, 21606 / 21210 for a From number the account does not own, 21602 for an empty
Body, 21205 for a call with neither Twiml nor Url; 429 code 20429 with Retry-After; 5xx.

    with TwilioEmulator() as twilio:
        settings = twilio.settings()          # paging.twilio pointing here
        twilio.fail_next("Messages", status=429, retry_after=2)
        twilio.fail_next("Calls", status=503)
        twilio.lose_reply("Messages")          # created, then the connection is reset
        twilio.set_latency(0.05)
        [sms] = twilio.messages
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.fakes.loopback import Fault, Faults, JsonApiHandler, LoopbackServer

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "emulator-auth-token-0123456789ab"
FROM_NUMBER = "+15005550006"
API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
RESOURCES = ("Messages", "Calls")
Json = dict[str, Any]

_ERRORS = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21205: "Url parameter is required.",
    21210: "The source phone number provided, {from_}, is not yet verified for your account.",
    21211: "The 'To' number {to} is not a valid phone number.",
    21602: "Message body is required.",
    21606: "The 'From' phone number provided ({from_}) is not a valid message-capable Twilio "
    "phone number for this destination/account.",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}


@dataclass(frozen=True)
class Call:
    """One request: the resource ("Messages"/"Calls"), its form, and the status answered
    (None when the reply was lost)."""

    resource: str
    form: dict[str, str]
    at: float
    status: int | None


def error(code: int, status: int, **values: str) -> Json:
    return {
        "code": code,
        "message": _ERRORS[code].format(**values),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioEmulator(LoopbackServer):
    def __init__(
        self,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        numbers: tuple[str, ...] = (FROM_NUMBER,),
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.numbers = set(numbers)
        self.latency = 0.0
        self.calls: list[Call] = []
        self.created: dict[str, list[Json]] = {resource: [] for resource in RESOURCES}
        self.faults = Faults()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._serve(_Server(self))

    @property
    def api_url(self) -> str:
        """What firehouse's `paging.twilio.api_url` takes."""
        return f"{self.origin}/"

    def settings(self, token_env: str = "FIREHOUSE_TWILIO_AUTH_TOKEN") -> Json:  # noqa: S107
        """The `paging.twilio` settings pointing firehouse at this emulator."""
        return {
            "account_sid": self.account_sid,
            "from": FROM_NUMBER,
            "auth_token_env": token_env,
            "api_url": self.api_url,
        }

    # reading -------------------------------------------------------------------------------
    @property
    def messages(self) -> list[Json]:
        with self._lock:
            return list(self.created["Messages"])

    @property
    def voice_calls(self) -> list[Json]:
        with self._lock:
            return list(self.created["Calls"])

    def calls_to(self, resource: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.resource == resource]

    # misbehaviour --------------------------------------------------------------------------
    def set_latency(self, seconds: float) -> None:
        self.latency = seconds

    def fail_next(
        self, resource: str, *, status: int = 500, retry_after: float | None = None, times: int = 1
    ) -> None:
        """The next `times` requests to "Messages" or "Calls" fail without effect."""
        self.faults.add(resource, Fault(status=status, retry_after=retry_after), times)

    def lose_reply(self, resource: str, *, times: int = 1) -> None:
        """The next `times` requests take effect, then the connection is reset."""
        self.faults.add(resource, Fault(lose=True), times)

    # serving -------------------------------------------------------------------------------
    def answer(
        self, path: str, form: dict[str, str], auth: tuple[str, str] | None
    ) -> tuple[Fault | None, int, Json]:
        time.sleep(self.latency)
        match = re.fullmatch(rf"/{API_VERSION}/Accounts/([^/]+)/(Messages|Calls)\.json", path)
        resource = match.group(2) if match else "unknown"
        with self._lock:
            fault = self.faults.take(resource)
            status, body = self._result(match, path, form, auth, fault)
            lost = fault is not None and fault.lose
            self.calls.append(Call(resource, form, time.time(), None if lost else status))
        return fault, status, body

    def _result(
        self,
        match: re.Match[str] | None,
        path: str,
        form: dict[str, str],
        auth: tuple[str, str] | None,
        fault: Fault | None,
    ) -> tuple[int, Json]:
        if auth is None or auth != (self.account_sid, self.auth_token):
            return 401, error(20003, 401)
        if match is None or match.group(1) != self.account_sid:
            return 404, error(20404, 404, path=path)
        if fault is not None and fault.status is not None:
            code = 20429 if fault.status == 429 else 20500
            return fault.status, error(code, fault.status)
        problem = self._invalid(match.group(2), form)
        if problem is not None:
            return 400, problem
        return 201, self._create(match.group(2), form)

    def _invalid(self, resource: str, form: dict[str, str]) -> Json | None:
        to, from_ = form.get("To", ""), form.get("From", "")
        if not E164.match(to):
            return error(21211, 400, to=to)
        if from_ not in self.numbers:
            return error(21606 if resource == "Messages" else 21210, 400, from_=from_)
        if resource == "Messages" and not form.get("Body"):
            return error(21602, 400)
        if resource == "Messages" and len(form["Body"]) > 1600:
            return error(21617, 400)
        if resource == "Calls" and not (form.get("Twiml") or form.get("Url")):
            return error(21205, 400)
        return None

    def _create(self, resource: str, form: dict[str, str]) -> Json:
        prefix = "SM" if resource == "Messages" else "CA"
        sid = prefix + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))  # "Thu, 24 Aug 2023 05:01:45 +0000"
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/{resource}/{sid}"
        common = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "from": form["From"],
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "to": form["To"],
            "uri": f"{uri}.json",
        }
        if resource == "Messages":
            body = common | {
                "body": form["Body"],
                "date_sent": None,
                "error_code": None,
                "error_message": None,
                "messaging_service_sid": None,
                "num_media": "0",
                "num_segments": str(max(1, -(-len(form["Body"]) // 153))),
                "subresource_uris": {"media": f"{uri}/Media.json"},
            }
        else:
            body = common | {
                "annotation": None,
                "answered_by": None,
                "caller_name": None,
                "duration": None,
                "end_time": None,
                "forwarded_from": None,
                "from_formatted": form["From"],
                "group_sid": None,
                "parent_call_sid": None,
                "phone_number_sid": "PN" + "0" * 32,
                "queue_time": "0",
                "start_time": None,
                "to_formatted": form["To"],
                "trunk_sid": None,
                "subresource_uris": {
                    "notifications": f"{uri}/Notifications.json",
                    "recordings": f"{uri}/Recordings.json",
                },
                "twiml": form.get("Twiml"),  # not in Twilio's answer; kept for tests to read
            }
        self.created[resource].append(body)
        return {k: v for k, v in body.items() if k != "twiml"}


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: TwilioEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
        emulator = cast(_Server, self.server).emulator
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        fault, status, body = emulator.answer(urlsplit(self.path).path, form, self._auth())
        if fault is not None and fault.lose:
            self.reset_connection()
        else:
            self.send_json(status, body, retry_after=fault.retry_after if fault else None)

    def _auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return user, password


@pytest.fixture
def twilio() -> Iterator[TwilioEmulator]:
    with TwilioEmulator() as emulator:
        yield emulator
