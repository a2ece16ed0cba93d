"""Scenario files: parsed into timed steps, or refused naming the path of the value at fault."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from firehouse.errors import InvalidInput
from firehouse.guidance.scenario import parse

EXAMPLE = Path(__file__).parents[2] / "examples" / "drills" / "checkout-outage.yaml"


def refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        parse(text)
    return refused.value


def test_the_example_scenario_parses_into_ordered_steps() -> None:
    scenario = parse(EXAMPLE.read_text())
    assert (scenario.name, scenario.service) == ("Checkout outage", "website")
    assert [step.kind for step in scenario.steps][:3] == ["alert", "message", "alert"]
    assert scenario.steps[0].after == timedelta(minutes=1)
    assert scenario.steps[0].severity == "critical"


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("90s", timedelta(seconds=90)),
        ("2m", timedelta(minutes=2)),
        ("1h30m", timedelta(minutes=90)),
    ],
)
def test_durations_are_written_in_hours_minutes_and_seconds(written: str, meant: timedelta) -> None:
    scenario = parse(f"name: x\nsteps:\n  - {{after: {written}, kind: note, text: hi}}\n")
    assert scenario.steps[0].after == meant


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("name: x\nsteps: []\n", "scenario.steps"),
        ("steps:\n  - {after: 1m, kind: note, text: hi}\n", "scenario.name"),
        ("name: x\nsteps:\n  - {after: 1m, kind: page, text: hi}\n", "scenario.steps[0].kind"),
        ("name: x\nsteps:\n  - {after: 25h, kind: note, text: hi}\n", "scenario.steps[0].after"),
        ("name: x\nsteps:\n  - {after: 1m, kind: note}\n", "scenario.steps[0].text"),
        ("name: x\nsteps:\n  - {after: 1m, kind: alert}\n", "scenario.steps[0].summary"),
        (
            "name: x\nsteps:\n  - {after: 1m, kind: note, text: a, severity: b}\n",
            "scenario.steps[0].severity",
        ),
        ("name: x\nwhen: now\nsteps:\n  - {after: 1m, kind: note, text: a}\n", "scenario.when"),
        ("name: [unclosed\n", "scenario"),
        ("just text", "scenario"),
    ],
)
def test_a_bad_scenario_names_the_path_at_fault(text: str, field: str) -> None:
    assert refusal(text).field == field


def test_invalid_yaml_names_the_line() -> None:
    assert "line 2" in refusal("name: x\nsteps: [: :\n").message
