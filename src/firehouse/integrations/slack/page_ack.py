"""The Acknowledge button of a page's Slack direct message.

Slack posts a signed `block_actions` interaction (checked by the route before this runs) with
the button's value `"{page_id}:{person_id}"`. The clicking Slack user is matched to a person
as for commands; since the button lives in the paged person's own DM, a user firehouse cannot
match yet acknowledges as the person the message was sent to. The page is acknowledged at
once (milliseconds of database work); replacing the message with "Acknowledged by ..." talks
to Slack, so it runs after the answer is sent.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import BackgroundTasks
from fastapi.responses import JSONResponse, Response

from firehouse.catalog.model import Person
from firehouse.chat import identity
from firehouse.chat.inbound import chat_config
from firehouse.chat.provider import ChatRefused, ChatUnavailable
from firehouse.errors import DomainError, InvalidInput
from firehouse.httpapi.runtime import Runtime
from firehouse.integrations.paging.messages import ACK_ACTION, acknowledged_blocks
from firehouse.integrations.slack.client import SlackProvider
from firehouse.oncall.paging import acknowledge_page

log = logging.getLogger(__name__)

PROVIDER = "slack"
PAGED_PREFIX = "You are being paged: "
Json = dict[str, Any]


def ack_action(payload: Json) -> Json | None:
    """The Acknowledge button's action in a `block_actions` payload, if that is what it is."""
    actions = payload.get("actions")
    if payload.get("type") != "block_actions" or not isinstance(actions, list):
        return None
    return next(
        (a for a in actions if isinstance(a, dict) and a.get("action_id") == ACK_ACTION), None
    )


def acknowledge(runtime: Runtime, payload: Json, action: Json, later: BackgroundTasks) -> Response:
    page_id, paged_person = _value(action)
    user_id, handle = _user(payload)
    now = runtime.clock.now()
    try:
        with runtime.db.write() as session:
            clicker = identity.known_person(session, PROVIDER, user_id, handle)
            person_id = clicker or paged_person
            page = acknowledge_page(
                session, page_id, person_id=person_id, actor=person_id, via=PROVIDER, now=now
            )
            who = page.acknowledged_by or person_id
            person = session.get(Person, who)
            shown = f"{person.name if person else who} (via {page.acknowledged_via or PROVIDER})"
    except DomainError as exc:
        log.info("Slack acknowledgement of page %s refused: %s", page_id, exc.message)
        return JSONResponse(
            {"response_type": "ephemeral", "replace_original": False, "text": exc.message}
        )
    response_url = payload.get("response_url")
    if isinstance(response_url, str) and response_url:
        later.add_task(_replace_message, runtime, response_url, _headline(payload), shown)
    return Response(status_code=200)


def _replace_message(runtime: Runtime, response_url: str, headline: str, who: str) -> None:
    """The DM loses its button and says who acknowledged, so nobody presses it again."""
    token = runtime.settings.slack_bot_token
    with runtime.db.read() as session:
        config = chat_config(session)
    if config is None or token is None or not token.get_secret_value():
        return
    slack = SlackProvider(
        config.slack.api_url, token.get_secret_value(), runtime.settings.chat_timeout_seconds
    )
    try:
        slack.respond(
            response_url,
            f"{headline}: acknowledged by {who}",
            ephemeral=False,
            replace_original=True,
            blocks=acknowledged_blocks(headline, who),
        )
    except (ChatUnavailable, ChatRefused) as exc:
        log.warning("could not update the page message through response_url: %s", exc)


def _value(action: Json) -> tuple[int, str]:
    page, _, person = str(action.get("value") or "").partition(":")
    if not page.isdigit() or not person:
        raise InvalidInput("is not 'page:person'", field="payload.actions.value")
    return int(page), person


def _user(payload: Json) -> tuple[str, str | None]:
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    user_id = str((user or {}).get("id") or "")
    if not user_id:
        raise InvalidInput("is missing", field="payload.user.id")
    handle = (user or {}).get("username") or (user or {}).get("name")
    return user_id, str(handle) if handle else None


def _headline(payload: Json) -> str:
    message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
    text = str((message or {}).get("text") or "Page")
    return text.removeprefix(PAGED_PREFIX)
