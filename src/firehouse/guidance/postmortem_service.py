"""PLACEHOLDER: filled by its owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from firehouse.incidents.model import Incident


def on_entry(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    event: str | None,
    data: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    """Called for every timeline entry (see firehouse.guidance.hooks)."""
