"""Every table, imported in one place so Alembic and test fixtures see the whole schema."""

from firehouse.alerts.model import Alert, AlertGroup, AlertSilence
from firehouse.auth.model import ApiToken
from firehouse.catalog.model import OrganisationSetting, Person, PriorityLevelRow, Service, Team
from firehouse.chat.model import ChatEventReceipt, ChatIdentity, ChatPost, IncidentChannel
from firehouse.db import Base
from firehouse.incidents.model import (
    Incident,
    IncidentCounter,
    IncidentLink,
    RoleAssignment,
    TimelineEntry,
)
from firehouse.integrations.atlassian_statuspage.model import AtlassianIncidentLink
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
    "Component",
    "Incident",
    "IncidentChannel",
    "IncidentCounter",
    "IncidentLink",
    "Maintenance",
    "OrganisationSetting",
    "OutboxDelivery",
    "OutboxEvent",
    "Person",
    "PriorityLevelRow",
    "PublicIncident",
    "PublicIncidentComponent",
    "PublicUpdate",
    "RoleAssignment",
    "Service",
    "Subscriber",
    "Subscription",
    "Team",
    "TimelineEntry",
    "metadata",
]
