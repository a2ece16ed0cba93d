"""The status page's banner and impact rules, as Statuspage computes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firehouse.statuspage.policy import (
    COMPONENT_STATUS_FOR_IMPACT,
    DESCRIPTIONS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    Indicator,
    MaintenanceStatus,
    impact_from_components,
    page_status,
)

OK = ComponentStatus.OPERATIONAL
DEGRADED = ComponentStatus.DEGRADED_PERFORMANCE
PARTIAL = ComponentStatus.PARTIAL_OUTAGE
MAJOR = ComponentStatus.MAJOR_OUTAGE
MAINTENANCE = ComponentStatus.UNDER_MAINTENANCE
SEVERITY = [
    Indicator.NONE,
    Indicator.MAINTENANCE,
    Indicator.MINOR,
    Indicator.MAJOR,
    Indicator.CRITICAL,
]

statuses = st.lists(st.sampled_from(list(ComponentStatus)), max_size=8)
impacts = st.lists(st.sampled_from(list(Impact)), max_size=4)


@pytest.mark.parametrize(
    ("components", "impacts_", "indicator", "description"),
    [
        ([], [], Indicator.NONE, "All Systems Operational"),
        ([OK, OK], [], Indicator.NONE, "All Systems Operational"),
        ([OK, DEGRADED], [], Indicator.MINOR, "Minor Service Outage"),
        ([DEGRADED, PARTIAL], [], Indicator.MAJOR, "Partial System Outage"),
        ([PARTIAL, MAJOR], [], Indicator.CRITICAL, "Major System Outage"),
        ([OK, MAINTENANCE], [], Indicator.MAINTENANCE, "Service Under Maintenance"),
        ([MAINTENANCE, PARTIAL], [], Indicator.MAJOR, "Partial System Outage"),
        ([OK], [Impact.CRITICAL], Indicator.CRITICAL, "Major System Outage"),
        ([MAINTENANCE], [Impact.MINOR], Indicator.MINOR, "Minor Service Outage"),
        ([OK], [Impact.NONE], Indicator.NONE, "All Systems Operational"),
    ],
)
def test_the_banner_is_the_worst_of_components_and_unresolved_incidents(
    components: list[ComponentStatus],
    impacts_: list[Impact],
    indicator: Indicator,
    description: str,
) -> None:
    status = page_status(components, impacts_)
    assert (status.indicator, status.description) == (indicator, description)


@given(statuses, impacts)
def test_the_banner_does_not_depend_on_order(
    components: list[ComponentStatus], unresolved: list[Impact]
) -> None:
    assert page_status(components, unresolved) == page_status(
        list(reversed(components)), list(reversed(unresolved))
    )


@given(statuses, impacts, st.sampled_from(list(ComponentStatus)))
def test_one_more_component_never_makes_the_banner_better(
    components: list[ComponentStatus], unresolved: list[Impact], extra: ComponentStatus
) -> None:
    before = page_status(components, unresolved).indicator
    after = page_status([*components, extra], unresolved).indicator
    assert SEVERITY.index(after) >= SEVERITY.index(before)


@given(statuses, impacts)
def test_the_description_always_matches_the_indicator(
    components: list[ComponentStatus], unresolved: list[Impact]
) -> None:
    status = page_status(components, unresolved)
    assert status.description == DESCRIPTIONS[status.indicator]


@given(statuses)
def test_maintenance_shows_only_when_nothing_is_broken(components: list[ComponentStatus]) -> None:
    indicator = page_status([*components, MAINTENANCE], []).indicator
    broken = any(s in {DEGRADED, PARTIAL, MAJOR} for s in components)
    assert (indicator is Indicator.MAINTENANCE) is not broken


@pytest.mark.parametrize("impact", list(Impact))
def test_an_impact_and_its_component_status_agree(impact: Impact) -> None:
    assert impact_from_components([COMPONENT_STATUS_FOR_IMPACT[impact]]) is impact


def test_the_default_component_statuses_follow_the_runbook() -> None:
    assert COMPONENT_STATUS_FOR_IMPACT[Impact.CRITICAL] is MAJOR
    assert COMPONENT_STATUS_FOR_IMPACT[Impact.MAJOR] is PARTIAL
    assert COMPONENT_STATUS_FOR_IMPACT[Impact.MINOR] is DEGRADED


def test_maintenance_gives_an_incident_no_impact() -> None:
    assert impact_from_components([MAINTENANCE, OK]) is Impact.NONE
    assert impact_from_components([]) is Impact.NONE


@given(statuses)
def test_the_impact_from_components_is_that_of_the_worst_outage(
    components: list[ComponentStatus],
) -> None:
    impact = impact_from_components(components)
    worst = page_status([s for s in components if s is not MAINTENANCE], []).indicator
    assert impact.value == worst.value


def test_resolved_and_postmortem_end_an_incident() -> None:
    assert {s for s in IncidentStatus if s.is_final} == {
        IncidentStatus.RESOLVED,
        IncidentStatus.POSTMORTEM,
    }


def test_in_progress_and_verifying_are_the_active_maintenance_states() -> None:
    assert {s for s in MaintenanceStatus if s.is_active} == {
        MaintenanceStatus.IN_PROGRESS,
        MaintenanceStatus.VERIFYING,
    }


def test_component_labels_are_words_people_read() -> None:
    assert PARTIAL.label == "Partial Outage"
    assert MAINTENANCE.label == "Under Maintenance"
