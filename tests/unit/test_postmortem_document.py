"""The postmortem's first draft, written from a realistic incident.

Regenerate the golden file after an intended change with
FIREHOUSE_REGENERATE_GOLDEN=1 pytest tests/unit/test_postmortem_document.py, and read the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from firehouse.guidance.postmortem import (
    EntryFact,
    IncidentFacts,
    LinkFact,
    PublicFact,
    add_business_days,
    duration_text,
    generate,
    mitigated_at,
    to_html,
)

GOLDEN = Path(__file__).parent.parent / "fixtures" / "postmortem_golden.md"
T0 = datetime(2026, 11, 26, 3, 2, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def outage() -> IncidentFacts:
    return IncidentFacts(
        number=42,
        message="The public website does not load",
        description="Every page answers 502 from the load balancer.",
        priority="P1",
        priority_label="P1 Critical",
        services=("Website",),
        commander="alice",
        detected_at=T0,
        acknowledged_at=at(4),
        resolved_at=at(95),
        resolution_note="Rolled back the release that exhausted the database pool.",
        entries=(
            EntryFact(T0, "alertmanager", "declared", "Declared P1 by alertmanager"),
            EntryFact(at(1), "firehouse", "channel", "Created #incident-42"),
            EntryFact(at(4), "alice", "acknowledged", "Acknowledged by alice"),
            EntryFact(at(4), "alice", "role_assigned", "alice is commander"),
            EntryFact(at(20), "bob", "note", "Database pool\nexhausted since the 02:55 deploy"),
            EntryFact(at(72), "bob", "mitigated", "Rolled back; pages load again"),
            EntryFact(at(95), "alice", "resolved", "Resolved: Rolled back the release"),
        ),
        follow_ups=(
            LinkFact("follow_up", "Alert on pool saturation", "https://jira.example/OPS-7"),
            LinkFact("bug", "Release [3.4] leaks connections", "https://github.example/i/9"),
            LinkFact("follow_up", "Load test before release", None, "open"),
        ),
        public=PublicFact("Website unavailable", "critical", at(9), at(97)),
    )


def test_the_draft_of_a_realistic_incident_matches_the_golden_file() -> None:
    document = generate(outage())
    if os.environ.get("FIREHOUSE_REGENERATE_GOLDEN"):
        GOLDEN.write_text(document, encoding="utf-8")
    assert document == GOLDEN.read_text(encoding="utf-8")


def test_mitigation_is_the_first_entry_marked_mitigated() -> None:
    assert mitigated_at(outage()) == at(72)


def test_mitigation_falls_back_to_the_resolution_without_such_an_entry() -> None:
    facts = outage()
    plain = IncidentFacts(
        **{**facts.__dict__, "entries": tuple(e for e in facts.entries if e.kind != "mitigated")}
    )
    assert mitigated_at(plain) == at(95)


def test_durations_read_in_hours_and_minutes() -> None:
    assert duration_text(timedelta(minutes=72)) == "1 h 12 min"
    assert duration_text(timedelta(minutes=45, seconds=59)) == "45 min"
    assert duration_text(timedelta(hours=2)) == "2 h"
    assert duration_text(timedelta(days=1, minutes=5)) == "1 d 5 min"
    assert duration_text(timedelta(seconds=20)) == "0 min"


def test_an_unresolved_incident_says_not_yet() -> None:
    facts = outage()
    open_one = IncidentFacts(**{**facts.__dict__, "resolved_at": None, "entries": ()})
    assert "- Time to resolve: not yet" in generate(open_one)


def test_business_days_skip_the_weekend() -> None:
    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert add_business_days(thursday, 2) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert add_business_days(saturday, 1) == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_raw_html_in_a_document_is_shown_as_text_never_run() -> None:
    html = to_html("# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
