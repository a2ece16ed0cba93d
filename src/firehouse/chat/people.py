"""Which chat user is which firehouse person, learned once and remembered.

A person is found, cheapest first, by a chat handle that already is a user id (`U…`/`W…`),
by a `ChatIdentity` matched earlier, or by asking the provider for the user with the person's
email; what the provider tells us is remembered in `ChatIdentity`. The database is read in one
short read and written in one short write, never while the provider is being asked, so a slow
chat system never holds the (SQLite) write lock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.catalog.model import Person
from firehouse.chat import identity
from firehouse.chat.model import ChatIdentity
from firehouse.chat.provider import ChatProvider, ChatRefused, ChatUser
from firehouse.db import Database

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def looks_like_user_id(handle: str | None) -> bool:
    return bool(handle) and bool(_USER_ID.match(str(handle)))


@dataclass(frozen=True)
class Known:
    """What the database says about one person (or chat actor) before asking the provider."""

    key: str
    user_id: str | None = None
    email: str | None = None


@dataclass
class Matching:
    user_ids: dict[str, str] = field(default_factory=dict)  # key → chat user id
    unmatched: list[str] = field(default_factory=list)
    learned: list[tuple[str, ChatUser]] = field(default_factory=list)  # (person id, user)


def chat_users(
    db: Database, provider: ChatProvider, provider_name: str, keys: Sequence[str], *, now: datetime
) -> Matching:
    """Chat user ids for people (person ids, or actors like `slack:U123`), in their order.

    Other actors (`token:ci`, `alerts:<rule>`) are no one to invite and are left out quietly.
    """
    own = f"{provider_name}:"
    wanted = list(dict.fromkeys(k for k in keys if k and (":" not in k or k.startswith(own))))
    if not wanted:
        return Matching()
    with db.read() as session:
        known = what_is_known(session, provider_name, wanted)
    matching = match(provider, known)
    if matching.learned:
        with db.write() as session:
            remember(session, provider_name, matching.learned, now=now)
    return matching


def what_is_known(session: Session, provider_name: str, keys: Sequence[str]) -> list[Known]:
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(keys)))}
    identities = {
        row.person_id: row.user_id
        for row in session.scalars(
            select(ChatIdentity)
            .where(ChatIdentity.provider == provider_name, ChatIdentity.person_id.in_(keys))
            .order_by(ChatIdentity.updated_at)
        )
    }
    return [_known(key, people.get(key), identities.get(key), provider_name) for key in keys]


def _known(key: str, person: Person | None, identity: str | None, provider_name: str) -> Known:
    if person is None:
        # Someone who acted from chat and is no person in the catalogue: their own id.
        prefix = f"{provider_name}:"
        raw = key.removeprefix(prefix) if key.startswith(prefix) else None
        return Known(key, user_id=raw if looks_like_user_id(raw) else None)
    if looks_like_user_id(person.chat_handle):
        return Known(key, user_id=person.chat_handle)
    return Known(key, user_id=identity, email=person.email)


def match(provider: ChatProvider, known: Iterable[Known]) -> Matching:
    """Asks the provider only about people the database could not place."""
    matching = Matching()
    for entry in known:
        user_id = entry.user_id
        if user_id is None and entry.email:
            user = _by_email(provider, entry.email)
            if user is not None:
                user_id = user.id
                matching.learned.append((entry.key, user))
        if user_id is None:
            matching.unmatched.append(entry.key)
        else:
            matching.user_ids[entry.key] = user_id
    return matching


def _by_email(provider: ChatProvider, email: str) -> ChatUser | None:
    try:
        return provider.user_by_email(email)
    except ChatRefused:  # e.g. the app lacks users:read.email: the person is just not matched
        return None


def remember(
    session: Session, provider_name: str, learned: Iterable[tuple[str, ChatUser]], *, now: datetime
) -> None:
    for person_id, user in learned:
        identity.remember(session, provider_name, user, now, person_id=person_id)
