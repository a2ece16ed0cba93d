"""Channel names: the configured pattern made into a name chat systems accept.

Slack's rules are the strictest of the usual providers (lowercase letters, digits, `-` and `_`,
at most 80 characters), so a name that follows them works elsewhere too. Pure: no I/O.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator

MAX_LENGTH = 80
NUMBERED_ALTERNATIVES = 4  # incident-12-2 … incident-12-5, then a short unique suffix

_PLACEHOLDER = re.compile(r"{(number|service|priority)}")
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")
_DASHES = re.compile(r"-{2,}")


def channel_name(pattern: str, *, number: int, service: str, priority: str) -> str:
    """The pattern with its placeholders filled in, then made valid.

    Placeholders are substituted by hand rather than with `str.format`, so a pattern can never
    reach attributes of the values (`{number.__class__}`) and stray braces are just text.
    """
    values = {"number": str(number), "service": service, "priority": priority}
    filled = _PLACEHOLDER.sub(lambda match: values[match.group(1)], pattern)
    return valid_name(filled, fallback=f"incident-{number}")


def valid_name(text: str, *, fallback: str = "incident") -> str:
    """Lowercase, anything else collapsed to one `-`, trimmed to the length limit."""
    return _clean(text) or _clean(fallback) or "incident"


def _clean(text: str) -> str:
    name = _DASHES.sub("-", _NOT_ALLOWED.sub("-", text.lower()))
    return name[:MAX_LENGTH].strip("-_")


def alternatives(name: str, *, unique: Callable[[], str] | None = None) -> Iterator[str]:
    """The name, then `-2`, `-3`, … and finally names with a short unique suffix, forever.

    Numbered names come first because they are what a person would pick, and because a retry
    walks the same sequence and so finds the channel its lost attempt created. The unique tail
    means taking a name can never fail, however many channels squat on the pattern.
    """
    token = unique or (lambda: secrets.token_hex(3))
    yield name
    for index in range(2, 2 + NUMBERED_ALTERNATIVES):
        yield with_suffix(name, str(index))
    while True:
        yield with_suffix(name, token())


def with_suffix(name: str, suffix: str) -> str:
    """`name-suffix`, shortening the name (not the suffix) to stay within the limit."""
    clean = valid_name(suffix, fallback="x")
    base = name[: MAX_LENGTH - len(clean) - 1].rstrip("-_") or "incident"
    return f"{base}-{clean}"
