"""Status page subscribers: sign-up, double opt-in, one-click unsubscribe, and the admin view.

Every subscriber holds a secret of its own (`signing_secret`, `whsec_` + base64). A webhook
subscriber signs with it and is told it once, at sign-up. For everyone it is also the key the
confirmation and unsubscribe tokens are derived from (HMAC), so each mail can carry the same
working links without the tokens themselves being stored: the table keeps only their SHA-256,
which is how a token in a link finds its subscriber.

Mails are not sent here: signing up queues a confirmation in the outbox, addressed to the
subscribers' subscription, and firehouse.statuspage.notify sends it after the commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.errors import Conflict, InvalidInput, NotFound
from firehouse.outbox.append import append_addressed
from firehouse.outbox.model import Subscription
from firehouse.standard_webhooks import key_of, new_secret
from firehouse.statuspage.ids import new_id
from firehouse.statuspage.model import Component, Subscriber
from firehouse.statuspage.subscriber_rules import RuleBroken, check_webhook_url, normal_email

SUBSCRIPTION = "statuspage-subscribers"
CONFIRMATION = "statuspage.subscriber_confirmation"  # internal events, never domain events
NOTIFICATION = "statuspage.subscriber_notification"
MAX_COMPONENTS = 200

Purpose = Literal["confirm", "unsubscribe"]
State = Literal["pending", "confirmed", "unsubscribed"]


@dataclass(frozen=True)
class NewWebhook:
    """The secret is shown once, in the sign-up answer; it is never shown again."""

    subscriber: Subscriber
    secret: str


def stream_of(subscriber_id: str) -> str:
    """One outbox stream per subscriber: their messages arrive in order, and one slow
    receiver delays only its own."""
    return f"statuspage-subscriber:{subscriber_id}"


def link_token(subscriber: Subscriber, purpose: Purpose) -> str:
    key = key_of(subscriber.signing_secret or "")
    digest = hmac.new(key, f"{purpose}:{subscriber.id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def state_of(subscriber: Subscriber) -> State:
    if subscriber.unsubscribed_at is not None:
        return "unsubscribed"
    return "confirmed" if subscriber.confirmed_at is not None else "pending"


def subscribe_email(
    session: Session, address: str, component_ids: Iterable[str], *, now: datetime
) -> Subscriber:
    """A pending subscriber and a confirmation mail; nothing else is sent until confirmed.

    Signing up again while pending sends the confirmation again (same link); signing up again
    while confirmed changes nothing. Both answer alike, so the sign-up reveals nobody.
    """
    _require_enabled(session)
    email = _checked(normal_email, address, field="email")
    components = _known_components(session, component_ids)
    existing = session.scalars(
        select(Subscriber).where(
            Subscriber.kind == "email",
            Subscriber.address == email,
            Subscriber.unsubscribed_at.is_(None),
        )
    ).first()
    if existing is not None:
        if existing.confirmed_at is None:
            _queue_confirmation(session, existing, now=now)
        return existing
    subscriber = _new(session, "email", email, components, now=now)
    _queue_confirmation(session, subscriber, now=now)
    return subscriber


def subscribe_webhook(
    session: Session,
    url: str,
    component_ids: Iterable[str],
    *,
    now: datetime,
    allow_loopback: bool = False,
) -> NewWebhook:
    """Active at once: only the holder of the returned secret can tell our posts are real."""
    _require_enabled(session)
    checked = _checked(
        lambda value: check_webhook_url(value, allow_loopback=allow_loopback), url, field="url"
    )
    components = _known_components(session, component_ids)
    subscriber = _new(session, "webhook", checked, components, now=now)
    subscriber.confirmed_at = now
    subscriber.confirm_token_hash = None
    return NewWebhook(subscriber=subscriber, secret=subscriber.signing_secret or "")


def confirm(session: Session, token: str, *, now: datetime) -> Subscriber:
    """The link works once: confirming forgets the token."""
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.confirm_token_hash == token_hash(token))
    ).first()
    if subscriber is None or subscriber.unsubscribed_at is not None:
        raise NotFound("no subscription waits for this confirmation link", field="token")
    subscriber.confirmed_at = now
    subscriber.confirm_token_hash = None
    return subscriber


def by_unsubscribe_token(session: Session, token: str) -> Subscriber:
    subscriber = session.scalars(
        select(Subscriber).where(Subscriber.unsubscribe_token_hash == token_hash(token))
    ).first()
    if subscriber is None:
        raise NotFound("this unsubscribe link is not known", field="token")
    return subscriber


def unsubscribe(session: Session, token: str, *, now: datetime) -> Subscriber:
    """Idempotent: mail clients may post the one-click request more than once."""
    subscriber = by_unsubscribe_token(session, token)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now
        subscriber.confirm_token_hash = None
    return subscriber


def list_subscribers(session: Session) -> list[Subscriber]:
    return list(session.scalars(select(Subscriber).order_by(Subscriber.created_at, Subscriber.id)))


def remove(session: Session, subscriber_id: str) -> None:
    """Erased, address and all; messages still queued for them find nobody and are dropped."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        raise NotFound(f"no subscriber {subscriber_id}", field="id")
    session.delete(subscriber)


def _new(
    session: Session, kind: str, address: str, components: list[str], *, now: datetime
) -> Subscriber:
    subscriber = Subscriber(
        id=new_id(),
        kind=kind,
        address=address,
        component_ids=components,
        signing_secret=new_secret(),
        created_at=now,
    )
    subscriber.confirm_token_hash = token_hash(link_token(subscriber, "confirm"))
    subscriber.unsubscribe_token_hash = token_hash(link_token(subscriber, "unsubscribe"))
    session.add(subscriber)
    session.flush()
    return subscriber


def _queue_confirmation(session: Session, subscriber: Subscriber, *, now: datetime) -> None:
    append_addressed(
        session,
        type=CONFIRMATION,
        stream=stream_of(subscriber.id),
        data={"subscriber_id": subscriber.id},
        subscription=SUBSCRIPTION,
        now=now,
    )


def _require_enabled(session: Session) -> None:
    row = session.get(Subscription, SUBSCRIPTION)
    if row is None or not row.active:
        raise Conflict(
            "this status page takes no subscribers: it has no `statuspage:` section applied"
        )


def _known_components(session: Session, component_ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(component_ids))  # de-duplicated, in the order given
    if len(wanted) > MAX_COMPONENTS:
        raise InvalidInput(f"at most {MAX_COMPONENTS} components", field="components")
    if not wanted:
        return []
    known = set(
        session.scalars(
            select(Component.id).where(Component.id.in_(wanted), Component.active.is_(True))
        )
    )
    unknown = [component for component in wanted if component not in known]
    if unknown:
        raise InvalidInput(f"no component '{unknown[0]}' on this page", field="components")
    return wanted


def _checked(rule: Callable[[str], str], value: str, *, field: str) -> str:
    try:
        return rule(value)
    except RuleBroken as broken:
        raise InvalidInput(f"{field} {broken}", field=field) from None
