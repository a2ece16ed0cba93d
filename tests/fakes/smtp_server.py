"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every mail it accepts.

It can be started late, on a port chosen up front, so a test can show a mail server that is
down and then comes back; and it can refuse the next N mails with a temporary error.

    with SmtpServer() as smtp:
        ...
        [mail] = smtp.messages
        assert mail["To"] == "ann@example.com"
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        return self.server._accept(envelope.content, list(envelope.rcpt_tos))


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._messages: list[EmailMessage] = []
        self._recipients: list[list[str]] = []
        self._refusals: list[str] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(_Collector(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def refuse_next(self, count: int, reply: str = "451 4.3.0 try again later") -> None:
        """Answer the next `count` mails with `reply`: 451 means later, 550 means never."""
        with self._lock:
            self._refusals.extend([reply] * count)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def settings(self) -> dict[str, Any]:
        """The `statuspage.smtp` settings that point firehouse at this server."""
        return {
            "host": self.host,
            "port": self.port,
            "from": "status@example.com",
            "security": "none",
            "username": None,
            "timeout_seconds": 5.0,
        }

    def _accept(self, content: bytes, recipients: list[str]) -> str:
        with self._lock:
            if self._refusals:
                return self._refusals.pop(0)
            message = message_from_bytes(content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self._messages.append(message)
            self._recipients.append(recipients)
        return "250 OK"
