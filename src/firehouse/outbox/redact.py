"""Keeping credentials out of stored errors and logs.

Delivery errors are stored in `outbox_deliveries.last_error`, printed by `firehouse outbox
list` and logged. A receiver URL may carry a password in its user-info or a token in its
query string, so every URL in such text is cut down to scheme, host, port and path.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """`https://user:pw@host:8443/path?token=x#f` becomes `https://host:8443/path`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact_urls_in(text: str) -> str:
    """Redact every URL found in free text, such as an exception message or traceback."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)
