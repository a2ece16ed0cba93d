"""firehouse.yaml: the organisation as code, and `check`, which finds everything wrong with it.

The file is the source of truth for teams, people, services, the priority policy and outbound
webhooks; `apply` copies it into the database. Checking is pure (no database), so it can run
in CI on a pull request that edits the file, and it reports every problem in one pass, each
with its path in the file, because fixing a config one error per run is miserable.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.types import StringConstraints

from firehouse.catalog.config_problems import (
    FILE,
    Location,
    Problem,
    describe,
    in_file_order,
    translate,
)
from firehouse.catalog.config_references import reference_problems
from firehouse.incidents.policy import DEFAULT_POLICY, PriorityPolicy
from firehouse.outbox.events import EventType

__all__ = [
    "FirehouseConfig",
    "Problem",
    "check_file",
    "parse_config",
]

_SLUG = re.compile(r"[a-z0-9_-]{1,64}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
EVENT_FILTERS: frozenset[str] = frozenset(
    {"*"} | {event.value for event in EventType} | {f"{e.value.split('.')[0]}.*" for e in EventType}
)


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid id: use lowercase letters, digits, '-' and '_' "
            "(at most 64 characters)"
        )
    return value


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
        valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        valid = False
    if not valid or any(c.isspace() for c in value):
        raise ValueError(f"'{value}' is not an http:// or https:// URL")
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"'{value}' is not an email address")
    return value


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            f"'{value}' is not an environment variable name (letters, digits and '_', "
            "not starting with a digit)"
        )
    return value


def _event_filter(value: str) -> str:
    if value not in EVENT_FILTERS:
        known = ", ".join(sorted(EVENT_FILTERS))
        raise ValueError(f"unknown event type '{value}' (known: {known})")
    return value


def _channel_ref(value: str) -> str:
    """A channel id (C0123ABCD) or a name with or without '#'."""
    name = value.removeprefix("#")
    if not re.fullmatch(r"[a-z0-9_-]{1,80}|[CGD][A-Z0-9]{6,20}", name):
        raise ValueError(
            f"'{value}' is neither a channel name (lowercase letters, digits, '-' and '_') "
            "nor a channel id"
        )
    return value


def _emoji(value: str) -> str:
    name = value.strip(":")
    if not re.fullmatch(r"[a-z0-9_+'-]{1,64}", name):
        raise ValueError(f"'{value}' is not an emoji name such as pushpin or :pushpin:")
    return name


def _channel_pattern(value: str) -> str:
    if "{number}" not in value:
        raise ValueError(f"'{value}' must contain {{number}}, or every channel gets the same name")
    unknown = set(re.findall(r"{([^}]*)}", value)) - {"number", "service", "priority"}
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{sorted(unknown)[0]}}}: use number, service, priority"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
HttpUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url)]
Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_email)]
ChatHandle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Component = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
EnvName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_env_name)]
EventFilter = Annotated[str, AfterValidator(_event_filter)]
ChannelRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=81),
    AfterValidator(_channel_ref),
]
ChannelPattern = Annotated[str, StringConstraints(max_length=80), AfterValidator(_channel_pattern)]
Emoji = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_emoji)]
SlashCommand = Annotated[str, StringConstraints(pattern=r"^/[a-z0-9_-]{1,31}$")]
PriorityName = Literal["P1", "P2", "P3", "P4", "P5"]
StatuspageImpact = Literal["none", "minor", "major", "critical"]
ComponentStatusName = Literal[
    "operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"
]


class _Section(BaseModel):
    """Strict: YAML's loose typing ('yes' as true, 1 as a name) is refused, and so are typos."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class OrganisationConfig(_Section):
    name: Name


class PersonConfig(_Section):
    id: Slug
    name: Name
    email: Email | None = None
    chat_handle: ChatHandle | None = None


class TeamConfig(_Section):
    id: Slug
    name: Name
    members: list[str] = Field(default_factory=list)
    default_responders: list[str] = Field(default_factory=list)


class ServiceConfig(_Section):
    id: Slug
    name: Name
    description: Text = ""
    team: str | None = None
    point_people: list[str] = Field(default_factory=list)
    playbook_url: HttpUrl | None = None
    components: list[Component] = Field(default_factory=list)


