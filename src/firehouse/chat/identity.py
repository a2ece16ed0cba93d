"""Who a chat user is in firehouse: a person, or only their chat id.

Matching reads only the database, so answering a command never waits for the chat provider:
a remembered identity, or a person whose `chat_handle` is the user's id or handle. Matching by
email needs the provider's profile of the user; `learn` fetches it after the answer is sent and
remembers the result, so the next command from the same user finds them at once. Someone who
matches nobody still works and is recorded as `slack:U123`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.chat.commands import UserRef
from firehouse.chat.model import ChatIdentity
from firehouse.chat.provider import ChatRefused, ChatUnavailable, ChatUser
from firehouse.clock import as_utc
from firehouse.db import Database

log = logging.getLogger(__name__)

REFRESH_AFTER = timedelta(days=1)
UserLookup = Callable[[str], ChatUser | None]


@dataclass(frozen=True)
class ChatCaller:
    provider: str
    user_id: str
    person_id: str | None

    @property
    def actor(self) -> str:
        """What timeline entries and roles record: the person, else the chat id."""
        return self.person_id or f"{self.provider}:{self.user_id}"


def caller(session: Session, provider: str, user_id: str, handle: str | None) -> ChatCaller:
    return ChatCaller(provider, user_id, known_person(session, provider, user_id, handle))


def known_person(
    session: Session, provider: str, user_id: str, handle: str | None = None
) -> str | None:
    """The person a chat user is, from what the database already knows."""
    remembered = session.get(ChatIdentity, (provider, user_id))
    if remembered is not None and remembered.person_id and _active(session, remembered.person_id):
        return remembered.person_id
    names = {user_id, handle, remembered.handle if remembered else None} - {None}
    return _person_with_handle(session, names)


def person_named(session: Session, provider: str, ref: UserRef) -> str | None:
    """The person a command names: by their chat id, chat handle, or firehouse person id."""
    if ref.user_id is not None:
        found = known_person(session, provider, ref.user_id, ref.handle)
        if found is not None:
            return found
    if ref.handle is None:
        return None
    by_handle = _person_with_handle(session, {ref.handle})
    if by_handle is not None:
        return by_handle
    return ref.handle if _active(session, ref.handle) else None


def needs_lookup(session: Session, provider: str, user_id: str, now: datetime) -> bool:
    """Whether the provider should be asked who this user is (never asked, or long ago)."""
    remembered = session.get(ChatIdentity, (provider, user_id))
    return remembered is None or as_utc(remembered.updated_at) + REFRESH_AFTER < now


def learn(
    db: Database,
    provider: str,
    user_ids: Iterable[str],
    lookup: UserLookup,
    now: Callable[[], datetime],
) -> None:
    """Ask the provider about users not yet known and remember them. Runs after answering;
    a provider failure only means the user stays `slack:U123` a little longer."""
    for user_id in dict.fromkeys(user_ids):
        with db.read() as session:
            if not needs_lookup(session, provider, user_id, now()):
                continue
        try:
            user = lookup(user_id)  # outside any transaction: the provider may be slow
        except (ChatUnavailable, ChatRefused) as exc:
            log.warning("could not look up chat user %s: %s", user_id, exc)
            continue
        if user is not None:
            with db.write() as session:
                remember(session, provider, user, now())


def remember(
    session: Session,
    provider: str,
    user: ChatUser,
    now: datetime,
    *,
    person_id: str | None = None,
) -> ChatIdentity:
    """Upsert what the provider told about a user; `person_id` when the caller already knows
    whom the user is (found by that person's e-mail), else matched by handle, then e-mail."""
    row = session.get(ChatIdentity, (provider, user.id))
    if row is None:
        row = ChatIdentity(provider=provider, user_id=user.id, updated_at=now)
        session.add(row)
    row.email = user.email
    row.handle = user.handle
    row.display_name = user.name
    row.person_id = (
        person_id
        or _person_with_handle(session, {user.id, user.handle} - {None})
        or (_person_with_email(session, user.email) if user.email else None)
    )
    row.updated_at = now
    session.flush()
    return row


def _person_with_handle(session: Session, names: set[str | None]) -> str | None:
    wanted = {name.lstrip("@").lower() for name in names if name}
    if not wanted:
        return None
    return session.scalar(
        select(Person.id)
        .where(
            Person.active.is_(True),
            func.lower(func.ltrim(Person.chat_handle, "@")).in_(wanted),  # "@alice" or "alice"
        )
        .order_by(Person.id)
        .limit(1)
    )


def _person_with_email(session: Session, email: str) -> str | None:
    return session.scalar(
        select(Person.id)
        .where(Person.active.is_(True), func.lower(Person.email) == email.lower())
        .order_by(Person.id)
        .limit(1)
    )


def _active(session: Session, person_id: str) -> bool:
    person = session.get(Person, person_id)
    return person is not None and person.active
