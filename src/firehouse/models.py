"""Every table, imported in one place so Alembic and test fixtures see the whole schema."""

from firehouse.alerts.model import Alert, AlertGroup, AlertSilence
from firehouse.auth.model import ApiToken, User, WebSession
from firehouse.catalog.model import OrganisationSetting, Person, PriorityLevelRow, Service, Team
from firehouse.chat.model import ChatEventReceipt, ChatIdentity, ChatPost, IncidentChannel
from firehouse.db import Base
from firehouse.guidance.model import (
    ChecklistItem,
    DrillStep,
    FollowUp,
    Postmortem,
    ReminderSent,
    ReminderSnooze,
    SchedulerLease,
)
from firehouse.incidents.model import (
    Incident,
    IncidentCounter,
    IncidentLink,
    RoleAssignment,
    TimelineEntry,
)
from firehouse.integrations.atlassian_statuspage.model import AtlassianIncidentLink
from firehouse.oncall.model import (
    EscalationPolicy,
    Page,
    PageNotification,
    Schedule,
    ScheduleOverride,
)
from firehouse.outbox.model import OutboxDelivery, OutboxEvent, Subscription
from firehouse.statuspage.model import (
    Component,
    Maintenance,
    PublicIncident,
    PublicIncidentComponent,
    PublicUpdate,
    Subscriber,
)

metadata = Base.metadata

__all__ = [
    "Alert",
    "AlertGroup",
    "AlertSilence",
    "ApiToken",
    "AtlassianIncidentLink",
    "ChatEventReceipt",
    "ChatIdentity",
    "ChatPost",
    "ChecklistItem",
    "Component",
    "DrillStep",
    "EscalationPolicy",
    "FollowUp",
    "Incident",
    "IncidentChannel",
    "IncidentCounter",
    "IncidentLink",
    "Maintenance",
    "OrganisationSetting",
    "OutboxDelivery",
    "OutboxEvent",
    "Page",
    "PageNotification",
    "Person",
    "Postmortem",
    "PriorityLevelRow",
    "PublicIncident",
    "PublicIncidentComponent",
    "PublicUpdate",
    "ReminderSent",
    "ReminderSnooze",
    "RoleAssignment",
    "Schedule",
    "ScheduleOverride",
    "SchedulerLease",
    "Service",
    "Subscriber",
    "Subscription",
    "Team",
    "TimelineEntry",
    "User",
    "WebSession",
    "metadata",
]
