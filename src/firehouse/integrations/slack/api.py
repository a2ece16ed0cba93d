"""The endpoints Slack calls: slash commands, interactivity (modals, shortcuts) and events.

Every request is checked against Slack's signature before anything in it is read, and refused
(401, nothing changed) when the signature is wrong, missing or more than five minutes old.
Without a signing secret (FIREHOUSE_SLACK_SIGNING_SECRET) every request is refused the same
way, 401, with "Slack is not configured" as the reason: nothing can be verified, so nothing is
accepted (and a 5xx would invite Slack to retry what can never succeed).

Slack waits three seconds for an answer. The database work of a command takes milliseconds,
so it is done at once and answered in the response body, visible only to the caller. Opening
a modal must happen at once too (its trigger_id expires in seconds). Everything else that
talks to Slack (looking users up, reading a pinned message) runs after the answer is sent.
Announcing a change in the incident channel is left to the outbox chat flow.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from firehouse.catalog.config import ChatConfig
from firehouse.chat import identity
from firehouse.chat.commands import CommandError, parse, plain_text, usage
from firehouse.chat.inbound import NOT_CONFIGURED, Invocation, chat_config, run
from firehouse.chat.inbound_declare import declare_from_form, form_choices
from firehouse.chat.inbound_pin import Pin, PinnedText, pinned_incident, record_pin
from firehouse.chat.provider import ChatRefused, ChatUnavailable
from firehouse.errors import DomainError, InvalidInput
from firehouse.httpapi.deps import RuntimeDep
from firehouse.httpapi.errors import documented
from firehouse.httpapi.runtime import Runtime
from firehouse.integrations.slack import page_ack
from firehouse.integrations.slack.client import SlackProvider
from firehouse.integrations.slack.signature import BadSignature, verify
from firehouse.integrations.slack.views import (
    DECLARE_CALLBACK,
    declare_modal,
    field_errors,
    read_declare_form,
)

log = logging.getLogger(__name__)

PROVIDER = "slack"
MAX_BODY = 1_000_000
SHORTCUT_CALLBACK = "declare_from_message"
Json = dict[str, Any]

router = APIRouter(
    prefix="/api/v1/integrations/slack",
    tags=["slack"],
    responses=documented(401, 413, 422, 503),  # 503: the database is busy
)


async def verified_body(request: Request, runtime: RuntimeDep) -> bytes:
    """The raw body, once its signature checks out; nothing is parsed before that."""
    secret = runtime.settings.slack_signing_secret
    if secret is None or not secret.get_secret_value():
        raise HTTPException(401, "Slack is not configured: set FIREHOUSE_SLACK_SIGNING_SECRET")
    length = request.headers.get("Content-Length", "0")
    if length.isdigit() and int(length) > MAX_BODY:
        raise HTTPException(413, f"body: must be at most {MAX_BODY} bytes")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, f"body: must be at most {MAX_BODY} bytes")
    try:
        verify(
            secret.get_secret_value(),
            timestamp=request.headers.get("X-Slack-Request-Timestamp"),
            signature=request.headers.get("X-Slack-Signature"),
            body=body,
            now=runtime.clock.now(),
        )
    except BadSignature as exc:
        raise HTTPException(401, f"Slack signature refused: {exc}") from None
    return body


SignedBody = Annotated[bytes, Depends(verified_body)]


@router.post("/commands", response_model=None)
async def commands(body: SignedBody, runtime: RuntimeDep, later: BackgroundTasks) -> Response:
    """A slash command (form-encoded). The answer is an ephemeral message, or nothing when
    a modal was opened instead."""
    return await run_in_threadpool(_command, runtime, _form(body), later)


@router.post("/interactions", response_model=None)
async def interactions(body: SignedBody, runtime: RuntimeDep, later: BackgroundTasks) -> Response:
    """Modal submissions and shortcuts: the form field `payload` holds the JSON."""
    payload = _json(_form(body).get("payload", ""), "payload")
    return await run_in_threadpool(_interaction, runtime, payload, later)


@router.post("/events", response_model=None)
async def events(body: SignedBody, runtime: RuntimeDep, later: BackgroundTasks) -> Response:
    """The Events API. Answered at once; a redelivered event (same event_id, or a retry
    Slack marks with X-Slack-Retry-Num) changes nothing the first delivery already did."""
    payload = _json(body.decode("utf-8", "replace"), "body")
    if payload.get("type") == "url_verification":
        return JSONResponse({"challenge": str(payload.get("challenge", ""))})
    if payload.get("type") == "event_callback":
        await run_in_threadpool(_event, runtime, payload, later)
    return Response(status_code=200)


# slash commands ----------------------------------------------------------------------------
def _command(runtime: Runtime, form: dict[str, str], later: BackgroundTasks) -> Response:
    config = _config(runtime)
    if config is None:
        return _ephemeral(NOT_CONFIGURED)
    user_id = _required(form, "user_id")
    invocation = Invocation(
        provider=PROVIDER,
        user_id=user_id,
        user_handle=form.get("user_name") or None,
        channel_id=form.get("channel_id", ""),
        command=config.command,
        base_url=runtime.settings.base_url,
    )
    try:
        command = parse(form.get("text", ""))
    except CommandError as exc:
        return _ephemeral(f"{exc.problem}\n{usage(config.command, exc.verb)}")
    if command.opens_form:
        problem = _open_form(runtime, config, form.get("trigger_id", ""))
        return _ephemeral(problem) if problem else Response(status_code=200)
    reply = run(runtime.db, command, invocation, now=runtime.clock.now())
    _learn_later(later, runtime, config, reply.learn)
    return _ephemeral(reply.text)


def _open_form(
    runtime: Runtime, config: ChatConfig, trigger_id: str, **prefill: str | None
) -> str | None:
    """Opens the declare modal at once (the trigger expires in seconds); None when it opened,
    else why it did not."""
    slack = _slack(runtime, config)
    if slack is None:
        return "Slack is not fully configured: set FIREHOUSE_SLACK_BOT_TOKEN"
    with runtime.db.read() as session:
        choices = form_choices(session)
    if not choices.services:
        return "There is no active service to declare an incident on; add one to firehouse.yaml"
    try:
        slack.open_modal(trigger_id, declare_modal(choices, **prefill))
    except (ChatUnavailable, ChatRefused) as exc:
        return f"Could not open the form: {exc}"
    return None


# interactivity -----------------------------------------------------------------------------
def _interaction(runtime: Runtime, payload: Json, later: BackgroundTasks) -> Response:
    kind = payload.get("type")
    if kind == "view_submission":
        return _submit(runtime, payload, later)
    if kind == "message_action" and payload.get("callback_id") == SHORTCUT_CALLBACK:
        return _from_message(runtime, payload, later)
    if (action := page_ack.ack_action(payload)) is not None:
        return page_ack.acknowledge(runtime, payload, action, later)
    if kind == "shortcut" and payload.get("callback_id") == DECLARE_CALLBACK:
        config = _config(runtime)
        if config is not None:
            _open_form(runtime, config, str(payload.get("trigger_id", "")))
    return Response(status_code=200)  # block_actions, view_closed: nothing to do


def _submit(runtime: Runtime, payload: Json, later: BackgroundTasks) -> Response:
    view = payload.get("view")
    if not isinstance(view, dict) or view.get("callback_id") != DECLARE_CALLBACK:
        return Response(status_code=200)
    config = _config(runtime)
    if config is None:
        return JSONResponse(field_errors("message", NOT_CONFIGURED))
    user = _user(payload)
    try:
        declared = declare_from_form(
            runtime.db,
            read_declare_form(view),
            provider=PROVIDER,
            user_id=user[0],
            handle=user[1],
            now=runtime.clock.now(),
        )
    except DomainError as exc:
        return JSONResponse(field_errors(exc.field, exc.message))
    log.info("declared incident %s from Slack", declared.number)
    _learn_later(later, runtime, config, declared.learn)
    return JSONResponse({"response_action": "clear"})


def _from_message(runtime: Runtime, payload: Json, later: BackgroundTasks) -> Response:
    """The message shortcut: the form, prefilled with the message, its permalink the source."""
    config = _config(runtime)
    message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
    text = plain_text(str((message or {}).get("text", "")))
    first_line = text.splitlines()[0] if text else ""
    problem = (
        NOT_CONFIGURED
        if config is None
        else _open_form(
            runtime,
            config,
            str(payload.get("trigger_id", "")),
            message=first_line,
            description=text if text != first_line else "",
            source_url=permalink(payload),
        )
    )
    response_url = payload.get("response_url")
    if problem and config is not None and isinstance(response_url, str):
        later.add_task(_respond, runtime, config, response_url, problem)
    return Response(status_code=200)


def permalink(payload: Json) -> str | None:
    """A message's permalink, from the shortcut payload alone (asking Slack costs time the
    trigger_id does not have): https://{team}.slack.com/archives/{channel}/p{ts without dot}."""
    message, channel, team = (payload.get(k) for k in ("message", "channel", "team"))
    if not (isinstance(message, dict) and isinstance(channel, dict)):
        return None
    ts, channel_id = str(message.get("ts", "")), str(channel.get("id", ""))
    if not ts.replace(".", "").isdigit() or not channel_id.isalnum():
        return None
    domain = team.get("domain") if isinstance(team, dict) else None
    host = (
        f"https://{domain}.slack.com" if isinstance(domain, str) and domain else "https://slack.com"
    )
    link = f"{host}/archives/{channel_id}/p{ts.replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if isinstance(thread_ts, str) and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel_id}"
    return link


