"""The configuration last applied from firehouse.yaml, as `config apply` recorded it, so an
administrator can see what the organisation runs on without a shell on the server.

Secrets never belong in firehouse.yaml (they come from FIREHOUSE_* environment variables), but
the document is redacted on the way in and again on the way out: a value that looks like a
secret is replaced before it can reach a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting

SOURCE = "config.source"
APPLIED_AT = "config.applied_at"
DOCUMENT = "config.document"
REDACTED = "(redacted)"
_SECRET_WORDS = ("password", "secret", "token", "key")


@dataclass(frozen=True)
class AppliedConfig:
    source: str
    applied_at: datetime | None
    document: dict[str, Any] | None  # None when applied before documents were recorded


def redacted(value: Any) -> Any:
    """A copy of `value` where every string under a secret-sounding key is replaced.

    Keys ending in `_env` hold the *name* of an environment variable, which is safe to show
    and is what an administrator needs to know where the secret comes from.
    """
    if isinstance(value, dict):
        return {key: _redacted_entry(str(key), item) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value


def _redacted_entry(key: str, value: Any) -> Any:
    lowered = key.lower()
    if (
        isinstance(value, str)
        and not lowered.endswith("_env")
        and any(word in lowered for word in _SECRET_WORDS)
    ):
        return REDACTED
    return redacted(value)


def applied_config(session: Session) -> AppliedConfig | None:
    """None when no configuration was ever applied to this database."""
    source = session.get(OrganisationSetting, SOURCE)
    if source is None:
        return None
    applied_at = session.get(OrganisationSetting, APPLIED_AT)
    document = session.get(OrganisationSetting, DOCUMENT)
    return AppliedConfig(
        source=str(source.value),
        applied_at=_parse_time(applied_at.value if applied_at is not None else None),
        document=redacted(document.value) if document is not None else None,
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
