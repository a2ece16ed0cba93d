"""Slack Web API methods over a `SlackWorkspace`, as the real ones answer them.

Each method takes the merged request parameters (query, form or JSON body) and returns the
body of an `ok: true` answer, or raises `SlackError` with Slack's documented error code.
Only what firehouse calls is here; an unknown method answers `unknown_method`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.fakes.slack_state import (
    BOT_ID,
    BOT_USER_ID,
    CHANNEL_NAME,
    TEAM_URL,
    Channel,
    Json,
    SlackError,
    SlackMessage,
    SlackWorkspace,
)

Method = Callable[[SlackWorkspace, Json], Json]
METHODS: dict[str, Method] = {}


def call(workspace: SlackWorkspace, method: str, params: Json) -> Json:
    handler = METHODS.get(method)
    if handler is None:
        return {"ok": False, "error": "unknown_method"}
    try:
        return {"ok": True} | handler(workspace, params)
    except SlackError as error:
        return {"ok": False, "error": error.error} | error.extra


def method(name: str) -> Callable[[Method], Method]:
    def register(handler: Method) -> Method:
        METHODS[name] = handler
        return handler

    return register


def _flag(params: Json, key: str) -> bool:
    return str(params.get(key, "")).lower() in {"1", "true"}


def _decoded(value: Any) -> Any:
    """Form bodies carry blocks, metadata and views as JSON strings; JSON bodies as objects."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise SlackError("invalid_arguments") from error
    return value


def _page(items: list[Json], params: Json, default: int = 100) -> tuple[list[Json], Json]:
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or default)
    page = items[start : start + limit]
    more = start + limit < len(items)
    return page, {"next_cursor": str(start + limit) if more else ""}


def _check_blocks(blocks: Any) -> list[Json]:
    if not blocks:
        return []
    if not isinstance(blocks, list) or len(blocks) > 50:
        raise SlackError("invalid_blocks")
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks")
        if block["type"] == "header" and len(block.get("text", {}).get("text", "")) > 150:
            raise SlackError("invalid_blocks")
        if block["type"] == "section" and len(block.get("fields", [])) > 10:
            raise SlackError("invalid_blocks")
    return blocks


def _required(params: Json, key: str) -> str:
    value = str(params.get(key) or "")
    if not value:
        raise SlackError("invalid_arguments")
    return value


# auth and users ----------------------------------------------------------------------------
@method("auth.test")
def _auth_test(ws: SlackWorkspace, params: Json) -> Json:
    return {
        "url": TEAM_URL,
        "team": "Firehouse Test",
        "user": "firehouse",
        "team_id": "T0FIRETEST",
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
    }


@method("users.info")
def _users_info(ws: SlackWorkspace, params: Json) -> Json:
    return {"user": ws.user(str(params.get("user") or "")).as_json()}


@method("users.lookupByEmail")
def _users_lookup(ws: SlackWorkspace, params: Json) -> Json:
    email = str(params.get("email") or "").lower()
    found = next((u for u in ws.users.values() if (u.email or "").lower() == email), None)
    if not email or found is None:
        raise SlackError("users_not_found")
    return {"user": found.as_json()}


# conversations -----------------------------------------------------------------------------
@method("conversations.create")
def _create(ws: SlackWorkspace, params: Json) -> Json:
    name = str(params.get("name") or "")
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > 80:
        raise SlackError("invalid_name_maxlength")
    if not CHANNEL_NAME.match(name):
        raise SlackError("invalid_name_specials")
    if not name.strip("-_"):
        raise SlackError("invalid_name_punctuation")
    if ws.channel_named(name) is not None:
        raise SlackError("name_taken")
    channel = ws.add_channel(name, private=_flag(params, "is_private"), creator=BOT_USER_ID)
    return {"channel": channel.as_json(BOT_USER_ID)}


@method("conversations.info")
def _info(ws: SlackWorkspace, params: Json) -> Json:
    return {"channel": ws.channel(params).as_json(BOT_USER_ID)}


@method("conversations.list")
def _list(ws: SlackWorkspace, params: Json) -> Json:
    types = set(str(params.get("types") or "public_channel").split(","))
    visible = [
        c.as_json(BOT_USER_ID)
        for c in ws.channels.values()
        if not c.id.startswith("D")  # direct messages are type "im", never listed here
        and ("private_channel" if c.is_private else "public_channel") in types
        and (not c.is_private or BOT_USER_ID in c.members)
        and not (c.archived and _flag(params, "exclude_archived"))
    ]
    page, cursor = _page(visible, params)
    return {"channels": page, "response_metadata": cursor}


