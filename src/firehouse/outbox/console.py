"""The `log` subscription kind: the null twin of every provider integration.

It writes one log line per event (type, incident number, delivery) and nothing else, so a
local run can watch events flow through the outbox without any provider set up. It never
logs the payload: payloads may hold text that belongs in the incident, not in process logs.
"""

from __future__ import annotations

import logging

from firehouse.outbox.envelope import Envelope

log = logging.getLogger("firehouse.events")


class LogHandler:
    def __call__(self, envelope: Envelope) -> None:
        incident = envelope.payload.get("incident")
        number = incident.get("number") if isinstance(incident, dict) else None
        log.info(
            "event %s %s (incident %s) delivered to %s, attempt %d",
            envelope.event_id,
            envelope.event_type,
            number if number is not None else "-",
            envelope.subscription,
            envelope.attempt,
        )
