"""The sections of firehouse.yaml, as strict Pydantic models (the schema `check` validates)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic.types import StringConstraints

from firehouse.catalog.config_guidance import GuidanceConfig
from firehouse.catalog.config_oncall import (
    EscalationPolicyConfig,
    NotifyRuleConfig,
    PageRule,
    PagingConfig,
    Phone,
    ScheduleConfig,
)
from firehouse.catalog.config_smtp import SmtpConfig
from firehouse.catalog.config_types import (
    ChannelPattern,
    ChannelRef,
    ChatHandle,
    ClockTime,
    Component,
    ComponentStatusName,
    Email,
    Emoji,
    EnvName,
    EventFilter,
    HttpUrl,
    Name,
    Pattern,
    PriorityName,
    Section,
    SlashCommand,
    Slug,
    StatuspageImpact,
    Text,
    TimeZone,
    Weekday,
)
from firehouse.catalog.config_web import WebConfig
from firehouse.incidents.policy import DEFAULT_POLICY, PriorityPolicy


class OrganisationConfig(Section):
    name: Name


class PersonConfig(Section):
    id: Slug
    name: Name
    email: Email | None = None
    chat_handle: ChatHandle | None = None
    phone: Phone | None = None
    # How a page reaches this person, in order; left out: chat, then email a minute later.
    notify: list[NotifyRuleConfig] | None = None


WORKING_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class BusinessHoursConfig(Section):
    """When a team is at work: the days and the local hours, in the team's IANA time zone."""

    timezone: TimeZone = "UTC"
    days: list[Weekday] = Field(default_factory=lambda: list(WORKING_DAYS))
    start: ClockTime = "09:00"
    end: ClockTime = "18:00"


class TeamConfig(Section):
    id: Slug
    name: Name
    members: list[str] = Field(default_factory=list)
    default_responders: list[str] = Field(default_factory=list)
    business_hours: BusinessHoursConfig | None = None
    escalation_policy: Slug | None = None


class ServiceConfig(Section):
    id: Slug
    name: Name
    description: Text = ""
    team: str | None = None
    point_people: list[str] = Field(default_factory=list)
    playbook_url: HttpUrl | None = None
    components: list[Component] = Field(default_factory=list)
    escalation_policy: Slug | None = None  # default: the team's


class LevelConfig(Section):
    """Overrides for one priority level; a field left out keeps the default policy's value."""

    name: Name | None = None
    guidance: Text | None = None
    examples: list[Text] | None = None
    statuspage_impact: StatuspageImpact | None = None
    statuspage_update_expected: bool | None = None
    postmortem_required: bool | None = None
    training_only: bool | None = None
    statuspage_component_status: ComponentStatusName | None = None
    statuspage_publish: Literal["immediately", "confirm"] | None = None
    page: PageRule | None = None


class PolicyConfig(Section):
    priorities: dict[PriorityName, LevelConfig] = Field(default_factory=dict)


class WebhookConfig(Section):
    """The secret itself never appears here: only the name of the variable that holds it."""

    name: Slug
    url: HttpUrl
    secret_env: EnvName
    events: list[EventFilter] = Field(default_factory=list)


class SlackConfig(Section):
    api_url: HttpUrl = "https://slack.com/api/"


class ChatConfig(Section):
    """Where incidents are run in chat. The bot token and signing secret are secrets, so they
    come from FIREHOUSE_SLACK_BOT_TOKEN and FIREHOUSE_SLACK_SIGNING_SECRET, never this file."""

    provider: Literal["slack"] = "slack"
    incidents_channel: ChannelRef | None = None
    alerts_channel: ChannelRef | None = None
    channel_name: ChannelPattern = "incident-{number}"
    pin_emoji: Emoji = "pushpin"
    archive_after_days: Annotated[int, Field(ge=1, le=365)] | None = None
    command: SlashCommand = "/incident"
    slack: SlackConfig = Field(default_factory=SlackConfig)


class StatuspageComponentConfig(Section):
    id: Slug
    name: Name
    description: Text = ""
    group: Name | None = None