def _member_channel(ws: SlackWorkspace, params: Json) -> Channel:
    channel = ws.writable(params)
    if BOT_USER_ID not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@method("conversations.setPurpose")
def _set_purpose(ws: SlackWorkspace, params: Json) -> Json:
    channel = _member_channel(ws, params)
    channel.purpose = str(params.get("purpose") or "")
    if len(channel.purpose) > 250:
        raise SlackError("too_long")
    return {"channel": channel.as_json(BOT_USER_ID)}


@method("conversations.setTopic")
def _set_topic(ws: SlackWorkspace, params: Json) -> Json:
    channel = _member_channel(ws, params)
    topic = str(params.get("topic") or "")
    if len(topic) > 250:
        raise SlackError("too_long")
    channel.topic = topic
    return {"channel": channel.as_json(BOT_USER_ID)}


@method("conversations.invite")
def _invite(ws: SlackWorkspace, params: Json) -> Json:
    channel = _member_channel(ws, params)
    users = [u.strip() for u in _required(params, "users").split(",") if u.strip()]
    if len(users) > 1000:
        raise SlackError("too_many_users")
    ws.invite_batches.append(users)
    problems = [
        {
            "user": u,
            "ok": False,
            "error": "cant_invite_self" if u == BOT_USER_ID else "user_not_found",
        }
        for u in users
        if u == BOT_USER_ID or u not in ws.users
    ]
    if problems and not _flag(params, "force"):
        raise SlackError(problems[0]["error"], errors=problems)
    new = [u for u in users if u in ws.users and u != BOT_USER_ID and u not in channel.members]
    if not new and not problems:
        raise SlackError("already_in_channel")
    channel.members.extend(dict.fromkeys(new))
    extra = {"errors": problems} if problems else {}
    return {"channel": channel.as_json(BOT_USER_ID)} | extra


@method("conversations.open")
def _open(ws: SlackWorkspace, params: Json) -> Json:
    """A direct message with one user (id `D...`), the same one on every call, as Slack's."""
    users = [u.strip() for u in str(params.get("users") or "").split(",") if u.strip()]
    if not users:
        raise SlackError("users_list_not_supplied")
    if len(users) > 1:
        raise SlackError("not_supported")  # group DMs: firehouse never opens one
    user = ws.user(users[0])
    if user.is_bot:
        raise SlackError("cannot_dm_bot")
    existing = next(
        (c for c in ws.channels.values() if c.id.startswith("D") and c.creator == user.id), None
    )
    if existing is not None:
        return {"no_op": True, "already_open": True, "channel": {"id": existing.id}}
    channel = Channel(
        ws.new_id("D"), user.id.lower(), user.id, True, members=[user.id, BOT_USER_ID]
    )
    ws.channels[channel.id] = channel
    ws.messages[channel.id] = []
    return {"channel": {"id": channel.id}}


