"""Signed, expiring links that acknowledge a page from a mail or a text message.

The token carries the page, the person and the expiry, and a signature over them, so the
link works without a session and cannot be forged or stretched. Opening it shows a button;
only the POST acknowledges, because mail scanners and link previews fetch every URL they see.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from firehouse.auth.signing import sign, verify

PURPOSE = "page-ack"


@dataclass(frozen=True)
class AckClaim:
    page_id: int
    person_id: str
    expires_at: datetime


class BadAckLink(Exception):
    """The link is malformed, forged or expired; the message says which, for the page shown."""


def ack_token(key: bytes, page_id: int, person_id: str, expires_at: datetime) -> str:
    body = f"{page_id}.{person_id}.{int(expires_at.timestamp())}"
    encoded = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{encoded}.{sign(key, PURPOSE, body)}"


def ack_url(base_url: str, key: bytes, page_id: int, person_id: str, expires_at: datetime) -> str:
    return f"{base_url.rstrip('/')}/ack/{ack_token(key, page_id, person_id, expires_at)}"


def read_ack_token(key: bytes, token: str, now: datetime) -> AckClaim:
    try:
        encoded, signature = token.split(".", 1)
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        page, person, expires = body.split(".")
        claim = AckClaim(int(page), person, datetime.fromtimestamp(int(expires), UTC))
    except (ValueError, UnicodeDecodeError):
        raise BadAckLink("this acknowledgement link is not valid") from None
    if not verify(key, PURPOSE, body, signature):
        raise BadAckLink("this acknowledgement link is not valid")
    if now >= claim.expires_at:
        raise BadAckLink("this acknowledgement link has expired; acknowledge in firehouse")
    return claim
