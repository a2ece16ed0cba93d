"""Routing: first matching rule wins, else the default; time rules use the team's hours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from firehouse.alerts.business_hours import BusinessHours
from firehouse.alerts.events import Action, AlertEvent, Source
from firehouse.alerts.routing import Match, RoutingRules, Rule, decide, matches, rules_from_mapping

MONDAY_NOON = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
SUNDAY_NIGHT = datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
HOURS = {"platform": BusinessHours.of(timezone="UTC", days=["mon"], start="09:00", end="18:00")}
TEAMS = {"website": "platform", "cms": None}


def event(**fields: Any) -> AlertEvent:
    defaults: dict[str, Any] = {
        "source": Source.ALERTMANAGER,
        "action": Action.TRIGGER,
        "fingerprint": "abc",
        "summary": "Disk full",
        "labels": {"severity": "critical", "service": "website"},
        "service": "website",
    }
    return AlertEvent(**{**defaults, **fields})


def route(rules: RoutingRules, alert: AlertEvent, now: datetime = MONDAY_NOON) -> Any:
    return decide(rules, alert, now=now, business_hours=HOURS, service_team=TEAMS)


def rule(name: str, action: str = "record", **fields: Any) -> Rule:
    return Rule(name=name, action=action, **fields)


def test_the_first_matching_rule_wins() -> None:
    rules = RoutingRules(
        rules=(
            rule("critical", "incident", match=Match(labels={"severity": "critical"})),
            rule("everything", "channel"),
        )
    )
    decision = route(rules, event())
    assert (decision.rule, decision.action) == ("critical", "incident")


def test_no_matching_rule_takes_the_default() -> None:
    rules = RoutingRules(
        rules=(rule("warn", match=Match(labels={"severity": "warning"})),), default="channel"
    )
    decision = route(rules, event())
    assert (decision.rule, decision.action) == (None, "channel")


def test_regex_must_match_the_whole_value() -> None:
    assert matches(Match(regex={"alertname": "Disk.*"}), event(labels={"alertname": "DiskFull"}))
    assert not matches(Match(regex={"alertname": "Disk"}), event(labels={"alertname": "DiskFull"}))


def test_present_needs_a_non_empty_value() -> None:
    assert matches(Match(present=("team",)), event(labels={"team": "a"}))
    assert not matches(Match(present=("team",)), event(labels={"team": ""}))
    assert not matches(Match(present=("team",)), event(labels={}))


def test_a_match_key_falls_back_to_the_alerts_fields() -> None:
    pagerduty = event(source=Source.PAGERDUTY, labels={}, severity="critical")
    assert matches(Match(labels={"severity": "critical"}), pagerduty)


def test_labels_take_precedence_over_fields() -> None:
    alert = event(labels={"summary": "from label"}, summary="from field")
    assert matches(Match(labels={"summary": "from label"}), alert)


def test_source_restricts_a_rule_to_one_format() -> None:
    assert not matches(Match(source="opsgenie"), event())
    assert matches(Match(source="alertmanager"), event())


def test_an_incident_takes_the_rules_priority_then_the_alerts_then_p3() -> None:
    with_priority = RoutingRules(rules=(rule("r", "incident", priority="P1"),))
    without = RoutingRules(rules=(rule("r", "incident"),))
    assert route(with_priority, event(priority="P4")).priority == "P1"
    assert route(without, event(priority="P4")).priority == "P4"
    assert route(without, event()).priority == "P3"


def test_the_rules_service_overrides_the_alerts() -> None:
    rules = RoutingRules(rules=(rule("r", "incident", service="cms"),))
    assert route(rules, event()).service == "cms"


def test_a_business_hours_rule_is_skipped_outside_hours() -> None:
    rules = RoutingRules(rules=(rule("day", "channel", during="business_hours"),), default="record")
    assert route(rules, event()).rule == "day"
    assert route(rules, event(), SUNDAY_NIGHT).rule is None


def test_an_outside_hours_rule_applies_only_outside_hours() -> None:
    rules = RoutingRules(rules=(rule("night", "incident", during="outside_business_hours"),))
    assert route(rules, event(), SUNDAY_NIGHT).rule == "night"
    assert route(rules, event()).rule is None


def test_business_hours_only_records_instead_of_posting_outside_hours() -> None:
    rules = RoutingRules(rules=(rule("post", "channel", business_hours_only=True),))
    night = route(rules, event(), SUNDAY_NIGHT)
    assert (night.action, night.in_business_hours, night.business_hours_only) == (
        "record",
        False,
        True,
    )
    assert route(rules, event()).action == "channel"


def test_a_service_without_hours_counts_as_within_them() -> None:
    rules = RoutingRules(rules=(rule("day", "channel", during="business_hours"),))
    assert route(rules, event(service="cms"), SUNDAY_NIGHT).rule == "day"


def test_rules_read_back_from_the_stored_config() -> None:
    stored = {
        "rules": [
            {
                "name": "critical",
                "match": {"labels": {"severity": "critical"}, "regex": {}, "present": []},
                "during": "always",
                "action": "incident",
                "priority": "P2",
                "service": None,
                "business_hours_only": False,
            }
        ],
        "default": "drop",
        "business_hours": {"platform": {"timezone": "UTC", "days": ["mon"]}},
    }
    rules = rules_from_mapping(stored)
    assert route(rules, event()).priority == "P2"
    assert rules.default == "drop"
    assert "platform" in rules.business_hours


# -- properties ------------------------------------------------------------------------------

label_values = st.sampled_from(["critical", "warning", "info"])
actions = st.sampled_from(["incident", "channel", "record", "drop"])
rule_lists = st.lists(st.tuples(label_values, actions), max_size=6)


def build(specs: list[tuple[str, str]], default: str = "record") -> RoutingRules:
    return RoutingRules(
        rules=tuple(
            rule(f"r{index}", action, match=Match(labels={"severity": value}))
            for index, (value, action) in enumerate(specs)
        ),
        default=default,
    )


@given(rule_lists, label_values)
def test_the_decision_is_the_first_rule_whose_match_holds(
    specs: list[tuple[str, str]], severity: str
) -> None:
    decision = route(build(specs), event(labels={"severity": severity}))
    first = next((i for i, (value, _) in enumerate(specs) if value == severity), None)
    if first is None:
        assert (decision.rule, decision.action) == (None, "record")
    else:
        assert (decision.rule, decision.action) == (f"r{first}", specs[first][1])


@given(rule_lists, rule_lists, label_values)
def test_rules_after_a_match_never_change_the_decision(
    head: list[tuple[str, str]], tail: list[tuple[str, str]], severity: str
) -> None:
    alert = event(labels={"severity": severity})
    before = route(build(head), alert)
    if before.rule is not None:
        assert route(build(head + tail), alert) == before


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), label_values, max_size=3), label_values)
def test_an_empty_match_holds_for_every_alert(labels: dict[str, str], severity: str) -> None:
    assert matches(Match(), event(labels={**labels, "severity": severity}))


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), label_values, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), label_values, max_size=3),
)
def test_a_match_holds_exactly_when_every_label_condition_does(
    wanted: dict[str, str], labels: dict[str, str]
) -> None:
    expected = all(labels.get(name) == value for name, value in wanted.items())
    assert matches(Match(labels=wanted), event(labels=labels, service=None)) == expected