class LevelConfig(_Section):
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


class PolicyConfig(_Section):
    priorities: dict[PriorityName, LevelConfig] = Field(default_factory=dict)


class WebhookConfig(_Section):
    """The secret itself never appears here: only the name of the variable that holds it."""

    name: Slug
    url: HttpUrl
    secret_env: EnvName
    events: list[EventFilter] = Field(default_factory=list)


class SlackConfig(_Section):
    api_url: HttpUrl = "https://slack.com/api/"


class ChatConfig(_Section):
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


class StatuspageComponentConfig(_Section):
    id: Slug
    name: Name
    description: Text = ""
    group: Name | None = None


class SmtpConfig(_Section):
    """The mail server subscribers' mail goes through. The password is a secret: it comes
    from FIREHOUSE_SMTP_PASSWORD, never this file."""

    host: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    from_: Email = Field(alias="from")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: Annotated[str, StringConstraints(max_length=320)] | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0


AtlassianId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]


class AtlassianStatuspageConfig(_Section):
    """Mirror the page to Atlassian Statuspage. The API key is a secret: only the name of the
    environment variable holding it is here. `components` maps firehouse component ids to
    Atlassian component ids; unmapped components are not mirrored."""

    page_id: AtlassianId
    api_key_env: EnvName = "FIREHOUSE_ATLASSIAN_STATUSPAGE_API_KEY"
    api_url: HttpUrl = "https://api.statuspage.io/v1/"
    components: dict[Slug, AtlassianId] = Field(default_factory=dict)
    notify_subscribers: bool = True


class StatuspageConfig(_Section):
    """The public status page: its title, public address and components (in page order)."""

    name: Name = "Status"
    url: HttpUrl | None = None
    components: list[StatuspageComponentConfig] = Field(default_factory=list)
    smtp: SmtpConfig | None = None
    atlassian: AtlassianStatuspageConfig | None = None


class FirehouseConfig(_Section):
    organisation: OrganisationConfig
    people: list[PersonConfig] = Field(default_factory=list)
    teams: list[TeamConfig] = Field(default_factory=list)
    services: list[ServiceConfig] = Field(default_factory=list)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    chat: ChatConfig | None = None
    statuspage: StatuspageConfig | None = None

    @field_validator("people", "teams", "services", "webhooks", mode="before")
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


SECTIONS: tuple[str, ...] = tuple(FirehouseConfig.model_fields)


def check_file(path: Path) -> tuple[FirehouseConfig | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(FILE, f"{path} is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(FILE, f"cannot read {path}: {exc.strerror or exc}")]
    return parse_config(text)


def parse_config(text: str) -> tuple[FirehouseConfig | None, list[Problem]]:
    """The validated config and no problems, or None and every problem found."""
    try:
        document, problems = _load_yaml(text)
    except yaml.YAMLError as exc:
        return None, [Problem(FILE, _yaml_error(exc))]
    if document is None:
        return None, [
            Problem(FILE, "the file is empty; it needs at least `organisation: {name: ...}`")
        ]
    if not isinstance(document, dict):
        sections = ", ".join(SECTIONS)
        return None, [Problem(FILE, f"expected a mapping of {sections}; got {describe(document)}")]
    config: FirehouseConfig | None = None
    try:
        config = FirehouseConfig.model_validate(document)
    except ValidationError as exc:
        problems += [translate(error, _keys_at) for error in exc.errors()]
    problems = in_file_order([*problems, *reference_problems(document)], SECTIONS)
    return (None if problems else config), problems


class _DuplicateKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a config file should say so."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    line = key_node.start_mark.line + 1
                    message = f"line {line}: key '{key_node.value}' appears twice in one mapping"
                    self.duplicates.append(Problem(FILE, message))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> tuple[Any, list[Problem]]:
    loader = _DuplicateKeyLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return f"not valid YAML: {exc}"


def _keys_at(loc: Location) -> list[str]:
    """The keys the schema allows at a location, to suggest the one a typo meant."""
    model: type[BaseModel] | None = FirehouseConfig
    for part in loc:
        if isinstance(part, str) and model is not None and part in model.model_fields:
            model = _model_inside(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_inside(argument)
        if found is not None:
            return found
    return None
