"""Accounts of people who sign in through the OpenID provider.

Such an account has no password (`password_hash` None) and follows the provider: its role,
name and person are rewritten from the claims at every sign-in. It never takes over an
account that has a password, since that would let whoever controls the provider's username
become that local user.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firehouse.auth import web_sessions
from firehouse.auth.model import User
from firehouse.auth.oidc import Identity, OidcRefused
from firehouse.auth.users import USERNAME
from firehouse.catalog.config_web import OidcConfig
from firehouse.catalog.model import OrganisationSetting, Person

SETTING = "web.oidc"


def oidc_config(session: Session) -> OidcConfig | None:
    """The applied `web.oidc` section; None when single sign-on is not configured."""
    row = session.get(OrganisationSetting, SETTING)
    if row is None or not row.value:
        return None
    try:
        return OidcConfig.model_validate(row.value, strict=False)
    except ValidationError:
        return None  # written by another version of firehouse: as if not configured


def sign_in_label(session: Session) -> str | None:
    config = oidc_config(session)
    return config.label if config else None


def start_session(session: Session, identity: Identity, *, now: datetime) -> str:
    """Signs the identity in: its account brought up to date, and a new session's cookie token."""
    user = account_for(session, identity, now=now)
    _row, token = web_sessions.start(session, user, now=now)
    return token


def account_for(session: Session, identity: Identity, *, now: datetime) -> User:
    """The local account for a verified identity, created on first sign-in."""
    if not USERNAME.fullmatch(identity.username):
        raise OidcRefused(
            f"The provider's username '{identity.username[:64]}' does not fit firehouse's "
            "usernames (1-64 lowercase letters, digits, '.', '_' or '-'). Ask an administrator."
        )
    user = session.scalar(select(User).where(User.username == identity.username))
    if user is not None and user.password_hash is not None:
        raise OidcRefused(
            f"A firehouse account with a password already uses the username "
            f"'{identity.username}', so single sign-on cannot use it. Ask an administrator "
            "to rename or remove that account.",
            status=409,
        )
    if user is not None and not user.active:
        raise OidcRefused("This account is disabled. Ask an administrator.", status=403)
    if user is None:
        user = User(
            username=identity.username,
            password_hash=None,
            active=True,
            failed_sign_ins=0,
            created_at=now,
        )
        session.add(user)
    user.name = identity.name
    user.role = identity.role.value
    user.person_id = _person_with_email(session, identity.email)
    user.last_sign_in_at = now
    session.flush()
    return user


def _person_with_email(session: Session, email: str | None) -> str | None:
    if email is None:
        return None
    found = session.scalars(
        select(Person.id)
        .where(func.lower(Person.email) == email.lower(), Person.active.is_(True))
        .order_by(Person.id)
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None
