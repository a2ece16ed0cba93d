"""Use cases for API tokens: create (shown once), authenticate, list, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.auth.model import ApiToken
from firehouse.auth.roles import AccessRole
from firehouse.auth.tokens import display_prefix, generate_token, hash_token
from firehouse.catalog.service import active_person
from firehouse.errors import Conflict, InvalidInput, NotFound

LAST_USED_GRANULARITY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name and role, and the person it acts for, if any."""

    token_name: str
    role: AccessRole
    person_id: str | None = None
    use_is_stale: bool = False

    @property
    def actor(self) -> str:
        return self.person_id or f"token:{self.token_name}"


def create_token(
    session: Session, *, name: str, role: str, now: datetime, person: str | None = None
) -> tuple[ApiToken, str]:
    clean = name.strip()
    if not clean or len(clean) > 100:
        raise InvalidInput("must be 1-100 characters", field="name")
    try:
        parsed = AccessRole(role)
    except ValueError:
        raise InvalidInput(
            f"unknown role '{role}'; use viewer, responder or admin", field="role"
        ) from None
    if person is not None:
        active_person(session, person)
    if session.scalar(select(ApiToken.id).where(ApiToken.name == clean)) is not None:
        raise Conflict(f"a token named '{clean}' already exists", field="name")
    secret = generate_token()
    row = ApiToken(
        name=clean,
        role=parsed.value,
        token_hash=hash_token(secret),
        prefix=display_prefix(secret),
        person_id=person,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, secret


def authenticate(session: Session, secret: str, *, now: datetime) -> Principal | None:
    """Read-only, so a GET costs no write; `use_is_stale` says when to call `record_use`."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None or row.revoked_at is not None:
        return None
    stale = row.last_used_at is None or now - row.last_used_at > LAST_USED_GRANULARITY
    return Principal(
        token_name=row.name, role=AccessRole(row.role), person_id=row.person_id, use_is_stale=stale
    )


def record_use(session: Session, token_name: str, *, now: datetime) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.name == token_name))
    if row is not None:
        row.last_used_at = now


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, name: str, *, now: datetime) -> ApiToken:
    row = session.scalar(select(ApiToken).where(ApiToken.name == name))
    if row is None:
        raise NotFound(f"no token named '{name}'", field="name")
    if row.revoked_at is None:
        row.revoked_at = now
    return row