@method("conversations.join")
def _join(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.writable(params)
    if channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    if BOT_USER_ID not in channel.members:
        channel.members.append(BOT_USER_ID)
    return {"channel": channel.as_json(BOT_USER_ID)}


@method("conversations.archive")
def _archive(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.channel(params)
    if channel.archived:
        raise SlackError("already_archived")
    channel.archived = True
    return {}


def _listing(ws: SlackWorkspace, params: Json, found: list[SlackMessage]) -> Json:
    metadata = _flag(params, "include_all_metadata")
    rendered = [
        m.as_json(with_metadata=metadata, replies=len(ws.replies_to(ws.channel(params), m.ts)))
        for m in found
    ]
    page, cursor = _page(rendered, params, default=100)
    return {"messages": page, "has_more": bool(cursor["next_cursor"]), "response_metadata": cursor}


def _readable(ws: SlackWorkspace, params: Json) -> Channel:
    channel = ws.channel(params)
    if BOT_USER_ID not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@method("conversations.history")
def _history(ws: SlackWorkspace, params: Json) -> Json:
    channel = _readable(ws, params)
    inclusive = _flag(params, "inclusive")
    oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or "inf")
    roots = [
        m
        for m in reversed(ws.messages[channel.id])
        if (not m.thread_ts or m.thread_ts == m.ts)
        and (oldest < float(m.ts) < latest or (inclusive and float(m.ts) in {oldest, latest}))
    ]
    return _listing(ws, params, roots)


@method("conversations.replies")
def _replies(ws: SlackWorkspace, params: Json) -> Json:
    channel = _readable(ws, params)
    asked = next((m for m in ws.messages[channel.id] if m.ts == params.get("ts")), None)
    if asked is None:
        raise SlackError("thread_not_found")
    root = ws.message(channel, asked.thread_ts) if asked.thread_ts else asked
    return _listing(ws, params, [root, *ws.replies_to(channel, root.ts)])


@method("bookmarks.add")
def _bookmark(ws: SlackWorkspace, params: Json) -> Json:
    channel = _member_channel(ws, params | {"channel": params.get("channel_id")})
    title, kind, link = params.get("title"), params.get("type"), str(params.get("link") or "")
    if not title or kind != "link":
        raise SlackError("invalid_arguments")
    if not link.startswith(("http://", "https://")):
        raise SlackError("invalid_link")
    bookmark = {"id": ws.new_id("Bk"), "channel_id": channel.id, "title": title, "link": link}
    channel.bookmarks.append(bookmark | {"type": "link"})
    return {"bookmark": bookmark | {"type": "link", "date_created": 1_700_000_000}}


# chat --------------------------------------------------------------------------------------
def _content(params: Json) -> tuple[str, list[Json]]:
    text, blocks = str(params.get("text") or ""), _check_blocks(_decoded(params.get("blocks")))
    if not text and not blocks:
        raise SlackError("no_text")
    if len(text) > 40_000:
        raise SlackError("msg_too_long")
    return text, blocks


@method("chat.postMessage")
def _post(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.writable(params)
    if channel.is_private and BOT_USER_ID not in channel.members:
        raise SlackError("not_in_channel")
    text, blocks = _content(params)
    metadata = _decoded(params.get("metadata"))
    if metadata is not None and not (isinstance(metadata, dict) and metadata.get("event_type")):
        raise SlackError("invalid_metadata_format")
    thread_ts = str(params.get("thread_ts") or "") or None
    message = SlackMessage(ws.new_ts(), text, BOT_USER_ID, blocks, thread_ts, metadata)
    ws.messages[channel.id].append(message)
    return {"channel": channel.id, "ts": message.ts, "message": message.as_json(with_metadata=True)}


@method("chat.update")
def _update(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.writable(params)
    message = ws.message(channel, _required(params, "ts"))
    if message.user != BOT_USER_ID:
        raise SlackError("cant_update_message")
    message.text, message.blocks = _content(params)
    message.edited = True
    body = message.as_json(with_metadata=True)
    return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": body}


@method("chat.getPermalink")
def _permalink(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.channel(params)
    message = ws.message(channel, _required(params, "message_ts"))
    link = f"{TEAM_URL}archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.thread_ts and message.thread_ts != message.ts:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


@method("chat.postEphemeral")
def _ephemeral(ws: SlackWorkspace, params: Json) -> Json:
    channel = ws.writable(params)
    user = ws.user(_required(params, "user"))
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = _content(params)
    ts = ws.new_ts()
    ws.ephemeral.append({"channel": channel.id, "user": user.id, "text": text, "blocks": blocks})
    return {"message_ts": ts}


# views -------------------------------------------------------------------------------------
def _view(ws: SlackWorkspace, params: Json) -> Json:
    view = _decoded(params.get("view"))
    if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
        raise SlackError("invalid_arguments")
    return view


@method("views.open")
def _views_open(ws: SlackWorkspace, params: Json) -> Json:
    trigger = str(params.get("trigger_id") or "")
    expires = ws.triggers.pop(trigger, None)
    if expires is None:
        raise SlackError("invalid_trigger_id")
    if ws.clock() > expires:
        raise SlackError("expired_trigger_id")
    view = _view(ws, params) | {"id": ws.new_id("V"), "hash": ws.new_ts()}
    ws.views[view["id"]] = view
    ws.views_opened.append(view)
    return {"view": view}


@method("views.update")
def _views_update(ws: SlackWorkspace, params: Json) -> Json:
    view_id = str(params.get("view_id") or "")
    if view_id not in ws.views:
        raise SlackError("not_found")
    if params.get("hash") and params["hash"] != ws.views[view_id]["hash"]:
        raise SlackError("hash_conflict")
    view = _view(ws, params) | {"id": view_id, "hash": ws.new_ts()}
    ws.views[view_id] = view
    return {"view": view}


@method("views.publish")
def _views_publish(ws: SlackWorkspace, params: Json) -> Json:
    user = ws.user(_required(params, "user_id"))
    view = _view(ws, params) | {"id": ws.new_id("V")}
    ws.home_tabs[user.id] = view
    return {"view": view}
