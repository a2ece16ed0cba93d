"""Drill scenarios: a YAML file that scripts what happens during a training drill, and when.

```yaml
name: Checkout outage
service: website
message: "Drill: checkout fails for some users"
steps:
  - after: 2m
    kind: alert
    summary: "HTTP 5xx above 5% on checkout"
    severity: critical
  - after: 5m
    kind: message
    text: "Support: customers report failed payments"
```

Pure: text in, a `Scenario` out, or an InvalidInput whose field is the path of the value at
fault (`scenario.steps[1].after`), so whoever wrote the file knows which line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import yaml

from firehouse.errors import InvalidInput

KINDS = ("alert", "message", "note")
MAX_BYTES = 64 * 1024
MAX_STEPS = 100
MAX_AFTER = timedelta(hours=24)
MAX_TEXT = 2000
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_TOP = frozenset({"name", "service", "message", "steps"})
_STEP = frozenset({"after", "kind", "text", "summary", "severity", "labels"})


@dataclass(frozen=True)
class Step:
    after: timedelta
    kind: str
    text: str
    severity: str | None = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    service: str | None
    message: str | None
    steps: tuple[Step, ...]


def parse(text: str) -> Scenario:
    if len(text.encode()) > MAX_BYTES:
        raise _bad("", f"must be at most {MAX_BYTES // 1024} KB")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise _bad("", f"is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise _bad("", "must be a mapping with name, service, message and steps")
    _no_unknown(data, _TOP, "")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise _bad("steps", "must be a non-empty list of steps")
    if len(steps) > MAX_STEPS:
        raise _bad("steps", f"must hold at most {MAX_STEPS} steps")
    return Scenario(
        name=_text(data.get("name"), "name", required=True, limit=200) or "",
        service=_text(data.get("service"), "service", limit=200),
        message=_text(data.get("message"), "message", limit=300),
        steps=tuple(_step(step, f"steps[{index}]") for index, step in enumerate(steps)),
    )


def duration(value: object, path: str) -> timedelta:
    """`90s`, `2m`, `1h30m`: the units a person writes a timeline in."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    match = _DURATION.match(text) if text else None
    if match is None or not any(match.groups()):
        raise _bad(path, "must be a duration like 90s, 2m or 1h30m")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    after = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if after > MAX_AFTER:
        raise _bad(path, "must be at most 24h")
    return after


def _step(raw: object, path: str) -> Step:
    if not isinstance(raw, dict):
        raise _bad(path, "must be a mapping with after, kind and text")
    _no_unknown(raw, _STEP, path)
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _bad(f"{path}.kind", f"must be one of {', '.join(KINDS)}")
    after = duration(raw.get("after"), f"{path}.after")
    if kind == "alert":
        said = raw.get("summary", raw.get("text"))
        text = _text(said, f"{path}.summary", required=True, limit=1000) or ""
        return Step(
            after=after,
            kind=kind,
            text=text,
            severity=_text(raw.get("severity"), f"{path}.severity", limit=50),
            labels=_labels(raw.get("labels"), f"{path}.labels"),
        )
    for extra in ("summary", "severity", "labels"):
        if extra in raw:
            raise _bad(f"{path}.{extra}", "is only for steps of kind alert")
    text = _text(raw.get("text"), f"{path}.text", required=True, limit=MAX_TEXT) or ""
    return Step(after=after, kind=str(kind), text=text)


def _text(value: object, path: str, *, required: bool = False, limit: int) -> str | None:
    if value is None:
        if required:
            raise _bad(path, "is required")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _bad(path, "must be text")
    text = str(value).strip()
    if required and not text:
        raise _bad(path, "must not be empty")
    if len(text) > limit:
        raise _bad(path, f"must be at most {limit} characters")
    return text or None


def _labels(value: object, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 50:
        raise _bad(path, "must be a mapping of at most 50 names to values")
    return {str(name)[:100]: str(item)[:500] for name, item in value.items()}


def _no_unknown(data: dict[Any, Any], known: frozenset[str], path: str) -> None:
    for key in data:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            raise _bad(where, f"is not a scenario field; use {', '.join(sorted(known))}")


def _bad(path: str, problem: str) -> InvalidInput:
    return InvalidInput(problem, field=f"scenario.{path}" if path else "scenario")