# events ------------------------------------------------------------------------------------
def _event(runtime: Runtime, payload: Json, later: BackgroundTasks) -> None:
    event = payload.get("event")
    if not isinstance(event, dict) or event.get("type") != "reaction_added":
        return
    item = event.get("item")
    config = _config(runtime)
    if config is None or not isinstance(item, dict) or item.get("type") != "message":
        return
    if str(event.get("reaction", "")).split("::")[0] != config.pin_emoji:  # ::skin-tone-2
        return
    pin = Pin(
        event_id=str(payload.get("event_id") or ""),
        channel_id=str(item.get("channel", "")),
        ts=str(item.get("ts", "")),
        reactor_id=str(event.get("user", "")),
        author_id=str(event["item_user"]) if event.get("item_user") else None,
    )
    if not (pin.event_id and pin.channel_id and pin.ts and pin.reactor_id):
        return
    with runtime.db.read() as session:
        number = pinned_incident(session, PROVIDER, pin)
    if number is not None:
        later.add_task(_record_pin, runtime, config, pin)


def _record_pin(runtime: Runtime, config: ChatConfig, pin: Pin) -> None:
    """After the answer: read the pinned message and who wrote and pinned it from Slack
    (outside any transaction), then write the receipt and the timeline entry together."""
    text = None
    slack = _slack(runtime, config)
    if slack is not None:
        try:
            text = slack.message_text(pin.channel_id, pin.ts)
        except (ChatUnavailable, ChatRefused) as exc:
            log.warning("could not read pinned message %s: %s", pin.ts, exc)
    _learn(runtime, config, [pin.reactor_id, *([pin.author_id] if pin.author_id else [])])
    record_pin(runtime.db, PROVIDER, pin, PinnedText(text), now=runtime.clock.now())


