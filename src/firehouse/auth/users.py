"""Use cases for web accounts: create, list, disable, and sign-in with lockout.

Sign-in comes in two steps so the slow part (argon2, tens of milliseconds) runs in a read
transaction: `check_password` verifies, `record_attempt` writes the outcome and re-reads the
lock under the write transaction. `authenticate` does both in one session, for simple callers.
After MAX_FAILURES consecutive failures the account is locked for LOCK_FOR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.auth import web_sessions
from firehouse.auth.model import User
from firehouse.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from firehouse.auth.roles import AccessRole
from firehouse.catalog.service import active_person
from firehouse.clock import as_utc
from firehouse.errors import Conflict, InvalidInput, NotFound

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work one request causes
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    REFUSED = "refused"  # unknown user, disabled account or wrong password: one answer
    LOCKED = "locked"


@dataclass(frozen=True)
class Attempt:
    """What `check_password` found; `user_id` is None when no account matched."""

    username: str
    user_id: int | None
    password_ok: bool
    rehash: str | None = None


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    user: User | None = None
    locked_until: datetime | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def create_user(
    session: Session,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    now: datetime,
    person: str | None = None,
) -> User:
    clean = normalise_username(username)
    if not USERNAME.fullmatch(clean):
        raise InvalidInput(
            "must be 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit",
            field="username",
        )
    display = name.strip()
    if not display or len(display) > 200:
        raise InvalidInput("must be 1-200 characters", field="name")
    try:
        parsed = AccessRole(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role '{role}'; use viewer, responder or admin", field="role"
        ) from None
    _check_password_length(password)
    if person is not None:
        active_person(session, person)
    if session.scalar(select(User.id).where(User.username == clean)) is not None:
        raise Conflict(f"a user named '{clean}' already exists", field="username")
    user = User(
        username=clean,
        name=display,
        role=parsed.value,
        password_hash=hash_password(password),
        person_id=person,
        active=True,
        failed_sign_ins=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _check_password_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"must be at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"must be at most {MAX_PASSWORD} characters", field="password")


def set_password(session: Session, username: str, password: str, *, now: datetime) -> User:
    """A new password, set by an operator on the server's machine (a forgotten one, a
    suspected leak). Every browser signed in as the account is signed out, and a lockout
    ends, since whoever knew the old password no longer gets in."""
    _check_password_length(password)
    user = get_user(session, username)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    web_sessions.end_all_for_user(session, user.id, now=now)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound(f"no user named '{username}'", field="username")
    return user


def disable_user(session: Session, username: str, *, now: datetime, by: str | None = None) -> User:
    """The account can no longer sign in, and every browser signed in as it is signed out.

    `by` is the account asking, when one does: no one may disable their own, so firehouse always
    keeps someone who can administer it."""
    user = get_user(session, username)
    if by is not None and user.username == normalise_username(by):
        raise InvalidInput(
            "you cannot disable your own account: another administrator must do it",
            field="username",
        )
    user.active = False
    web_sessions.end_all_for_user(session, user.id, now=now)
    return user


def check_password(session: Session, username: str, password: str) -> Attempt:
    """Read-only. Always runs one argon2 verification, whether or not the account exists."""
    clean = normalise_username(username)
    user = session.scalar(select(User).where(User.username == clean))
    stored = user.password_hash if user is not None and user.password_hash else None
    ok = verify_password(stored or dummy_hash(), password[:MAX_PASSWORD]) and stored is not None
    rehash = hash_password(password) if ok and stored and needs_rehash(stored) else None
    return Attempt(clean, user.id if user else None, ok, rehash)


def record_attempt(session: Session, attempt: Attempt, *, now: datetime) -> SignInResult:
    if attempt.user_id is None:
        return SignInResult(Outcome.REFUSED)
    user = session.get(User, attempt.user_id, with_for_update=True)
    if user is None or not user.active:
        return SignInResult(Outcome.REFUSED)
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        return SignInResult(Outcome.LOCKED, locked_until=as_utc(user.locked_until))
    if not attempt.password_ok:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILURES:
            user.failed_sign_ins = 0
            user.locked_until = now + LOCK_FOR
            return SignInResult(Outcome.LOCKED, locked_until=user.locked_until)
        return SignInResult(Outcome.REFUSED)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    if attempt.rehash is not None:
        user.password_hash = attempt.rehash
    return SignInResult(Outcome.SIGNED_IN, user=user)


def authenticate(session: Session, username: str, password: str, now: datetime) -> SignInResult:
    return record_attempt(session, check_password(session, username, password), now=now)
