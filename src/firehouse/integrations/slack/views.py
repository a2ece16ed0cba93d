"""Block Kit for the declare modal: building it, and reading a submission back.

Slack's limits shape this module: option texts and descriptions of at most 75 characters, at
most 100 options per select, a title of at most 24 characters, `private_metadata` of at most
3000 characters, and an `initial_value` no longer than its input's `max_length`.
"""

from __future__ import annotations

import json
from typing import Any

from firehouse.chat.inbound_declare import DeclareForm, FormChoices

DECLARE_CALLBACK = "declare_incident"
ACTION = "value"
MAX_OPTIONS = 100
MESSAGE_LIMIT = 300
DESCRIPTION_LIMIT = 3000
BLOCKS = ("service", "priority", "message", "description")

View = dict[str, Any]


def declare_modal(
    choices: FormChoices,
    *,
    message: str | None = None,
    description: str | None = None,
    source_url: str | None = None,
) -> View:
    """The form `/incident declare` and the message shortcut open, prefilled as given."""
    blocks: list[dict[str, Any]] = [
        _select("service", "Impacted service", [(n, i, None) for i, n in choices.services]),
        _select(
            "priority",
            "Priority",
            [(level.label, level.priority, level.guidance) for level in choices.levels],
        ),
        _guidance(choices),
        _text_input("message", "What is happening?", message, MESSAGE_LIMIT, multiline=False),
        _text_input("description", "Details", description, DESCRIPTION_LIMIT, multiline=True),
    ]
    if source_url:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Source: {source_url}"}]}
        )
    return {
        "type": "modal",
        "callback_id": DECLARE_CALLBACK,
        "title": _plain("Declare an incident"),
        "submit": _plain("Declare"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"source_url": source_url})[:3000],
        "blocks": blocks,
    }


def read_declare_form(view: View) -> DeclareForm:
    """What the person chose and typed; missing answers are None (the service names them)."""
    values = (view.get("state") or {}).get("values") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    source = metadata.get("source_url") if isinstance(metadata, dict) else None
    return DeclareForm(
        service=_answer(values, "service"),
        priority=_answer(values, "priority"),
        message=_answer(values, "message"),
        description=_answer(values, "description"),
        source_url=source if isinstance(source, str) else None,
    )


def field_errors(field: str | None, problem: str) -> dict[str, Any]:
    """A `view_submission` answer that shows the problem under the block at fault."""
    block = field if field in BLOCKS else "message"
    return {"response_action": "errors", "errors": {block: problem[:150]}}


def _answer(values: dict[str, Any], block: str) -> str | None:
    action = (values.get(block) or {}).get(ACTION) or {}
    if not isinstance(action, dict):
        return None
    selected = action.get("selected_option")
    value = selected.get("value") if isinstance(selected, dict) else action.get("value")
    return value if isinstance(value, str) and value.strip() else None


def _select(block: str, label: str, options: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    rendered = []
    for text, value, description in options[:MAX_OPTIONS]:
        option: dict[str, Any] = {"text": _plain(_cut(text, 75)), "value": value}
        if description:
            option["description"] = _plain(_cut(description, 75))
        rendered.append(option)
    return {
        "type": "input",
        "block_id": block,
        "label": _plain(label),
        "element": {
            "type": "static_select",
            "action_id": ACTION,
            "placeholder": _plain(f"Choose the {label.lower()}"),
            "options": rendered,
        },
    }


def _guidance(choices: FormChoices) -> dict[str, Any]:
    lines = [f"*{level.label}*: {level.guidance}" for level in choices.levels]
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _cut("\n".join(lines), 2000)}],
    }


def _text_input(
    block: str, label: str, initial: str | None, limit: int, *, multiline: bool
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "multiline": multiline,
        "max_length": limit,
    }
    if initial and initial.strip():
        element["initial_value"] = _cut(initial.strip(), limit)
    return {
        "type": "input",
        "block_id": block,
        "label": _plain(label),
        "optional": block == "description",
        "element": element,
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
