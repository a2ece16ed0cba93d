"""firehouse drill start: a training drill from the terminal, optionally scripted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import fails, ok

EXAMPLE = Path(__file__).parents[2] / "examples" / "drills" / "checkout-outage.yaml"


def test_drill_start_prints_the_training_incident(server: str) -> None:
    out = ok("drill", "start", "--service", "website", "--message", "Practice run")
    assert out.startswith("drill started: incident #1 (training): Practice run")


def test_drill_start_with_the_example_scenario(server: str) -> None:
    incident = json.loads(ok("drill", "start", "--scenario", str(EXAMPLE), "--json"))
    assert (incident["priority"], incident["training"], incident["service"]) == (
        "P5",
        True,
        "website",
    )


def test_drill_start_names_the_faulty_line_of_a_scenario(server: str, tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: X\nservice: website\nsteps:\n  - {after: 1m, kind: page, text: x}\n")
    assert "scenario.steps[0].kind" in fails("drill", "start", "--scenario", str(scenario))


def test_drill_start_with_a_missing_file_says_so(server: str, tmp_path: Path) -> None:
    assert "cannot read" in fails("drill", "start", "--scenario", str(tmp_path / "none.yaml"))