# plumbing ----------------------------------------------------------------------------------
def _config(runtime: Runtime) -> ChatConfig | None:
    with runtime.db.read() as session:
        return chat_config(session)


def _slack(runtime: Runtime, config: ChatConfig) -> SlackProvider | None:
    token = runtime.settings.slack_bot_token
    if token is None or not token.get_secret_value():
        return None
    return SlackProvider(
        config.slack.api_url, token.get_secret_value(), runtime.settings.chat_timeout_seconds
    )


def _learn_later(
    later: BackgroundTasks, runtime: Runtime, config: ChatConfig, user_ids: tuple[str, ...]
) -> None:
    if user_ids:
        later.add_task(_learn, runtime, config, list(user_ids))


def _learn(runtime: Runtime, config: ChatConfig, user_ids: list[str]) -> None:
    slack = _slack(runtime, config)
    if slack is not None:
        lookup: Callable[[str], Any] = slack.user
        identity.learn(runtime.db, PROVIDER, user_ids, lookup, runtime.clock.now)


def _respond(runtime: Runtime, config: ChatConfig, response_url: str, text: str) -> None:
    slack = _slack(runtime, config)
    if slack is None:
        return
    try:
        slack.respond(response_url, text, ephemeral=True)
    except (ChatUnavailable, ChatRefused) as exc:
        log.warning("could not answer through response_url: %s", exc)


def _ephemeral(text: str) -> JSONResponse:
    return JSONResponse({"response_type": "ephemeral", "text": text})


def _form(body: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 form data", field="body") from None


def _json(text: str, field: str) -> Json:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidInput("is not a JSON object", field=field)
    return value


def _required(form: dict[str, str], field: str) -> str:
    value = form.get(field, "").strip()
    if not value:
        raise InvalidInput("is missing", field=field)
    return value


def _user(payload: Json) -> tuple[str, str | None]:
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    user_id = str((user or {}).get("id") or "")
    if not user_id:
        raise InvalidInput("is missing", field="payload.user.id")
    handle = (user or {}).get("username") or (user or {}).get("name")
    return user_id, str(handle) if handle else None
