"""OpsGenie request ids that carry their own outcome: no table, nothing to clean up.

OpsGenie answers every alert request with a `requestId` and reports the request's outcome at
`GET /v2/alerts/requests/{requestId}`. firehouse has processed the request before it answers
(the 202 follows the commit), so the outcome is known when the id is made: the id *is* the
outcome, encoded and signed with the integration key the request came with. Reading it back
needs that same key (OpsGenie, too, only tells a request's status to its account's keys), and
a forged or altered id, or one made under another key, is simply "not found".

Format: `<base64url(JSON)>.<base64url(HMAC-SHA256)[:22]>` — opaque to clients, as OpsGenie's
UUIDs are, and short enough for a URL path even with a 512-character alias.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from firehouse.alerts.events import Outcome

SIGNATURE_CHARS = 22  # 132 bits of the HMAC: plenty against forgery, short in a URL
MAX_REQUEST_ID = 4096


@dataclass(frozen=True)
class RequestRecord:
    """What OpsGenie's request status reports about one processed request."""

    action: str  # OpsGenie's word: Create, Close, Acknowledge
    outcome: Outcome
    alert_id: int | None
    alias: str
    processed_at: datetime
    integration: str


def encode(record: RequestRecord, key: bytes) -> str:
    document = {
        "a": record.action,
        "o": record.outcome.value,
        "i": record.alert_id,
        "al": record.alias,
        "t": int(record.processed_at.timestamp() * 1000),
        "n": record.integration,
    }
    body = _b64(json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{body}.{_sign(body, key)}"


def decode(request_id: str, key: bytes) -> RequestRecord | None:
    """The record, or None when the id was not made by this firehouse under this key."""
    body, dot, signature = request_id.partition(".")
    if not dot or len(request_id) > MAX_REQUEST_ID:
        return None
    if not hmac.compare_digest(_sign(body, key).encode(), signature.encode("utf-8", "replace")):
        return None
    try:
        document = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return RequestRecord(
            action=str(document["a"]),
            outcome=Outcome(document["o"]),
            alert_id=None if document["i"] is None else int(document["i"]),
            alias=str(document["al"]),
            processed_at=datetime.fromtimestamp(int(document["t"]) / 1000, tz=UTC),
            integration=str(document["n"]),
        )
    except (ValueError, KeyError, TypeError):  # signed by us, so only a format change gets here
        return None


def _sign(body: str, key: bytes) -> str:
    digest = hmac.new(key, b"opsgenie-request:" + body.encode(), hashlib.sha256).digest()
    return _b64(digest)[:SIGNATURE_CHARS]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
