"""Load from several client threads, spread round-robin over the servers still standing, and
a ledger of what the servers acknowledged: the test's record of what must not be lost.

A request whose server dies before answering has an unknown fate; it is counted and otherwise
left out of every check. A 4xx or 5xx from a live server is an error of the test's own making
or of firehouse's, and is kept verbatim.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.system.organisation import INTAKE_KEY, SERVICES


@dataclass
class Ledger:
    declared: list[int] = field(default_factory=list)  # numbers answered 201
    alerts: Counter[str] = field(default_factory=Counter)  # fingerprint → posts answered 2xx
    unanswered: int = 0  # requests whose server died before answering
    errors: list[str] = field(default_factory=list)  # non-2xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def declares(self) -> int:
        with self.lock:
            return len(self.declared)


class Rotation:
    """The servers to send to, in turn; a killed one is taken out."""

    def __init__(self, urls: list[str]) -> None:
        self._urls = list(urls)
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return self._urls[next(self._turn) % len(self._urls)]

    def remove(self, url: str) -> None:
        with self._lock:
            self._urls.remove(url)


class Driver:
    """One client thread's session: its own connections, the shared rotation and ledger."""

    def __init__(self, rotation: Rotation, token: str, ledger: Ledger) -> None:
        self.rotation = rotation
        self.ledger = ledger
        self.token = token
        self.client = httpx.Client(timeout=15)

    def call(
        self, method: str, path: str, body: dict[str, Any], *, key: str | None = None
    ) -> httpx.Response | None:
        """The answer if 2xx; None when the server died first or answered an error."""
        headers = {"Authorization": f"Bearer {key or self.token}"}
        url = self.rotation.next() + path
        try:
            answer = self.client.request(method, url, json=body, headers=headers)
        except httpx.TransportError:
            with self.ledger.lock:
                self.ledger.unanswered += 1
            return None
        if not answer.is_success:
            with self.ledger.lock:
                self.ledger.errors.append(f"{method} {path}: {answer.status_code} {answer.text}")
            return None
        return answer

    def incidents(self, name: str, count: int) -> None:
        """Declare, add a note, raise the priority, and resolve every other one."""
        for index in range(count):
            declared = self.call(
                "POST",
                "/api/v1/incidents",
                {
                    "service": SERVICES[index % len(SERVICES)],
                    "message": f"{name}: incident {index}",
                    "priority": "P4",
                },
            )
            if declared is None:
                continue
            number = int(declared.json()["number"])
            with self.ledger.lock:
                self.ledger.declared.append(number)
            incident = f"/api/v1/incidents/{number}"
            self.call("POST", f"{incident}/timeline", {"text": "Looking into it"})
            self.call("PATCH", incident, {"priority": "P3"})
            if index % 2 == 0:
                self.call("POST", f"{incident}/resolve", {"note": "Back to normal"})

    def alerts(self, name: str, count: int) -> None:
        """Bursts of two alerts each: one new, and one of three that keep repeating."""
        for index in range(count):
            fingerprints = [f"{name}-{index}", f"repeat-{index % 3}"]
            body = {
                "alerts": [
                    {
                        "summary": f"Alert {fingerprint}",
                        "fingerprint": fingerprint,
                        "service": SERVICES[index % len(SERVICES)],
                        "severity": "warning",
                    }
                    for fingerprint in fingerprints
                ]
            }
            if self.call("POST", "/api/v1/alerts", body, key=INTAKE_KEY) is not None:
                with self.ledger.lock:
                    self.ledger.alerts.update(fingerprints)

    def close(self) -> None:
        self.client.close()


def start(target: Any, *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread
