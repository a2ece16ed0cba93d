"""The reminder rules: when each nudge becomes due, how it repeats, and when it stops."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from firehouse.guidance.policy import (
    DEFAULT_GUIDANCE,
    FOLLOW_UPS_OPEN,
    NO_COMMANDER,
    POSTMORTEM_NOT_STARTED,
    PUBLIC_INCIDENT_OPEN,
    STATUS_UPDATE_DUE,
    ReminderRules,
)
from firehouse.guidance.reminders import (
    IncidentFacts,
    PublicFacts,
    Series,
    add_business_days,
    due_reminders,
    latest_point,
)

DECLARED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def facts(**changes: object) -> IncidentFacts:
    base = IncidentFacts(number=7, priority="P1", status="open", declared_at=DECLARED)
    return replace(base, **changes)  # type: ignore[arg-type]


def due_names(incident: IncidentFacts, now: datetime, **kwargs: object) -> dict[str, datetime]:
    found = due_reminders(incident, DEFAULT_GUIDANCE, now=now, **kwargs)  # type: ignore[arg-type]
    return {due.reminder: due.due_at for due in found}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def public(*, last_update: datetime | None = None, status: str = "investigating") -> PublicFacts:
    return PublicFacts(status=status, published_at=DECLARED, last_update_at=last_update)


# -- no commander -----------------------------------------------------------------------------


def test_no_commander_is_not_due_a_second_before_five_minutes() -> None:
    assert NO_COMMANDER not in due_names(facts(), DECLARED + minutes(5) - timedelta(seconds=1))


def test_no_commander_is_due_five_minutes_after_a_p1_is_declared() -> None:
    assert due_names(facts(), DECLARED + minutes(5))[NO_COMMANDER] == DECLARED + minutes(5)


def test_no_commander_keeps_its_due_time_between_its_repeats() -> None:
    assert due_names(facts(), DECLARED + minutes(9))[NO_COMMANDER] == DECLARED + minutes(5)


def test_no_commander_repeats_at_its_cadence() -> None:
    assert due_names(facts(), DECLARED + minutes(10))[NO_COMMANDER] == DECLARED + minutes(10)


def test_no_commander_stops_once_a_commander_is_assigned() -> None:
    assert NO_COMMANDER not in due_names(facts(commander="alice"), DECLARED + minutes(30))


def test_no_commander_stops_when_its_checklist_item_is_not_applicable() -> None:
    incident = facts(checklist={"commander_assigned": "not_applicable"})
    assert NO_COMMANDER not in due_names(incident, DECLARED + minutes(30))


def test_no_commander_is_not_due_for_a_p3() -> None:
    assert NO_COMMANDER not in due_names(facts(priority="P3"), DECLARED + minutes(30))


def test_no_commander_is_not_due_once_resolved() -> None:
    incident = facts(status="resolved", resolved_at=DECLARED + minutes(2))
    assert NO_COMMANDER not in due_names(incident, DECLARED + minutes(30))


def test_a_zero_cadence_turns_a_reminder_off() -> None:
    policy = replace(DEFAULT_GUIDANCE, reminders=ReminderRules(no_commander_minutes=0))
    found = due_reminders(facts(), policy, now=DECLARED + minutes(30))
    assert NO_COMMANDER not in {due.reminder for due in found}


# -- status updates ------------------------------------------------------------------------


def test_a_p1_public_incident_owes_an_update_thirty_minutes_after_the_last() -> None:
    incident = facts(commander="alice", public=public(last_update=DECLARED + minutes(10)))
    assert STATUS_UPDATE_DUE not in due_names(incident, DECLARED + minutes(39))
    assert due_names(incident, DECLARED + minutes(40))[STATUS_UPDATE_DUE] == DECLARED + minutes(40)


def test_a_p2_public_incident_owes_an_update_every_hour() -> None:
    incident = facts(priority="P2", commander="alice", public=public())
    assert STATUS_UPDATE_DUE not in due_names(incident, DECLARED + minutes(59))
    assert due_names(incident, DECLARED + minutes(125))[STATUS_UPDATE_DUE] == DECLARED + minutes(
        120
    )


def test_an_overdue_update_repeats_with_a_new_due_time_each_cadence() -> None:
    incident = facts(commander="alice", public=public())
    first = due_names(incident, DECLARED + minutes(31))[STATUS_UPDATE_DUE]
    second = due_names(incident, DECLARED + minutes(61))[STATUS_UPDATE_DUE]
    assert (first, second) == (DECLARED + minutes(30), DECLARED + minutes(60))


def test_no_update_is_owed_while_the_public_incident_is_a_draft() -> None:
    draft = PublicFacts(status="investigating", published_at=None, last_update_at=None)
    assert STATUS_UPDATE_DUE not in due_names(facts(public=draft), DECLARED + minutes(90))


def test_no_update_is_owed_once_the_public_incident_is_resolved() -> None:
    incident = facts(public=public(status="resolved"))
    assert STATUS_UPDATE_DUE not in due_names(incident, DECLARED + minutes(90))


# -- public incident still open after resolve ---------------------------------------------------


def test_a_resolved_incident_with_an_open_public_incident_is_nudged_after_fifteen_minutes() -> None:
    resolved = DECLARED + minutes(60)
    incident = facts(status="resolved", resolved_at=resolved, commander="alice", public=public())
    assert PUBLIC_INCIDENT_OPEN not in due_names(incident, resolved + minutes(14))
    assert due_names(incident, resolved + minutes(15))[PUBLIC_INCIDENT_OPEN] == resolved + minutes(
        15
    )


def test_the_public_incident_nudge_stops_when_the_public_incident_is_resolved() -> None:
    resolved = DECLARED + minutes(60)
    incident = facts(status="resolved", resolved_at=resolved, public=public(status="resolved"))
    assert PUBLIC_INCIDENT_OPEN not in due_names(incident, resolved + minutes(60))


def test_a_resolved_incident_owes_no_status_update() -> None:
    resolved = DECLARED + minutes(60)
    incident = facts(status="resolved", resolved_at=resolved, public=public())
    assert STATUS_UPDATE_DUE not in due_names(incident, resolved + minutes(60))


# -- postmortem ------------------------------------------------------------------------------


def test_a_postmortem_not_started_is_due_two_business_days_after_resolve() -> None:
    resolved = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # a Friday
    incident = facts(status="resolved", resolved_at=resolved, postmortem_required=True)
    tuesday = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert POSTMORTEM_NOT_STARTED not in due_names(incident, tuesday - timedelta(seconds=1))
    assert due_names(incident, tuesday)[POSTMORTEM_NOT_STARTED] == tuesday


def test_a_started_postmortem_needs_no_nudge() -> None:
    resolved = DECLARED + minutes(60)
    incident = facts(
        status="resolved", resolved_at=resolved, postmortem_required=True, postmortem_started=True
    )
    assert POSTMORTEM_NOT_STARTED not in due_names(incident, resolved + timedelta(days=10))


def test_no_postmortem_nudge_where_the_policy_requires_none() -> None:
    resolved = DECLARED + minutes(60)
    incident = facts(priority="P3", status="resolved", resolved_at=resolved)
    assert POSTMORTEM_NOT_STARTED not in due_names(incident, resolved + timedelta(days=10))


def test_business_days_skip_the_weekend() -> None:
    friday = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert add_business_days(friday, 1) == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def test_business_days_from_a_saturday_count_from_monday() -> None:
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert add_business_days(saturday, 2) == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


# -- follow-ups ------------------------------------------------------------------------------


def test_follow_ups_open_for_fourteen_days_are_nudged() -> None:
    created = DECLARED + timedelta(days=1)
    incident = facts(status="closed", resolved_at=DECLARED, open_follow_ups=(created,))
    later = created + timedelta(days=14)
    assert FOLLOW_UPS_OPEN not in due_names(incident, later - timedelta(seconds=1))
    assert due_names(incident, later)[FOLLOW_UPS_OPEN] == later


def test_no_follow_up_nudge_once_all_are_done() -> None:
    incident = facts(status="closed", resolved_at=DECLARED, open_follow_ups=())
    assert FOLLOW_UPS_OPEN not in due_names(incident, DECLARED + timedelta(days=60))


# -- snoozes and cadence -------------------------------------------------------------------


def test_a_snoozed_reminder_is_skipped_until_the_snooze_ends() -> None:
    until = DECLARED + minutes(20)
    found = due_names(facts(), DECLARED + minutes(19), snoozed_until={NO_COMMANDER: until})
    assert NO_COMMANDER not in found


def test_a_snoozed_reminder_fires_at_the_end_of_its_snooze() -> None:
    until = DECLARED + minutes(12)
    found = due_names(facts(), DECLARED + minutes(13), snoozed_until={NO_COMMANDER: until})
    assert found[NO_COMMANDER] == until


def test_a_reminder_never_repeats_faster_than_its_cadence() -> None:
    # the series moved (an older follow-up was closed): the next nudge still waits its cadence
    sent = DECLARED + timedelta(days=14)
    incident = facts(open_follow_ups=(DECLARED + timedelta(days=3),))
    found = due_names(incident, DECLARED + timedelta(days=17), last_due={FOLLOW_UPS_OPEN: sent})
    assert FOLLOW_UPS_OPEN not in found


@given(
    start_minute=st.integers(0, 10_000),
    every=st.integers(1, 10_000),
    elapsed=st.integers(0, 1_000_000),
)
def test_the_due_time_is_the_last_point_of_the_series_not_after_now(
    start_minute: int, every: int, elapsed: int
) -> None:
    start = DECLARED + minutes(start_minute)
    series = Series(start, minutes(every), "")
    now = start + timedelta(seconds=elapsed)
    point = latest_point(series, now)
    assert point is not None
    assert point <= now < point + series.every
    assert (point - start) % series.every == timedelta(0)
