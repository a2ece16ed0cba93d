"""Signed-in browsers. The cookie carries 256 random bits; only their SHA-256 is stored, so a
copy of the database signs no one in. Each session has its own CSRF token for its forms.

A session ends after 12 hours without a request or 7 days after sign-in, whichever is first.
`resume` is read-only so a page view costs no write; `touch` slides the expiry when stale.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firehouse.auth.model import User, WebSession
from firehouse.auth.roles import AccessRole
from firehouse.auth.tokens import hash_token
from firehouse.clock import as_utc

IDLE = timedelta(hours=12)
ABSOLUTE = timedelta(days=7)
TOUCH_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    """The account behind a request, and what its forms must carry."""

    session_id: int
    user_id: int
    username: str
    name: str
    role: AccessRole
    person_id: str | None
    csrf_token: str
    touch_is_due: bool = False

    @property
    def actor(self) -> str:
        return self.person_id or f"user:{self.username}"


def _expiry(created_at: datetime, now: datetime) -> datetime:
    return min(now + IDLE, as_utc(created_at) + ABSOLUTE)


def start(session: Session, user: User, *, now: datetime) -> tuple[WebSession, str]:
    """Returns the row and the cookie token; the token is not kept anywhere else."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=_expiry(now, now),
    )
    session.add(row)
    session.flush()
    return row, token


def resume(session: Session, token: str, *, now: datetime) -> SignedIn | None:
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    web_session, user = found
    if web_session.ended_at is not None or as_utc(web_session.expires_at) <= now:
        return None
    if not user.active:
        return None
    return SignedIn(
        session_id=web_session.id,
        user_id=user.id,
        username=user.username,
        name=user.name,
        role=AccessRole(user.role),
        person_id=user.person_id,
        csrf_token=web_session.csrf_token,
        touch_is_due=now - as_utc(web_session.last_seen_at) >= TOUCH_GRANULARITY,
    )


def touch(session: Session, session_id: int, *, now: datetime) -> None:
    """Slides the idle expiry; never past the absolute one, never revives an ended session."""
    row = session.get(WebSession, session_id)
    if row is None or row.ended_at is not None or as_utc(row.expires_at) <= now:
        return
    row.last_seen_at = now
    row.expires_at = _expiry(row.created_at, now)


def end(session: Session, token: str, *, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all_for_user(session: Session, user_id: int, *, now: datetime) -> int:
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
