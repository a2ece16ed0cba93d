"""What the incident page's follow-up panel shows (kept apart from the forms, which render
the page: the page renderer imports this, so this imports nothing of the page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from firehouse.guidance import follow_ups
from firehouse.incidents.visibility import Sight


@dataclass(frozen=True)
class TrackerChoice:
    value: str
    label: str


def panel_context(session: Session, number: int, sight: Sight) -> dict[str, Any]:
    """What the panel shows: the incident's follow-ups and the trackers one can choose."""
    settings = follow_ups.trackers_settings(session)
    choices = [TrackerChoice("builtin", "firehouse (built-in)")]
    choices += [
        TrackerChoice(name, follow_ups.NAMES[name])
        for name in ("jira", "github")
        if settings.get(name)
    ]
    return {
        "follow_ups": follow_ups.list_for(session, number, sight),
        "follow_up_trackers": choices,
        "follow_up_default": follow_ups.default_tracker(session),
    }
