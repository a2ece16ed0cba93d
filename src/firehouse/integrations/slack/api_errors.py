"""What a failed Slack Web API call means for firehouse: try again later, or give up.

Slack answers API errors with HTTP 200 and `{"ok": false, "error": "<code>"}`; throttling
with 429 and Retry-After; outages with 5xx or a dropped connection. Messages name the method
and the code only: never the token, never the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.client import HTTPException
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from firehouse.chat.provider import ChatRefused, ChatUnavailable

TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
_CODE = re.compile(r"^[a-z0-9_.]{1,64}$")


@contextmanager
def translated(method: str) -> Iterator[None]:
    """Turns whatever slack_sdk or the network raised during `method` into our two errors."""
    try:
        yield
    except SlackApiError as error:
        raise refusal_or_outage(method, error.response.status_code, error.response) from error
    except (OSError, HTTPException, SlackClientError) as error:
        kind = type(error).__name__
        raise ChatUnavailable(f"Slack {method} failed: {kind}") from error


def refusal_or_outage(method: str, status: int, body: Any) -> Exception:
    code = _code(body)
    if status == 429 or code == "ratelimited":
        retry_after = retry_after_seconds(getattr(body, "headers", {}) or {})
        return ChatUnavailable(f"Slack rate-limited {method}", retry_after=retry_after)
    if status >= 500 or code in TRANSIENT_ERRORS or code is None:
        return ChatUnavailable(f"Slack {method} unavailable (HTTP {status}, {code or 'no code'})")
    return ChatRefused(code, f"Slack refused {method}: {code}")


def retry_after_seconds(headers: Mapping[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


def _code(body: Any) -> str | None:
    """Slack's error code, or None when the body was not a Slack answer (an HTML error page)."""
    try:
        code = body.get("error")
    except (AttributeError, TypeError, ValueError):
        return None
    return code if isinstance(code, str) and _CODE.match(code) else None
