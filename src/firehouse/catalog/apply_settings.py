"""Sections of firehouse.yaml kept whole as one organisation setting each (single sign-on,
guidance), and the record of what an apply changed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from firehouse.catalog.config_sections import FirehouseConfig
from firehouse.catalog.model import OrganisationSetting


@dataclass(frozen=True)
class Change:
    action: str
    entity: str
    id: str
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.action} {self.entity} {self.id}"
        return f"{text}: {', '.join(self.fields)}" if self.fields else text


WEB_OIDC = "web.oidc"
GUIDANCE = "guidance"


def apply_web_oidc(session: Session, config: FirehouseConfig) -> list[Change]:
    """The single sign-on provider as firehouse.auth.sso reads it; removed with the section."""
    oidc = config.web.oidc if config.web else None
    return _apply_setting(session, WEB_OIDC, oidc.model_dump() if oidc else None, "sign-in", "oidc")


def apply_guidance(session: Session, config: FirehouseConfig) -> list[Change]:
    """As firehouse.guidance.policy.from_settings reads it; the defaults apply without it."""
    section = config.guidance
    value = section.model_dump(mode="json", exclude_none=True) if section else None
    return _apply_setting(session, GUIDANCE, value, "guidance", "guidance")


def _apply_setting(
    session: Session, key: str, value: dict[str, Any] | None, kind: str, name: str
) -> list[Change]:
    row = session.get(OrganisationSetting, key)
    if row is None and value is not None:
        session.add(OrganisationSetting(key=key, value=value))
        return [Change("created", kind, name)]
    if row is not None and value is None:
        session.delete(row)
        return [Change("removed", kind, name)]
    if row is not None and row.value != value:
        old = row.value or {}
        fields = tuple(
            sorted(k for k in {**old, **(value or {})} if old.get(k) != (value or {}).get(k))
        )
        row.value = value
        return [Change("updated", kind, name, fields)]
    return []
