"""Password hashing: argon2id, whose cost makes a stolen hash slow to guess.

The hash string carries its own parameters, so raising the cost later only needs
`needs_rehash` at the next successful sign-in.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher(type=Type.ID)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """False for a wrong password and for a damaged hash alike: both mean "not signed in"."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """Verified against when the account does not exist, so an unknown username takes as long
    to refuse as a wrong password and the timing tells nothing."""
    return _HASHER.hash("firehouse: no such account")
