"""Converting OpsGenie and PagerDuty records into firehouse.yaml: what maps, and that what
does not is reported rather than dropped. Payloads are the emulators' captured shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import yaml

from firehouse.catalog.config import parse_config
from firehouse.importers import mapping_opsgenie, mapping_pagerduty
from firehouse.importers.fragment import Ids, ImportResult, render_report, render_yaml, slugify
from firehouse.importers.mapping_common import length_from_hours
from tests.fakes import opsgenie_sample, pagerduty_sample

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def opsgenie() -> ImportResult:
    return mapping_opsgenie.map_account(opsgenie_sample.sample_account(NOW), NOW)


def pagerduty() -> ImportResult:
    return mapping_pagerduty.map_account(pagerduty_sample.sample_account(NOW), NOW)


def entry(result: ImportResult, section: str, entry_id: str) -> dict[str, object]:
    return next(e for e in result.sections[section] if e["id"] == entry_id)


def notes(result: ImportResult) -> list[str]:
    return [f"{n.subject}: {n.message}" for n in result.unmapped + result.differences]


def layers(result: ImportResult, schedule: str) -> dict[str, dict[str, object]]:
    found = entry(result, "schedules", schedule)["layers"]
    assert isinstance(found, list)
    return {layer["name"]: layer for layer in found}


# ids ----------------------------------------------------------------------------------------
def test_slugify_folds_accents_and_dashes_everything_else() -> None:
    assert slugify("Légacy Billing!") == "legacy-billing"
    assert slugify("ada.lovelace+oncall") == "ada-lovelace-oncall"
    assert slugify("!!!", "person") == "person"


def test_ids_stay_unique_within_a_section() -> None:
    people = Ids("person")
    assert [people.assign("a", "maya"), people.assign("b", "Maya")] == ["maya", "maya-2"]
    assert people.get("b") == "maya-2"


@pytest.mark.parametrize(
    ("hours", "length"),
    [(24, "daily"), (168, "weekly"), (336, "14d"), (8, "8h"), (36, "36h"), (0, None)],
)
def test_turn_lengths_become_firehouse_rotations(hours: int, length: str | None) -> None:
    assert length_from_hours(hours) == length


# OpsGenie -----------------------------------------------------------------------------------
@pytest.mark.parametrize("result", [opsgenie, pagerduty], ids=["opsgenie", "pagerduty"])
def test_the_fragment_is_a_valid_firehouse_yaml_with_an_organisation(
    result: Callable[[], ImportResult],
) -> None:
    text = render_yaml(result(), NOW)
    config, problems = parse_config("organisation: {name: Northlight}\n" + text)
    assert problems == []
    assert config is not None


def test_opsgenie_users_become_people_with_ids_from_their_email_and_phones_in_e164() -> None:
    result = opsgenie()
    assert entry(result, "people", "maya") == {
        "id": "maya",
        "name": "Maya Okafor",
        "email": "maya@northlight.example",
        "phone": "+447700900101",
    }
    assert entry(result, "people", "maya-2")["email"] == "maya@contractors.example"


def test_an_opsgenie_weekly_rotation_hands_over_at_its_start_in_the_schedule_time_zone() -> None:
    primary = layers(opsgenie(), "platform-on-call")["primary"]
    assert primary == {
        "name": "primary",
        "people": ["maya", "jonas", "priya", "tomas"],
        "rotation": "weekly",
        "handoff": "10:00",
        "handoff_day": "mon",
        "start": date(2026, 1, 5),
    }


def test_an_opsgenie_hourly_rotation_of_twelve_becomes_12h_in_local_time() -> None:
    nights = layers(opsgenie(), "commerce-nights")["nights"]
    assert (nights["rotation"], nights["handoff"]) == ("12h", "18:00")


def test_opsgenie_team_and_empty_participants_are_reported_not_kept() -> None:
    result = opsgenie()
    assert layers(result, "platform-on-call")["business-hours"]["people"] == ["priya"]
    assert any("team participant 'Commerce'" in note for note in notes(result))
    assert any("none participant" in note for note in notes(result))


def test_an_opsgenie_time_restriction_is_reported_as_a_difference() -> None:
    assert any(
        "'Business hours'" in n.subject and "monday 09:00 to friday 17:00" in n.message
        for n in opsgenie().differences
    )


def test_an_ended_opsgenie_rotation_is_left_out_and_reported() -> None:
    result = opsgenie()
    assert "old-pilot" not in layers(result, "platform-on-call")
    assert any("'Old pilot'" in n.subject and "ended" in n.message for n in result.unmapped)


def test_opsgenie_escalation_delays_from_the_alert_become_waits_between_steps() -> None:
    policy = entry(opsgenie(), "escalation_policies", "platform_escalation")
    assert policy["repeat"] == 2
    assert policy["steps"] == [
        {"notify": [{"schedule": "platform-on-call"}], "wait_minutes": 5},
        {"notify": [{"schedule": "platform-on-call"}], "wait_minutes": 10},
        {"notify": [{"person": "maya"}, {"team": "commerce"}], "wait_minutes": 10},
    ]


def test_an_opsgenie_team_recipient_is_kept_and_its_point_people_meaning_reported() -> None:
    assert any("point-people" in n.message for n in opsgenie().differences)


def test_opsgenie_teams_page_through_the_escalation_they_own() -> None:
    assert entry(opsgenie(), "teams", "platform")["escalation_policy"] == "platform_escalation"


def test_opsgenie_services_keep_their_team_and_an_unknown_team_is_reported() -> None:
    result = opsgenie()
    assert entry(result, "services", "website")["team"] == "platform"
    assert "team" not in entry(result, "services", "legacy-billing")
    assert any("owning team" in n.message for n in result.unmapped)


def test_only_future_opsgenie_overrides_become_commands_one_per_overridden_layer() -> None:
    commands = [o.command for o in opsgenie().overrides]
    assert len(commands) == 4  # one on primary, one over all three layers; the past one none
    assert commands[0] == (
        "firehouse oncall override platform-on-call --layer primary --person jonas "
        "--start 2026-03-11T12:00Z --end 2026-03-12T12:00Z "
        "--reason 'Imported from OpsGenie override c7f8a1b2-override-jonas'"
    )


# PagerDuty ----------------------------------------------------------------------------------
def test_a_pagerduty_weekly_layer_maps_exactly() -> None:
    layer = layers(pagerduty(), "platform-primary")["layer-1"]
    assert (layer["people"], layer["rotation"], layer["handoff"], layer["handoff_day"]) == (
        ["maya", "jonas", "priya"],
        "weekly",
        "10:00",
        "mon",
    )


def test_a_pagerduty_layer_starting_mid_rotation_counts_turns_from_its_virtual_start() -> None:
    """Seven 12-hour turns pass between the virtual start and the start: Kenji's turn."""
    day = layers(pagerduty(), "mobile-follow-the-sun")["day-shift"]
    assert (day["people"], day["rotation"], day["handoff"]) == (["kenji", "leah"], "12h", "20:00")
    assert day["start"] == date(2026, 3, 4)


