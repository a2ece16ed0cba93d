"""What every fake third party shares: an HTTP server on 127.0.0.1, run in a thread for the
length of a `with` block, on a free port."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from typing import Any, Self


class LoopbackServer:
    """Subclasses build their server and hand it to `_serve` in `__init__`."""

    _server: HTTPServer
    _thread: threading.Thread

    def _serve(self, server: HTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:PORT`, without a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"


class JsonApiHandler(BaseHTTPRequestHandler):
    """What the emulated APIs' handlers share: a JSON answer (with Retry-After when asked),
    a connection reset for "the answer was lost", and no logging (tests read the call log)."""

    def send_json(self, status: int, body: Any, *, retry_after: float | None = None) -> None:
        data = json.dumps(body).encode()
        with contextlib.suppress(OSError):  # the client gave up waiting (a timeout test)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", f"{retry_after:g}")
            self.end_headers()
            self.wfile.write(data)

    def reset_connection(self) -> None:
        linger = struct.pack("ii", 1, 0)  # on, 0 s: close() sends RST, not FIN
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        self.connection.close()
        self.close_connection = True

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the socket was reset on purpose
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the emulator's call log instead."""


@dataclass(frozen=True)
class Fault:
    """One injected failure: answer `status` (with Retry-After), or, with `lose`, take
    effect and then reset the connection, so the client never learns it succeeded."""

    status: int | None = None
    retry_after: float | None = None
    lose: bool = False


class Faults:
    """Failures queued per route and taken one per call, in order: what every emulator
    injects (`fail_next`, `lose_next`)."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()

    def add(self, route: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queued[route].extend([fault] * times)

    def take(self, route: str) -> Fault | None:
        with self._lock:
            queued = self._queued[route]
            return queued.popleft() if queued else None
