"""Token material. Tokens are 256 random bits, so a plain SHA-256 is a safe, fast lookup key;
passwords (low entropy) get argon2 instead."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "fh_"  # noqa: S105 - a public marker that makes leaked tokens greppable


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """Enough of the token to recognise it in a list, not enough to use it."""
    return token[: len(TOKEN_PREFIX) + 4]
