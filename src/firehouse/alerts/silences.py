"""Silences: a match and a time window during which matching alerts are recorded, not routed.

Matchers take the shape of a route's `match` (labels, regex, present, source), so what a
person learned writing firehouse.yaml works here too. An empty matcher is refused: it would
silence every alert, which is never what someone typing a silence in a hurry means.
Expiring a silence ends it now; the row stays as the record of who silenced what and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firehouse.alerts.events import AlertEvent, Source
from firehouse.alerts.model import AlertSilence
from firehouse.alerts.routing import Match, matches
from firehouse.errors import Conflict, InvalidInput, NotFound

MATCHER_KEYS = ("labels", "regex", "present", "source")


def parse_matchers(matchers: Any) -> Match:
    """A route-style match from untrusted input, every fault named by its field."""
    if not isinstance(matchers, Mapping):
        raise InvalidInput(
            "must be an object with labels, regex, present or source", field="matchers"
        )
    unknown = sorted(set(matchers) - set(MATCHER_KEYS))
    if unknown:
        raise InvalidInput(
            f"unknown key '{unknown[0]}'; use {', '.join(MATCHER_KEYS)}",
            field=f"matchers.{unknown[0]}",
        )
    labels = _string_map(matchers.get("labels"), "matchers.labels")
    regex = _string_map(matchers.get("regex"), "matchers.regex")
    for name, pattern in regex.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidInput(
                f"not a valid regular expression: {exc}", field=f"matchers.regex.{name}"
            ) from None
    present = matchers.get("present") or []
    if not isinstance(present, list) or not all(isinstance(name, str) and name for name in present):
        raise InvalidInput("must be a list of label names", field="matchers.present")
    source = matchers.get("source")
    if source is not None and source not in {s.value for s in Source}:
        known = ", ".join(s.value for s in Source)
        raise InvalidInput(f"unknown source '{source}'; use {known}", field="matchers.source")
    match = Match(labels=labels, regex=regex, present=tuple(present), source=source)
    if match.is_empty():
        raise InvalidInput(
            "must have at least one condition, or it silences every alert", field="matchers"
        )
    return match


def _string_map(value: Any, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInput("must map label names to strings", field=field)
    return dict(value)


def _stored(match: Match) -> dict[str, Any]:
    return {
        "labels": dict(match.labels),
        "regex": dict(match.regex),
        "present": list(match.present),
        "source": match.source,
    }


def create_silence(
    session: Session,
    *,
    matchers: Mapping[str, Any],
    starts_at: datetime | None,
    ends_at: datetime,
    author: str,
    reason: str,
    now: datetime,
) -> AlertSilence:
    """`starts_at` None starts it now; a window already over is refused."""
    match = parse_matchers(matchers)
    start = starts_at or now
    for name, moment in (("starts_at", start), ("ends_at", ends_at)):
        if moment.tzinfo is None:
            raise InvalidInput("must include a time zone, e.g. 2026-11-26T03:00:00Z", field=name)
    if ends_at <= start:
        raise InvalidInput("must be after starts_at", field="ends_at")
    if ends_at <= now:
        raise InvalidInput("must be in the future", field="ends_at")
    silence = AlertSilence(
        matchers=_stored(match),
        starts_at=start,
        ends_at=ends_at,
        author=_text(author, "author", 200),
        reason=_text(reason, "reason", 2000),
        created_at=now,
    )
    session.add(silence)
    session.flush()
    return silence


def _text(value: str, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput("must not be empty", field=field)
    if len(text) > limit:
        raise InvalidInput(f"must be at most {limit} characters", field=field)
    return text


def list_silences(session: Session, *, active_only: bool, now: datetime) -> list[AlertSilence]:
    """Newest first. Active: started and not yet ended (scheduled ones are not active)."""
    query = select(AlertSilence).order_by(AlertSilence.id.desc())
    if active_only:
        query = query.where(AlertSilence.starts_at <= now, AlertSilence.ends_at > now)
    return list(session.scalars(query))


def expire_silence(session: Session, silence_id: int, *, actor: str, now: datetime) -> AlertSilence:
    silence = session.scalar(
        select(AlertSilence).where(AlertSilence.id == silence_id).with_for_update()
    )
    if silence is None:
        raise NotFound(f"no silence {silence_id}", field="id")
    if silence.ends_at <= now:
        raise Conflict(f"silence {silence_id} has already ended", field="id")
    silence.ends_at = max(now, silence.starts_at)
    silence.expired_at = now
    silence.expired_by = actor
    session.flush()
    return silence


def matching_silence(session: Session, event: AlertEvent, *, now: datetime) -> AlertSilence | None:
    """The oldest active silence matching the alert, if any."""
    active = session.scalars(
        select(AlertSilence)
        .where(AlertSilence.starts_at <= now, AlertSilence.ends_at > now)
        .order_by(AlertSilence.id)
    )
    for silence in active:
        if matches(Match.from_mapping(silence.matchers), event):
            return silence
    return None
