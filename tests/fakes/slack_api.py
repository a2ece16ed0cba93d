"""A Slack Web API emulator on 127.0.0.1 for the real slack_sdk, which can misbehave on cue.

It serves `SlackWorkspace` (tests/fakes/slack_state.py) through the methods in
tests/fakes/slack_methods.py, with Slack's shapes: HTTP 200 and `{"ok": false, "error": ...}`
for an API error, `not_authed` / `invalid_auth` for a missing or wrong bot token, 429 with
Retry-After for rate limits. Bodies may be query strings, forms, multipart or JSON.

    with SlackEmulator() as slack:
        client = WebClient(token=slack.token, base_url=slack.api_url, retry_handlers=[])
        slack.add_user("U1", email="ada@example.com", name="Ada", handle="ada")
        slack.fail_next("chat.postMessage", status=429, retry_after=2)
        slack.lose_reply("conversations.create")      # applied, then the connection drops
        slack.set_latency(0.05)                       # every call; or per method
        assert slack.channel_named("incident-1").purpose == "..."

The bot must be a member of a channel to read its history (`not_in_channel` otherwise), and
may post in any public channel (the app has `chat:write.public`). Modals need a live
trigger: `slack.new_trigger_id()` gives one valid for 3 s (as Slack's); any other trigger id
answers `invalid_trigger_id`. `slack.response_url()` gives a URL that records what is POSTed
to it (`slack.responses`).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from http.server import ThreadingHTTPServer
from typing import Literal, cast
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.fakes.loopback import JsonApiHandler, LoopbackServer
from tests.fakes.slack_methods import call
from tests.fakes.slack_state import BOT_USER_ID, Channel, Json, SlackMessage, SlackWorkspace, User

DEFAULT_TOKEN = "xoxb-emulator-bot-token"


@dataclass(frozen=True)
class Fault:
    """How to spoil one call: an HTTP status, an API error, or a reply lost after applying."""

    status: int | None = None
    retry_after: float | None = None
    error: str | None = None
    lose: Literal["close", "500"] | None = None


@dataclass(frozen=True)
class Call:
    method: str
    params: Json
    at: float
    answer: Json | None  # None: no JSON answer was sent (HTTP failure or lost reply)


@dataclass(frozen=True)
class Response:
    """A POST to a response_url."""

    key: str
    body: Json


class SlackEmulator(LoopbackServer):
    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.workspace = SlackWorkspace()
        self.latency = 0.0
        self.method_latency: dict[str, float] = {}
        self.calls: list[Call] = []
        self.responses: list[Response] = []
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.RLock()
        self._serve(_Server(self))

    @property
    def base_url(self) -> str:
        return f"{self.origin}/"

    @property
    def api_url(self) -> str:
        """What `WebClient(base_url=...)` and firehouse's `chat.slack.api_url` take."""
        return self.base_url + "api/"

    # seeding -------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        email: str | None = None,
        name: str | None = None,
        handle: str | None = None,
    ) -> User:
        with self._lock:
            user = User(user_id, email, name, handle)
            self.workspace.users[user_id] = user
            return user

    def add_channel(
        self,
        name: str,
        *,
        private: bool = False,
        creator: str = "U0SOMEONE1",
        members: Sequence[str] = (),
        with_bot: bool = True,
    ) -> Channel:
        """A channel someone else made (a name collision, the incidents channel, ...), with the
        bot invited unless `with_bot=False`: as in Slack, it reads only channels it is in."""
        people = [*members, BOT_USER_ID] if with_bot else list(members)
        with self._lock:
            return self.workspace.add_channel(
                name, private=private, creator=creator, members=people
            )

    def post_as(
        self, channel_id: str, user_id: str, text: str, thread_ts: str | None = None
    ) -> str:
        """A message a person wrote; returns its ts."""
        with self._lock:
            message = SlackMessage(self.workspace.new_ts(), text, user_id, thread_ts=thread_ts)
            self.workspace.messages[channel_id].append(message)
            return message.ts

    def new_trigger_id(self) -> str:
        with self._lock:
            return self.workspace.new_trigger_id()

    def expire_triggers(self) -> None:
        with self._lock:
            self.workspace.triggers = dict.fromkeys(self.workspace.triggers, float("-inf"))

    def response_url(self, key: str = "r1") -> str:
        return f"{self.base_url}response/{key}"

    # reading state -------------------------------------------------------------------------
    @property
    def channels(self) -> dict[str, Channel]:
        return self.workspace.channels

    @property
    def messages(self) -> dict[str, list[SlackMessage]]:
        """Per channel id, every message in posting order, thread replies included."""
        return self.workspace.messages

    @property
    def views_opened(self) -> list[Json]:
        return self.workspace.views_opened

    @property
    def invite_batches(self) -> list[list[str]]:
        return self.workspace.invite_batches

    def channel_named(self, name: str) -> Channel | None:
        return self.workspace.channel_named(name)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # misbehaviour --------------------------------------------------------------------------
    def set_latency(self, seconds: float, method: str | None = None) -> None:
        if method is None:
            self.latency = seconds
        else:
            self.method_latency[method] = seconds

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        error: str | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls fail without effect: HTTP `status` (429 answers `ratelimited`
        with Retry-After), or HTTP 200 with `ok: false` and `error`."""
        if status is None and error is None:
            status = 429 if retry_after is not None else 500
        self._queue(method, Fault(status=status, retry_after=retry_after, error=error), times)

    def lose_reply(
        self, method: str, *, how: Literal["close", "500"] = "close", times: int = 1
    ) -> None:
        """The next `times` calls take effect, then the connection is reset (or answers 500)."""
        self._queue(method, Fault(lose=how), times)

    def _queue(self, method: str, fault: Fault, times: int) -> None:
        with self._lock:
            self._faults[method].extend([fault] * times)

    def _next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults[method]
            return queue.popleft() if queue else None

    # serving -------------------------------------------------------------------------------
    def _answer(self, method: str, params: Json, token: str | None) -> tuple[Fault | None, Json]:
        time.sleep(self.method_latency.get(method, self.latency))
        fault = self._next_fault(method)
        with self._lock:
            if fault is not None and fault.lose is None:
                answer = _fault_body(fault)
            elif not token:
                answer = {"ok": False, "error": "not_authed"}
            elif token != self.token:
                answer = {"ok": False, "error": "invalid_auth"}
            else:
                answer = call(self.workspace, method, params)
            sent = None if fault is not None and (fault.status or fault.lose) else answer
            self.calls.append(Call(method, params, time.time(), sent))
        return fault, answer


def _fault_body(fault: Fault) -> Json:
    if fault.status == 429:
        return {"ok": False, "error": "ratelimited"}
    if fault.status is not None:
        return {"ok": False, "error": "service_unavailable"}
    return {"ok": False, "error": fault.error}


def _params(query: str, content_type: str, body: bytes) -> Json:
    params: Json = dict(parse_qsl(query))
    if not body:
        return params
    if content_type.startswith("application/json"):
        params |= json.loads(body)
    elif content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser().parsebytes(head + body)
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                params[str(part.get_param("name", header="content-disposition"))] = payload.decode()
    else:
        params |= dict(parse_qsl(body.decode()))
    return params


class _Server(ThreadingHTTPServer):
    def __init__(self, emulator: SlackEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator
        self.daemon_threads = True
        self.block_on_close = False


class _Handler(JsonApiHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        self.do_POST()

    def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
        emulator = cast(_Server, self.server).emulator
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path.startswith("/response/"):
            key = url.path.removeprefix("/response/")
            with emulator._lock:
                emulator.responses.append(Response(key, json.loads(body or b"{}")))
            self.send_json(200, {"ok": True})
            return
        if not url.path.startswith("/api/"):
            self.send_json(404, {"ok": False, "error": "unknown_method"})
            return
        params = _params(url.query, self.headers.get("Content-Type", ""), body)
        token = params.pop("token", None) or self._bearer()
        fault, answer = emulator._answer(url.path.removeprefix("/api/"), params, token)
        self._reply(fault, answer)

    def _reply(self, fault: Fault | None, answer: Json) -> None:
        if fault is not None and fault.lose == "close":
            self.reset_connection()
        elif fault is not None and fault.lose == "500":
            self.send_json(500, {"ok": False, "error": "internal_error"})
        elif fault is not None and fault.status:
            self.send_json(fault.status, answer, retry_after=fault.retry_after)
        else:
            self.send_json(200 if answer.get("error") != "unknown_method" else 404, answer)

    def _bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        return header.removeprefix("Bearer ").strip() or None


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """Register with `pytest_plugins` or re-export in a conftest to use it by name."""
    with SlackEmulator() as emulator:
        yield emulator
