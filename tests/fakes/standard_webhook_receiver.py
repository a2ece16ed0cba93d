"""A webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures, as a status
page subscriber's endpoint would.

Its verification is written from the specification, independently of firehouse's signer, so
the two check each other. It answers 401 to a bad signature, accepts each `webhook-id` once
(counting repeats), and can be told to fail the next N requests.

    with StandardWebhookReceiver() as receiver:
        receiver.secret = "whsec_..."   # the secret the sign-up returned
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.loopback import LoopbackServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


def signature_is_valid(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    message_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    if not (secret and message_id and stamp.isdigit()) or abs(now - int(stamp)) > 300:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{message_id}.{stamp}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = headers.get("webhook-signature", "").split(" ")
    return any(hmac.compare_digest(expected, entry) for entry in offered)


class StandardWebhookReceiver(LoopbackServer):
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.duplicates = 0
        self._failures: deque[int] = deque()
        self._received: list[Received] = []
        self._accepted: dict[str, Received] = {}
        self._lock = threading.Lock()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._serve(server)

    @property
    def url(self) -> str:
        return f"{self.origin}/status-hook"

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def accepted(self) -> list[Received]:
        """The first 2xx copy of each webhook-id, in arrival order."""
        with self._lock:
            return list(self._accepted.values())

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        valid = signature_is_valid(self.secret, headers, body, time.time())
        with self._lock:
            status = self._failures.popleft() if self._failures else 204
            status = status if valid else 401
            request = Received(headers, body, valid, status)
            self._received.append(request)
            if status < 300:
                message_id = headers.get("webhook-id", "")
                if message_id in self._accepted:
                    self.duplicates += 1
                else:
                    self._accepted[message_id] = request
        return status


def _handler_for(receiver: StandardWebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            self.send_response(receiver._answer(headers, body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read the recorded requests instead."""

    return Handler
