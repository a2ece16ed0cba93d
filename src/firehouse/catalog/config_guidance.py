"""The `guidance:` section: checklists per priority, the public-update cadence, reminders,
postmortem due dates, the reply to reports that are not incidents, and ticket trackers.

Everything is optional; left out, the runbook's defaults in firehouse.guidance.policy apply.
Tracker credentials are secrets: only the names of the variables that hold them appear here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic.types import StringConstraints

from firehouse.catalog.config_types import EnvName, HttpUrl, PriorityName, Section, Text
from firehouse.guidance.policy import ITEM_KEYS

ChecklistItem = Literal[
    "channel_created",
    "commander_assigned",
    "statuspage_published",
    "severity_confirmed",
    "responders_invited",
    "status_updates",
    "follow_ups_linked",
    "final_timeline_entry",
    "public_incident_resolved",
    "postmortem_created",
    "postmortem_completed",
    "playbook_updated",
]
assert set(ChecklistItem.__args__) == set(ITEM_KEYS)  # type: ignore[attr-defined]  # noqa: S101
Minutes = Annotated[int, Field(ge=0, le=7 * 24 * 60)]


class RemindersConfig(Section):
    no_commander_minutes: Minutes | None = None
    no_commander_priorities: list[PriorityName] | None = None
    public_incident_open_minutes: Minutes | None = None
    postmortem_not_started_business_days: Annotated[int, Field(ge=0, le=60)] | None = None
    follow_ups_open_days: Annotated[int, Field(ge=0, le=365)] | None = None
    notify: list[Literal["channel", "commander"]] | None = None


class JiraConfig(Section):
    """Jira Cloud or Data Center, REST API v3. The API token's owner is `email`."""

    url: HttpUrl
    project: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")]
    issue_type: Annotated[str, StringConstraints(min_length=1, max_length=60)] = "Task"
    email_env: EnvName = "FIREHOUSE_JIRA_EMAIL"
    token_env: EnvName = "FIREHOUSE_JIRA_TOKEN"  # noqa: S105 -- a variable name
    webhook_secret_env: EnvName | None = None


class GitHubConfig(Section):
    repository: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    api_url: HttpUrl = "https://api.github.com"
    token_env: EnvName = "FIREHOUSE_GITHUB_TOKEN"  # noqa: S105 -- a variable name
    webhook_secret_env: EnvName | None = None


class TrackersConfig(Section):
    default: Literal["builtin", "jira", "github"] = "builtin"
    jira: JiraConfig | None = None
    github: GitHubConfig | None = None

    @model_validator(mode="after")
    def _default_is_configured(self) -> TrackersConfig:
        if self.default != "builtin" and getattr(self, self.default) is None:
            raise ValueError(f"default is {self.default}, but no {self.default} tracker is set up")
        return self


class GuidanceConfig(Section):
    checklists: dict[PriorityName, list[ChecklistItem]] | None = None
    status_update_minutes: dict[PriorityName, Minutes] | None = None
    reminders: RemindersConfig | None = None
    postmortem_due_business_days: Annotated[int, Field(ge=1, le=60)] | None = None
    bug_report_guide_url: HttpUrl | None = None
    not_an_incident_reply: Annotated[Text, StringConstraints(max_length=2000)] | None = None
    drill_channel_prefix: (
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,20}$")] | None
    ) = None
    trackers: TrackersConfig | None = None
