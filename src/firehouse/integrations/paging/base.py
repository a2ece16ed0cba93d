"""What every paging provider shares: how it reports a message sent, or refused for good.

A sender returns `Delivered` (the provider took the message), raises `Refused` when retrying
can never help (no phone number, a number Twilio says is invalid, no Slack user), or raises
`DeliveryFailed` (firehouse.outbox.envelope) when a later attempt may succeed: provider down,
throttled, timed out, or misconfigured in a way an operator can fix (a missing secret).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from firehouse.integrations.paging.messages import PageText
from firehouse.oncall.notifications import NotificationWork
from firehouse.outbox.envelope import DeliveryFailed, Envelope

log = logging.getLogger("firehouse.integrations.paging")

CONSOLE_REF = "console"


@dataclass(frozen=True)
class Delivered:
    """`provider_ref`: the provider's id for what it sent (Twilio SID, Slack channel:ts, ...);
    "console" when the provider is not configured and the message only went to the log."""

    provider_ref: str

    @property
    def console(self) -> bool:
        return self.provider_ref == CONSOLE_REF


class Refused(Exception):
    """Permanent: the message states why, for the timeline ("no phone number")."""


class Sender(Protocol):
    def send(self, work: NotificationWork, text: PageText, envelope: Envelope) -> Delivered: ...


def section(envelope: Envelope, name: str) -> Mapping[str, Any] | None:
    """A provider's part of the `paging` settings, or None when it is not configured."""
    value = envelope.settings.get(name)
    return value if isinstance(value, Mapping) and value else None


def secret_from(variable: str, what: str, environ: Mapping[str, str] | None = None) -> str:
    """A secret named by the config, read at send time so rotating it needs no restart. The
    error names the variable, never a value."""
    value = (os.environ if environ is None else environ).get(variable, "")
    if not value:
        raise DeliveryFailed(f"{what}: environment variable {variable} is not set or empty")
    return value


def console(method: str, work: NotificationWork, text: PageText, address: str | None) -> Delivered:
    """The console twin: who would have been reached, and how. The ack link only at DEBUG,
    since it acknowledges the page for whoever holds it."""
    log.warning(
        "page %s: %s to %s (%s) NOT sent, its provider is not configured: %s",
        work.page_id,
        method,
        work.person_id,
        address or "no address",
        text.headline,
    )
    log.debug("page %s: ack link for %s: %s", work.page_id, work.person_id, text.ack_url)
    return Delivered(CONSOLE_REF)