AtlassianId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]


class AtlassianStatuspageConfig(Section):
    """Mirror the page to Atlassian Statuspage. The API key is a secret: only the name of the
    environment variable holding it is here. `components` maps firehouse component ids to
    Atlassian component ids; unmapped components are not mirrored."""

    page_id: AtlassianId
    api_key_env: EnvName = "FIREHOUSE_ATLASSIAN_STATUSPAGE_API_KEY"
    api_url: HttpUrl = "https://api.statuspage.io/v1/"
    components: dict[Slug, AtlassianId] = Field(default_factory=dict)
    notify_subscribers: bool = True


class StatuspageConfig(Section):
    """The public status page: its title, public address and components (in page order)."""

    name: Name = "Status"
    url: HttpUrl | None = None
    components: list[StatuspageComponentConfig] = Field(default_factory=list)
    smtp: SmtpConfig | None = None
    atlassian: AtlassianStatuspageConfig | None = None


class IntakeKeyConfig(Section):
    """An integration key for the intake endpoints. The key itself is a secret: only the name
    of the environment variable that holds it is here."""

    name: Slug
    key_env: EnvName


class IntakeConfig(Section):
    keys: list[IntakeKeyConfig] = Field(default_factory=list)


class RouteMatchConfig(Section):
    """All conditions must hold. `labels`: equal values; `regex`: full-match patterns;
    `present`: labels that must exist; `source`: which intake format sent it."""

    labels: dict[str, str] = Field(default_factory=dict)
    regex: dict[str, Pattern] = Field(default_factory=dict)
    present: list[str] = Field(default_factory=list)
    source: Literal["alertmanager", "opsgenie", "pagerduty", "generic"] | None = None


class RouteRuleConfig(Section):
    """First match wins. `incident` raises one (or attaches to the one this rule already
    raised for the service), `channel` posts to the alerts channel, `record` only stores,
    `drop` ignores. `during` limits the rule to the service team's business hours or to
    outside them."""

    name: Slug
    match: RouteMatchConfig = Field(default_factory=RouteMatchConfig)
    during: Literal["always", "business_hours", "outside_business_hours"] = "always"
    action: Literal["incident", "channel", "record", "drop"]
    priority: PriorityName | None = None
    service: Slug | None = None
    business_hours_only: bool = False


class RoutingConfig(Section):
    rules: list[RouteRuleConfig] = Field(default_factory=list)
    default: Literal["record", "channel", "drop"] = "record"


class FirehouseConfig(Section):
    organisation: OrganisationConfig
    people: list[PersonConfig] = Field(default_factory=list)
    teams: list[TeamConfig] = Field(default_factory=list)
    services: list[ServiceConfig] = Field(default_factory=list)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    chat: ChatConfig | None = None
    statuspage: StatuspageConfig | None = None
    intake: IntakeConfig | None = None
    routing: RoutingConfig | None = None
    schedules: list[ScheduleConfig] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicyConfig] = Field(default_factory=list)
    paging: PagingConfig | None = None
    web: WebConfig | None = None
    guidance: GuidanceConfig | None = None

    @field_validator(
        "people", "teams", "services", "webhooks", "schedules", "escalation_policies", mode="before"
    )
    @classmethod
    def _empty_list_section(cls, value: Any) -> Any:
        """`webhooks:` with every entry commented out is YAML null; read it as none."""
        return [] if value is None else value

    @field_validator("policy", mode="before")
    @classmethod
    def _empty_policy(cls, value: Any) -> Any:
        return {} if value is None else value

    def priority_policy(self) -> PriorityPolicy:
        """The default policy with this file's overrides laid over it, field by field."""
        overrides = {str(priority): level for priority, level in self.policy.priorities.items()}
        levels = {}
        for priority, default in DEFAULT_POLICY.levels.items():
            override = overrides.get(priority)
            changes = override.model_dump(exclude_none=True) if override else {}
            if "examples" in changes:
                changes["examples"] = tuple(changes["examples"])
            levels[priority] = dataclasses.replace(default, **changes)
        return PriorityPolicy(levels=levels)
