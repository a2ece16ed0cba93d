"""Block Kit layout for a provider-neutral `Message`, within Slack's size limits.

The `text` stays the message's plain fallback (notifications, screen readers, old clients);
the blocks only lay the same content out: a header, the text, the fields two to a row, the
links, and a small context line. Anything over a Slack limit is shortened, never refused.
"""

from __future__ import annotations

from typing import Any

from firehouse.chat.provider import Message

HEADER_LIMIT = 150
TEXT_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10

Block = dict[str, Any]


def blocks_for(message: Message) -> list[Block]:
    blocks: list[Block] = []
    if message.title:
        blocks.append({"type": "header", "text": _plain(message.title, HEADER_LIMIT)})
    if message.text:
        blocks.append({"type": "section", "text": _mrkdwn(message.text, TEXT_LIMIT)})
    fields = [_mrkdwn(f"*{label}*\n{value}", FIELD_LIMIT) for label, value in message.fields]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    if message.links:
        links = " · ".join(f"<{url}|{_label(label)}>" for label, url in message.links)
        blocks.append({"type": "section", "text": _mrkdwn(links, TEXT_LIMIT)})
    if message.context:
        blocks.append({"type": "context", "elements": [_mrkdwn(message.context, TEXT_LIMIT)]})
    return blocks


def _plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": _shortened(text, limit), "emoji": True}


def _mrkdwn(text: str, limit: int) -> Block:
    return {"type": "mrkdwn", "text": _shortened(text, limit)}


def _label(text: str) -> str:
    """A link label may not hold the characters that delimit Slack's `<url|label>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "¦")


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
