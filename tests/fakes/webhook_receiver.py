"""A webhook receiver on 127.0.0.1 that behaves like a careful real one, and can misbehave.

It records every request (headers and raw body), checks `X-Firehouse-Signature` with the
shared secret (answering 401 when it does not match), accepts each `Idempotency-Key` once and
counts the repeats. Tests script its next answers: latency, 429 or 503 with Retry-After, 500,
or a connection reset, each for the next N requests.

    with WebhookReceiver(secret="s3cret") as receiver:
        receiver.fail_next(2, status=503, retry_after="30")
        ...
        assert receiver.event_types() == ["incident.declared"]
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.fakes.loopback import LoopbackServer

DEFAULT_SECRET = "receiver-shared-secret"


@dataclass(frozen=True)
class Plan:
    """How to answer one request."""

    status: int = 204
    retry_after: str | None = None
    delay: float = 0.0
    reset: bool = False


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    status: int | None  # None: the connection was reset instead of answered

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Log:
    requests: list[ReceivedRequest] = field(default_factory=list)
    accepted: dict[str, ReceivedRequest] = field(default_factory=dict)
    order: list[ReceivedRequest] = field(default_factory=list)
    duplicates: int = 0


class WebhookReceiver(LoopbackServer):
    def __init__(self, secret: str = DEFAULT_SECRET) -> None:
        self.secret = secret
        self._plans: deque[Plan] = deque()
        self._log = _Log()
        self._lock = threading.Lock()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.block_on_close = False
        self._serve(server)

    @property
    def url(self) -> str:
        return f"{self.origin}/hook"

    # scripting -----------------------------------------------------------------------------
    def fail_next(self, count: int, *, status: int = 500, retry_after: str | None = None) -> None:
        self._plan(count, Plan(status=status, retry_after=retry_after))

    def reset_next(self, count: int) -> None:
        """Close the connection with a TCP reset instead of answering."""
        self._plan(count, Plan(reset=True))

    def delay_next(self, count: int, seconds: float) -> None:
        """Answer normally, but only after `seconds`."""
        self._plan(count, Plan(delay=seconds))

    def _plan(self, count: int, plan: Plan) -> None:
        with self._lock:
            self._plans.extend([plan] * count)

    def _next_plan(self) -> Plan:
        with self._lock:
            return self._plans.popleft() if self._plans else Plan()

    # what arrived --------------------------------------------------------------------------
    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._log.requests)

    @property
    def accepted(self) -> list[ReceivedRequest]:
        """First copy of each idempotency key that was answered 2xx, in arrival order."""
        with self._lock:
            return list(self._log.order)

    @property
    def duplicates(self) -> int:
        with self._lock:
            return self._log.duplicates

    def event_types(self) -> list[str]:
        return [request.json()["type"] for request in self.accepted]

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._log.requests.append(request)
            if request.status is None or request.status >= 300:
                return
            key = request.header("Idempotency-Key") or ""
            if key in self._log.accepted:
                self._log.duplicates += 1
                return
            self._log.accepted[key] = request
            self._log.order.append(request)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            signature = headers.get("x-firehouse-signature", "")
            signed = hmac.compare_digest(_sign(receiver.secret, body), signature)
            plan = receiver._next_plan()
            time.sleep(plan.delay)
            status = None if plan.reset else (plan.status if signed else 401)
            receiver._record(ReceivedRequest(self.path, headers, body, signed, status))
            if status is None:
                self._reset()
                return
            self.send_response(status)
            if plan.retry_after is not None:
                self.send_header("Retry-After", plan.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _reset(self) -> None:
            linger = struct.pack("ii", 1, 0)  # on, 0 s: close() sends RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.connection.close()
            self.close_connection = True

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # the socket was reset on purpose
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads the recorded requests instead."""

    return Handler


def _sign(secret: str, body: bytes) -> str:
    """Written independently of firehouse's own `sign`, so the two check each other."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """Register with `pytest_plugins` or re-export in a conftest to use it by name."""
    with WebhookReceiver() as receiver:
        yield receiver
