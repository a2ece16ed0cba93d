"""The pure rules of the lifecycle: priorities, transitions, roles."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from firehouse.incidents.policy import (
    DEFAULT_POLICY,
    PRIORITIES,
    STATUSPAGE_IMPACTS,
    Role,
    Status,
    can_transition,
    is_training,
    transition_refusal,
)


def test_the_default_policy_has_five_levels_in_order() -> None:
    assert [level.priority for level in DEFAULT_POLICY.ordered()] == list(PRIORITIES)
    assert [level.name for level in DEFAULT_POLICY.ordered()] == [
        "Critical",
        "High",
        "Moderate",
        "Low",
        "Informational",
    ]


def test_public_impact_follows_severity_and_stops_at_p4() -> None:
    impacts = [level.statuspage_impact for level in DEFAULT_POLICY.ordered()]
    assert impacts == ["critical", "major", "minor", "none", "none"]
    assert all(impact in STATUSPAGE_IMPACTS for impact in impacts)
    expected = [level.statuspage_update_expected for level in DEFAULT_POLICY.ordered()]
    assert expected == [True, True, True, False, False]


def test_only_critical_incidents_require_a_postmortem() -> None:
    assert [p.priority for p in DEFAULT_POLICY.ordered() if p.postmortem_required] == ["P1"]


def test_every_level_explains_itself_with_guidance_and_examples() -> None:
    for level in DEFAULT_POLICY.ordered():
        assert len(level.guidance) > 40
        assert level.examples


def test_open_incidents_may_be_resolved_or_closed() -> None:
    assert can_transition(Status.OPEN, Status.RESOLVED)
    assert can_transition(Status.OPEN, Status.CLOSED)


def test_resolved_and_closed_incidents_only_reopen() -> None:
    for ended in (Status.RESOLVED, Status.CLOSED):
        allowed = {target for target in Status if can_transition(ended, target)}
        assert allowed == {Status.OPEN}


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_every_refused_transition_says_why(current: Status, target: Status) -> None:
    if not can_transition(current, target):
        reason = transition_refusal(current, target)
        assert current.value in reason
        assert target.value in reason or "already" in reason


@given(st.sampled_from(PRIORITIES), st.one_of(st.none(), st.booleans()))
def test_training_is_forced_by_training_levels_and_otherwise_requested(
    priority: str, requested: bool | None
) -> None:
    training = is_training(DEFAULT_POLICY, priority, requested)
    if DEFAULT_POLICY.level(priority).training_only:
        assert training is True
    else:
        assert training is bool(requested)


def test_only_responders_may_be_many() -> None:
    assert [role for role in Role if not role.single_holder] == [Role.RESPONDER]
