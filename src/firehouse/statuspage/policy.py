"""The status page's rules that need no I/O: the vocabularies and the page's overall state.

The words and their order follow Atlassian Statuspage's public API v2, so that existing
consumers of a Statuspage page read firehouse's page unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"

    @property
    def label(self) -> str:
        return _COMPONENT_LABELS[self]


_COMPONENT_LABELS = {
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded Performance",
    ComponentStatus.PARTIAL_OUTAGE: "Partial Outage",
    ComponentStatus.MAJOR_OUTAGE: "Major Outage",
    ComponentStatus.UNDER_MAINTENANCE: "Under Maintenance",
}


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class IncidentStatus(StrEnum):
    """A public incident's status. `resolved` and `postmortem` end it."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"

    @property
    def is_final(self) -> bool:
        return self in {IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM}


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"

    @property
    def is_active(self) -> bool:
        return self in {MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING}


class Indicator(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


# The component status an impact puts affected components in, unless the policy says otherwise.
COMPONENT_STATUS_FOR_IMPACT = {
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.NONE: ComponentStatus.OPERATIONAL,
}

_INDICATOR_FOR_COMPONENT = {
    ComponentStatus.OPERATIONAL: Indicator.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Indicator.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Indicator.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Indicator.CRITICAL,
    ComponentStatus.UNDER_MAINTENANCE: Indicator.MAINTENANCE,
}

_SEVERITY = [
    Indicator.NONE,
    Indicator.MAINTENANCE,
    Indicator.MINOR,
    Indicator.MAJOR,
    Indicator.CRITICAL,
]

DESCRIPTIONS = {
    Indicator.NONE: "All Systems Operational",
    Indicator.MINOR: "Minor Service Outage",
    Indicator.MAJOR: "Partial System Outage",
    Indicator.CRITICAL: "Major System Outage",
    Indicator.MAINTENANCE: "Service Under Maintenance",
}


@dataclass(frozen=True)
class PageStatus:
    indicator: Indicator
    description: str


def page_status(
    component_statuses: Iterable[ComponentStatus], unresolved_impacts: Iterable[Impact]
) -> PageStatus:
    """The page's banner: the worst of its components and of its unresolved incidents.

    Maintenance ranks above "all operational" but below any outage, as on Statuspage: a page
    with one component in maintenance and another in partial outage says "Partial System
    Outage". An unresolved incident of impact `none` does not change the banner.
    """
    worst = Indicator.NONE
    for status in component_statuses:
        worst = _worse(worst, _INDICATOR_FOR_COMPONENT[status])
    for impact in unresolved_impacts:
        worst = _worse(worst, Indicator(impact.value))
    return PageStatus(indicator=worst, description=DESCRIPTIONS[worst])


def _worse(first: Indicator, second: Indicator) -> Indicator:
    return first if _SEVERITY.index(first) >= _SEVERITY.index(second) else second


def impact_from_components(statuses: Iterable[ComponentStatus]) -> Impact:
    """The impact an incident has when only its components' statuses are known."""
    worst = Impact.NONE
    order = list(Impact)
    for status in statuses:
        indicator = _INDICATOR_FOR_COMPONENT[status]
        if indicator is Indicator.MAINTENANCE:
            continue
        candidate = Impact(indicator.value)
        worst = candidate if order.index(candidate) > order.index(worst) else worst
    return worst
