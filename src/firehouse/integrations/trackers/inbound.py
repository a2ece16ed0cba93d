"""Status from the trackers' webhooks: Jira and GitHub tell us when a ticket closes or reopens.

Both sign the raw body with HMAC-SHA256 and the shared secret: GitHub in
`X-Hub-Signature-256`, Jira Cloud (admin webhooks with a secret) in `X-Hub-Signature`, both
as `sha256=<hex>`. Jira Data Center cannot sign, so for Jira the secret may instead come as
the `secret` query parameter of the registered URL. A request that proves neither is refused
before its body is even parsed; with no secret configured, every request is refused.
Tickets firehouse does not know (a tracker sends events about every issue) are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from firehouse.db import Database
from firehouse.errors import InvalidInput
from firehouse.guidance import follow_ups
from firehouse.integrations.trackers.github import ticket_key
from firehouse.integrations.trackers.jira import status_of

GITHUB_ACTIONS = {"closed": True, "reopened": False}


class NotSigned(Exception):
    """The request does not prove it knows the webhook secret: answer 401."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_event(
    db: Database,
    body: bytes,
    *,
    signed: str | None,
    event: str | None,
    now: datetime,
    environ: Mapping[str, str],
) -> bool:
    """True when a follow-up changed."""
    _check(db, "github", body, signed=signed, query_secret=None, environ=environ)
    payload = _json(body)
    action = payload.get("action")
    if event != "issues" or action not in GITHUB_ACTIONS:
        return False
    issue = payload.get("issue") or {}
    repository = (payload.get("repository") or {}).get("full_name")
    if not repository or "number" not in issue:
        return False
    key = ticket_key(str(repository), issue["number"])
    done = GITHUB_ACTIONS[str(action)]
    return _sync(db, "github", key, done=done, status=str(issue.get("state")), now=now)


def jira_event(
    db: Database,
    body: bytes,
    *,
    signed: str | None,
    query_secret: str | None,
    now: datetime,
    environ: Mapping[str, str],
) -> bool:
    _check(db, "jira", body, signed=signed, query_secret=query_secret, environ=environ)
    payload = _json(body)
    issue = payload.get("issue")
    if not str(payload.get("webhookEvent", "")).startswith("jira:issue") or not issue:
        return False
    status, done = status_of(issue)
    return _sync(db, "jira", str(issue.get("key")), done=done, status=status, now=now)


def _sync(db: Database, tracker: str, key: str, *, done: bool, status: str, now: datetime) -> bool:
    with db.write() as session:
        row = follow_ups.sync_status(
            session, tracker, key, done=done, external_status=status, now=now
        )
        return row is not None and row.updated_at == now


def _check(
    db: Database,
    tracker: str,
    body: bytes,
    *,
    signed: str | None,
    query_secret: str | None,
    environ: Mapping[str, str],
) -> None:
    with db.read() as session:
        section = follow_ups.trackers_settings(session).get(tracker) or {}
    name = section.get("webhook_secret_env") if isinstance(section, dict) else None
    secret = environ.get(str(name), "") if name else ""
    if not secret:
        raise NotSigned(f"no webhook secret is configured for {tracker}")
    if signed and hmac.compare_digest(signature(secret, body), signed.strip()):
        return
    if query_secret and hmac.compare_digest(secret.encode(), query_secret.encode()):
        return
    raise NotSigned("missing or wrong signature")


def _json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise InvalidInput("the body is not JSON", field="body") from exc
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return payload
