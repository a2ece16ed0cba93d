"""The shared emulators (tests/fakes), with what a multi-process test must also know: which
requests are in flight right now, so it can kill or stop a process in the middle of one.

    with TrackingReceiver(latency=(0.02, 0.05)) as receiver:
        receiver.delay_next(3, 1.5)
        delivery_id = receiver.wait_for_held(seconds=0.3)   # a delivery held for 0.3 s already
"""

from __future__ import annotations

import random
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, cast

from tests.fakes.slack_api import SlackEmulator
from tests.fakes.slack_state import Json
from tests.fakes.webhook_receiver import Plan, WebhookReceiver

WEBHOOK_SECRET = "system-test-webhook-secret"


class TrackingReceiver(WebhookReceiver):
    """A webhook receiver that answers after a little latency and knows, per delivery id
    (`X-Firehouse-Delivery`), since when a request has been in flight."""

    def __init__(self, latency: tuple[float, float] = (0.0, 0.0)) -> None:
        super().__init__(secret=WEBHOOK_SECRET)
        self.latency = latency
        self._in_flight: dict[str, float] = {}
        self._flight_lock = threading.Lock()
        handler = cast(type[BaseHTTPRequestHandler], self._server.RequestHandlerClass)
        self._server.RequestHandlerClass = _tracking(self, handler)

    def _next_plan(self) -> Plan:
        plan = super()._next_plan()
        if plan == Plan():
            return Plan(delay=random.uniform(*self.latency))
        return plan

    def in_flight(self) -> dict[str, float]:
        """Delivery id → seconds since its request arrived, for requests not yet answered."""
        now = time.monotonic()
        with self._flight_lock:
            return {delivery: now - since for delivery, since in self._in_flight.items()}

    def wait_for_held(self, seconds: float, timeout: float = 10.0) -> str:
        """The id of a delivery whose request has been held at least `seconds`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = [d for d, age in self.in_flight().items() if age >= seconds]
            if held:
                return held[0]
            time.sleep(0.02)
        raise AssertionError(f"no webhook request was held {seconds} s within {timeout} s")

    def _arrived(self, delivery: str) -> None:
        with self._flight_lock:
            self._in_flight[delivery] = time.monotonic()

    def _answered(self, delivery: str) -> None:
        with self._flight_lock:
            self._in_flight.pop(delivery, None)


def _tracking(
    receiver: TrackingReceiver, handler: type[BaseHTTPRequestHandler]
) -> type[BaseHTTPRequestHandler]:
    class Tracking(handler):  # type: ignore[valid-type, misc]
        def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
            delivery = self.headers.get("X-Firehouse-Delivery") or "?"
            receiver._arrived(delivery)
            try:
                super().do_POST()
            finally:
                receiver._answered(delivery)

    return Tracking


class TrackingSlack(SlackEmulator):
    """A Slack emulator that counts the Web API calls it has started answering, so a test
    can act while one is still being answered (under `set_latency`)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: dict[str, int] = {}
        self._started_lock = threading.Lock()

    def _answer(self, method: str, params: Json, token: str | None) -> tuple[Any, Json]:
        with self._started_lock:
            self.started[method] = self.started.get(method, 0) + 1
        return super()._answer(method, params, token)

    def wait_for_call(self, method: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._started_lock:
                if self.started.get(method):
                    return
            time.sleep(0.02)
        raise AssertionError(f"{method} was not called within {timeout} s")

    def bot_posts(self) -> list[tuple[str, str]]:
        """(channel id, metadata key) of every message firehouse posted, in posting order."""
        with self._lock:
            return [
                (channel, str(message.metadata["event_payload"]["key"]))
                for channel, messages in self.messages.items()
                for message in messages
                if message.metadata
            ]
