"""Alerts routed to chat: posted in the alerts channel, and their resolution after them.

The routing rule decided the post (`channel` action); this side only decides how it reads
and makes sure it is posted once. No incident is involved, so nothing here touches the
incident tables: a retried delivery looks for its own post by key instead.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from firehouse.chat.provider import ChatProvider, Message
from firehouse.outbox.envelope import DeliveryFailed, Envelope
from firehouse.outbox.events import EventType

_CHANNEL_ID = ("C", "G")


class AlertsChannel:
    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def deliver(self, envelope: Envelope, provider: ChatProvider) -> None:
        reference = str(envelope.settings.get("alerts_channel") or "")
        route: Mapping[str, Any] = envelope.payload.get("route") or {}
        if not reference or (
            route.get("business_hours_only") and not route.get("in_business_hours")
        ):
            return  # no alerts channel, or out of hours for a rule that asked to wait
        channel_id = self._channel_id(provider, reference)
        key = f"alert-event:{envelope.event_id}"
        if envelope.attempt > 1 and provider.find_posted(channel_id, key) is not None:
            return
        provider.post(channel_id, alert_message(envelope.event_type, envelope.payload), key=key)

    def _channel_id(self, provider: ChatProvider, reference: str) -> str:
        name = reference.removeprefix("#")
        if name.startswith(_CHANNEL_ID) and name.isupper():
            return name  # already an id such as C0123ABCD
        with self._lock:
            known = self._ids.get(name)
        if known is not None:
            return known
        channel = provider.find_channel(name)
        if channel is None:
            raise DeliveryFailed(f"the alerts channel #{name} was not found; invite the app to it")
        with self._lock:
            self._ids[name] = channel.id
        return channel.id


def alert_message(event_type: str, payload: Mapping[str, Any]) -> Message:
    alert: Mapping[str, Any] = payload.get("alert") or {}
    summary = str(alert.get("summary") or alert.get("fingerprint") or "alert")
    resolved = event_type == EventType.ALERT_RESOLVED
    severity = alert.get("priority") or alert.get("severity") or "unknown"
    title = f"Resolved: {summary}" if resolved else f"Alert: {summary}"
    fields = (
        ("Severity", str(severity)),
        ("Service", str(alert.get("service") or "none named")),
        ("Source", str(alert.get("source") or "")),
        ("Seen", f"{alert.get('count', 1)} time(s)"),
    )
    links = tuple((str(name), str(url)) for name, url in (alert.get("links") or {}).items())
    text = f"*{title}*" + ("" if resolved else f" ({severity}, {alert.get('source')})")
    return Message(text=text, title=title, fields=fields, links=links)
