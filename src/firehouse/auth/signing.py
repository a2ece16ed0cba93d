"""The key that signs links sent to people (page acknowledgement, calendar feeds, sessions).

FIREHOUSE_SECRET_KEY when set; otherwise a random key generated once and kept in the
database, so that every process of a deployment signs alike and links survive restarts
with nothing to configure. Rotating it (setting FIREHOUSE_SECRET_KEY, or deleting the
stored row) invalidates every link signed before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

from sqlalchemy.exc import IntegrityError

from firehouse.catalog.model import OrganisationSetting
from firehouse.db import Database

SETTING = "signing.key"

_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def signing_key(db: Database, configured: str = "") -> bytes:
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    with _lock:
        key = _cache.get(db.url)
        if key is None:
            key = _stored_key(db)
            _cache[db.url] = key
        return key


def _stored_key(db: Database) -> bytes:
    with db.read() as session:
        row = session.get(OrganisationSetting, SETTING)
        if row is not None:
            return bytes.fromhex(str(row.value))
    try:
        with db.write() as session:
            session.add(OrganisationSetting(key=SETTING, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another process stored one first: use theirs
    with db.read() as session:
        return bytes.fromhex(str(session.get_one(OrganisationSetting, SETTING).value))


def forget_cached_keys() -> None:
    """For tests that drop and recreate databases under one URL."""
    with _lock:
        _cache.clear()


def sign(key: bytes, purpose: str, message: str) -> str:
    """A short URL-safe signature of `message` for one `purpose` (a link for one use cannot
    be replayed as a link for another)."""
    digest = hmac.new(key, f"{purpose}\n{message}".encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def verify(key: bytes, purpose: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, purpose, message), signature)
