"""The on-call sections of firehouse.yaml: schedules, escalation policies, and how to page.

A schedule is layers of rotations; an escalation policy is ordered steps that notify targets
and wait; `paging` says through which providers people are reached. The rules that compute
shifts live in firehouse.oncall.rotation; these models only check the file's shape.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic.types import StringConstraints

from firehouse.catalog.config_smtp import SmtpConfig
from firehouse.catalog.config_types import (
    ClockTime,
    EnvName,
    HttpUrl,
    Name,
    Section,
    Slug,
    TimeZone,
    Weekday,
)

_LENGTH = re.compile(r"(daily|weekly|[1-9][0-9]{0,3}[hd])")
NotifyMethod = Literal["slack", "email", "sms", "voice", "webhook"]
PageRule = Literal["all_on_call", "escalation", "none"]


def _rotation_length(value: str) -> str:
    if not _LENGTH.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a rotation length: use daily, weekly, or a number of hours or "
            "days such as 12h or 3d"
        )
    return value


def _phone(value: str) -> str:
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
        raise ValueError(f"'{value}' is not a phone number in E.164 form such as +447700900123")
    return value


RotationLength = Annotated[str, AfterValidator(_rotation_length)]
Phone = Annotated[str, AfterValidator(_phone)]
LayerName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]


class NotifyRuleConfig(Section):
    """One way to reach a person, `after_minutes` into a page they have not acknowledged."""

    method: NotifyMethod
    after_minutes: Annotated[int, Field(ge=0, le=1440)] = 0


class LayerConfig(Section):
    """A rotation: `people` take turns, each for `rotation` (daily, weekly, Nh, Nd), handing
    over at `handoff` local time (on `handoff_day` for weekly rotations) in `timezone`, counted
    from the first handoff on or after `start`."""

    name: LayerName
    people: list[Slug] = Field(min_length=1)
    rotation: RotationLength = "weekly"
    handoff: ClockTime = "09:00"
    handoff_day: Weekday = "mon"
    timezone: TimeZone | None = None
    start: date = date(2024, 1, 1)

    @model_validator(mode="before")
    @classmethod
    def _start_as_date(cls, value: object) -> object:
        """YAML reads 2026-01-05 as a date already; a quoted one arrives as text."""
        if isinstance(value, dict) and isinstance(value.get("start"), str):
            try:
                return {**value, "start": date.fromisoformat(value["start"])}
            except ValueError:
                return value
        return value


class ScheduleConfig(Section):
    id: Slug
    name: Name
    team: Slug | None = None
    timezone: TimeZone = "UTC"
    layers: list[LayerConfig] = Field(min_length=1)


class EscalationTargetConfig(Section):
    """Exactly one of: a schedule (one `layer`, or everyone on call in it), a person, the
    point-people of a service, or the point-people of all of a team's services."""

    schedule: Slug | None = None
    layer: LayerName | None = None
    person: Slug | None = None
    service: Slug | None = None
    team: Slug | None = None

    @model_validator(mode="after")
    def _one_target(self) -> EscalationTargetConfig:
        named = [k for k in ("schedule", "person", "service", "team") if getattr(self, k)]
        if len(named) != 1:
            raise ValueError("name exactly one of schedule, person, service or team")
        if self.layer is not None and self.schedule is None:
            raise ValueError("layer is only allowed together with schedule")
        return self


class EscalationStepConfig(Section):
    notify: list[EscalationTargetConfig] = Field(min_length=1)
    wait_minutes: Annotated[int, Field(ge=1, le=1440)] = 15


class EscalationPolicyConfig(Section):
    """Steps run in order until someone acknowledges; after the last step the policy starts
    over, `repeat` more times."""

    id: Slug
    name: Name
    steps: list[EscalationStepConfig] = Field(min_length=1)
    repeat: Annotated[int, Field(ge=0, le=10)] = 0


class TwilioConfig(Section):
    """SMS and voice through the team's own Twilio account. The auth token is a secret: only
    the name of the variable that holds it is here."""

    account_sid: Annotated[str, StringConstraints(pattern=r"^AC[0-9a-fA-F]{32}$")]
    from_: Annotated[Phone, Field(alias="from")]
    auth_token_env: EnvName = "FIREHOUSE_TWILIO_AUTH_TOKEN"  # noqa: S105 (a variable name)
    api_url: HttpUrl = "https://api.twilio.com/"


class PagingWebhookConfig(Section):
    url: HttpUrl
    secret_env: EnvName


class PagingConfig(Section):
    """How people are reached when paged. Without a provider's section, notifications of that
    kind are written to the log (the console twin) so nothing is silently lost."""

    ack_link_minutes: Annotated[int, Field(ge=5, le=10080)] = 1440
    twilio: TwilioConfig | None = None
    webhook: PagingWebhookConfig | None = None
    smtp: SmtpConfig | None = None  # default: the status page's mail server


__all__ = [
    "EscalationPolicyConfig",
    "EscalationStepConfig",
    "EscalationTargetConfig",
    "LayerConfig",
    "NotifyMethod",
    "NotifyRuleConfig",
    "PageRule",
    "PagingConfig",
    "PagingWebhookConfig",
    "Phone",
    "ScheduleConfig",
    "TwilioConfig",
]