def test_pagerduty_restrictions_ended_layers_and_odd_turns_are_reported() -> None:
    result = pagerduty()
    assert set(layers(result, "mobile-follow-the-sun")) == {"day-shift", "weekday-cover"}
    text = "\n".join(notes(result))
    assert "daily 08:00 for 9h" in text
    assert "'Old layer': ended" in text
    assert "turn of 5400 seconds" in text
    assert "has 2 layers" in text


def test_a_pagerduty_rule_with_no_known_target_gives_its_wait_to_the_step_before() -> None:
    policy = entry(pagerduty(), "escalation_policies", "mobile")
    assert [step["wait_minutes"] for step in policy["steps"]] == [25, 30]  # type: ignore[union-attr]
    assert policy["repeat"] == 10
    assert any("repeats 12 times" in note for note in notes(pagerduty()))


def test_pagerduty_services_keep_their_policy_and_team() -> None:
    service = entry(pagerduty(), "services", "website")
    assert (service["team"], service["escalation_policy"]) == ("platform", "platform")


def test_a_running_pagerduty_override_is_recreated_from_now() -> None:
    commands = [o.command for o in pagerduty().overrides]
    assert any(
        "--person jonas --start 2026-03-10T12:00Z --end 2026-03-10T18:00Z" in c for c in commands
    )


# rendering ----------------------------------------------------------------------------------
def test_each_entry_in_the_yaml_names_its_source_record() -> None:
    text = render_yaml(pagerduty(), NOW)
    assert (
        "  # PagerDuty schedule 'Platform Primary' (id PI7DH85)\n  - id: platform-primary" in text
    )
    assert yaml.safe_load(text)["teams"][0]["members"] == ["maya", "jonas", "priya"]


def test_the_report_lists_every_unmapped_record_and_override_command() -> None:
    result = opsgenie()
    report = render_report(result, NOW, "firehouse.import.yaml")
    for note in result.unmapped + result.differences:
        assert note.message in report
    for override in result.overrides:
        assert override.command in report
