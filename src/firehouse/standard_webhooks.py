"""Standard Webhooks signatures (https://www.standardwebhooks.com/), as status page
subscribers receive them.

Three headers: `webhook-id` (the same on every retry of one message, so receivers drop
repeats), `webhook-timestamp` (Unix seconds of this attempt, so receivers refuse replays) and
`webhook-signature`: `v1,` + base64 of HMAC-SHA256 over "{id}.{timestamp}.{body}", keyed with
the base64-decoded part of the `whsec_...` secret. Any Standard Webhooks library verifies it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

PREFIX = "whsec_"
SECRET_BYTES = 24
TOLERANCE_SECONDS = 300


class InvalidSecret(ValueError):
    """The secret is not `whsec_` followed by base64; the message never quotes it."""


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def key_of(secret: str) -> bytes:
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSecret("the signing secret is not whsec_ followed by base64") from None
    if not key:
        raise InvalidSecret("the signing secret is empty")
    return key


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    timestamp = int(sent_at.timestamp())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    received: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """As a receiver checks: all three headers, a recent timestamp, one matching `v1` entry.

    `received` must be keyed by lower-case header names.
    """
    message_id = received.get("webhook-id", "")
    stamp = received.get("webhook-timestamp", "")
    signatures = received.get("webhook-signature", "")
    if not (message_id and stamp.isascii() and stamp.isdigit() and signatures):
        return False
    if abs(now.timestamp() - int(stamp)) > tolerance:
        return False
    expected = sign(secret, message_id, int(stamp), body)
    return any(hmac.compare_digest(expected, entry) for entry in signatures.split(" "))
