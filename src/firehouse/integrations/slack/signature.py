"""Slack's request signing (v0): proof that a request came from Slack, and recently.

Slack signs `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret
(HMAC-SHA256, hex, prefixed "v0="). Checking the timestamp against our own clock within five
minutes is what stops a captured request from being replayed later: its signature stays
valid forever, its timestamp does not.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

WINDOW_SECONDS = 300
VERSION = "v0"


class BadSignature(Exception):
    """Why a request was refused. Safe to show: it never contains the secret or signature."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify(
    secret: str, *, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    """Returns when the request is Slack's and fresh; raises BadSignature otherwise."""
    if not timestamp or not signature:
        raise BadSignature("missing X-Slack-Request-Timestamp or X-Slack-Signature")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise BadSignature("X-Slack-Request-Timestamp is not a Unix time")
    if abs(now.timestamp() - int(timestamp)) > WINDOW_SECONDS:
        raise BadSignature("X-Slack-Request-Timestamp is more than five minutes from now")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        raise BadSignature("X-Slack-Signature does not match the request")
