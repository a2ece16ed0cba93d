"""Ids of public incidents, maintenances, updates and subscribers.

Shaped like Atlassian Statuspage's (`p31zjtct2jer`: twelve lowercase letters and digits), so
that consumers validating Statuspage ids accept firehouse's. They are random, not
sequential: a public id must not reveal how many incidents there were.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
LENGTH = 12


def new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def looks_like_id(value: str) -> bool:
    """A cheap check at the edge: anything else cannot name a row, so it is a 404 early."""
    return 0 < len(value) <= 20 and all(char in ALPHABET for char in value)


def page_id(url: str) -> str:
    """The page's id in Statuspage's shapes: stable for one address, without storing it."""
    digest = hashlib.sha256(url.rstrip("/").encode()).digest()
    return base64.b32encode(digest).decode().lower()[:12]
