"""Problems found in firehouse.yaml, each pinned to its place in the file.

Pydantic reports errors as location tuples and developer wording; a person editing YAML needs
`services[2].team: unknown team 'payments'`. This module does that translation, so the schema
in `config` can stay declarative.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

FILE = "(file)"
"""The path of a problem with the file as a whole (unreadable, not YAML, not a mapping)."""

SECRET_KEYS = frozenset({"secret", "token", "password", "api_key"})

Location = Sequence[int | str]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def format_path(loc: Location) -> str:
    """('services', 2, 'team') -> 'services[2].team'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or FILE


def describe(value: Any) -> str:
    """What YAML produced, in YAML's words rather than Python's."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    shown = {int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}
    kind = shown.get(type(value), f"a {type(value).__name__}")
    return f"{kind} ({value!r})" if isinstance(value, int | float | str) else kind


_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def translate(error: ErrorDetails, allowed_keys: Callable[[Location], Iterable[str]]) -> Problem:
    """One pydantic error as a Problem; `allowed_keys` names the keys valid at a location."""
    loc = list(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return Problem(
            format_path(loc), _unknown_key(str(loc[-1]), allowed_keys(loc[:-1]), loc[:-1])
        )
    if loc and loc[-1] == "[key]":  # a mapping key failed its own type, e.g. policy level P6
        return Problem(format_path(loc[:-1]), _key_message(error))
    return Problem(format_path(loc), _message(error))


def _unknown_key(key: str, allowed: Iterable[str], parent: Location = ()) -> str:
    if key in SECRET_KEYS:
        if parent and parent[0] == "chat":
            return (
                "secrets never go in this file; set FIREHOUSE_SLACK_BOT_TOKEN and "
                "FIREHOUSE_SLACK_SIGNING_SECRET in the server's environment"
            )
        return (
            "secrets never go in this file; name the environment variable that holds it "
            "with secret_env"
        )
    choices = list(allowed)
    close = difflib.get_close_matches(key, choices, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    known = f" (known keys: {', '.join(choices)})" if choices and not close else ""
    return f"unknown key '{key}'{hint}{known}"


def _key_message(error: ErrorDetails) -> str:
    expected = (error.get("ctx") or {}).get("expected")
    if expected:
        return f"{error['input']!r} is not one of {expected}"
    return f"{error['input']!r} is not allowed as a key here"


_FIXED_MESSAGES = {"missing": "is required", "string_too_short": "must not be empty"}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[kind]
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {describe(error['input'])}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}, got {describe(error['input'])}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def in_file_order(problems: Iterable[Problem], sections: Sequence[str]) -> list[Problem]:
    """Problems by section and item, as they appear in the file; duplicates dropped.

    Sorting is stable, so problems of one item keep the order they were found in (the schema's
    field order first, then cross-references).
    """
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda problem: _position(problem.path, sections))


def _position(path: str, sections: Sequence[str]) -> tuple[int, int]:
    parts = _PATH_PART.findall(path)
    if not parts or path == FILE:
        return (-1, -1)
    section = parts[0][1]
    rank = sections.index(section) if section in sections else len(sections)
    index = int(parts[1][0]) if len(parts) > 1 and parts[1][0] else -1
    return (rank, index)
