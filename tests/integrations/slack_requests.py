"""Requests as Slack sends them: signed, with the payload shapes of each kind of call.

`SlackInbound` wraps a TestClient; each helper builds the body, signs it with the app's
signing secret at the fake clock's time, and posts it to the matching endpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi.testclient import TestClient

from firehouse.clock import FakeClock
from firehouse.integrations.slack.signature import sign

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BASE = "/api/v1/integrations/slack"
TEAM = {"id": "T0001", "domain": "acme"}


def signed_headers(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(secret, str(timestamp), body),
    }


@dataclass
class SlackInbound:
    client: TestClient
    clock: FakeClock
    secret: str = SIGNING_SECRET

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Signed at `timestamp` (default: the clock's now); `headers` may override any."""
        moment = int(self.clock.now().timestamp()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, **signed_headers(body, moment, self.secret)}
        return self.client.post(BASE + path, content=body, headers={**sent, **(headers or {})})

    def command(
        self,
        text: str,
        *,
        user_id: str = "U0ALICE",
        user_name: str = "alice",
        channel_id: str = "C0GENERAL",
        trigger_id: str = "13345224609.738474920.8088930838d88f008e0",
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        **overrides: str,
    ) -> httpx.Response:
        form = {
            "token": "deprecated-verification-token",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_name,
            "command": "/incident",
            "text": text,
            "api_app_id": "A0FIREHOUSE",
            "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
            "trigger_id": trigger_id,
        }
        body = urlencode({**form, **overrides}).encode()
        return self.post(
            "/commands",
            body,
            "application/x-www-form-urlencoded",
            timestamp=timestamp,
            headers=headers,
        )

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post("/interactions", body, "application/x-www-form-urlencoded", **kwargs)

    def event(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        body = json.dumps(payload).encode()
        return self.post("/events", body, "application/json", **kwargs)


def view_submission(
    values: dict[str, str | None],
    *,
    user_id: str = "U0ALICE",
    private_metadata: str = "{}",
    callback_id: str = "declare_incident",
) -> dict[str, Any]:
    """A submitted declare form: selects for service and priority, text for the rest."""
    state: dict[str, Any] = {}
    for block, value in values.items():
        if block in {"service", "priority"}:
            chosen = {"value": value, "text": {"type": "plain_text", "text": value}}
            state[block] = {
                "value": {"type": "static_select", "selected_option": chosen if value else None}
            }
        else:
            state[block] = {"value": {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": TEAM,
        "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": TEAM["id"]},
        "api_app_id": "A0FIREHOUSE",
        "trigger_id": "1337.42.abcd",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": state},
        },
    }


def message_action(
    text: str, *, channel_id: str, ts: str, trigger_id: str, response_url: str, user_id: str
) -> dict[str, Any]:
    return {
        "type": "message_action",
        "callback_id": "declare_from_message",
        "trigger_id": trigger_id,
        "response_url": response_url,
        "team": TEAM,
        "channel": {"id": channel_id, "name": "incidents"},
        "user": {"id": user_id, "username": "alice", "name": "alice"},
        "message_ts": ts,
        "message": {"type": "message", "user": "U0REPORTER", "text": text, "ts": ts},
    }


def reaction_added(
    *, event_id: str, channel_id: str, ts: str, user: str, author: str, reaction: str = "pushpin"
) -> dict[str, Any]:
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM["id"],
        "api_app_id": "A0FIREHOUSE",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(float(ts)),
        "event": {
            "type": "reaction_added",
            "user": user,
            "reaction": reaction,
            "item_user": author,
            "item": {"type": "message", "channel": channel_id, "ts": ts},
            "event_ts": ts,
        },
    }
