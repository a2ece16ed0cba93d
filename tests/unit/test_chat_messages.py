"""What firehouse says in chat: the summary, the hand-off, announcements, the resolution."""

from __future__ import annotations

import dataclasses

import pytest

from firehouse.chat import messages
from firehouse.chat.messages import IncidentFacts

FACTS = IncidentFacts(
    number=12,
    url="https://firehouse.example.com/incidents/12",
    message="Partners cannot delete artworks",
    priority="P2",
    priority_name="High",
    service="Partner CMS",
    status="open",
    description="Since the 14:00 deploy.",
    commander="Carol Diaz",
)
NAMES = {"alice": "Alice Ng", "bob": "Bob Ortiz", "carol": "Carol Diaz"}


def test_the_incident_url_is_the_one_the_api_gives() -> None:
    assert messages.incident_url("https://f.example.com/", 3) == "https://f.example.com/incidents/3"


def test_the_summary_names_priority_service_status_and_roles() -> None:
    text = messages.summary(FACTS).text
    assert "*Incident 12: Partners cannot delete artworks*" in text
    for line in (
        "Priority: P2 · High",
        "Service: Partner CMS",
        "Status: open",
        "Commander: Carol Diaz",
        "Communications lead: unassigned",
    ):
        assert line in text


def test_the_summary_carries_description_links_and_the_incident_page() -> None:
    facts = dataclasses.replace(
        FACTS, links=(("bug", "https://jira.example.com/X-1", ""), ("other", "https://d", "Dash"))
    )
    message = messages.summary(facts)
    assert "Since the 14:00 deploy." in message.text
    assert "Bug: https://jira.example.com/X-1" in message.text
    assert "Dash: https://d" in message.text
    assert message.links[0] == ("Incident page", FACTS.url)


def test_the_summary_offers_fields_for_richer_layouts() -> None:
    assert ("Priority", "P2 · High") in messages.summary(FACTS).fields


def test_the_handoff_links_the_channel_and_directs_people_there() -> None:
    message = messages.handoff(number=12, channel_name="incident-12", channel_url="https://c/1")
    assert "#incident-12 https://c/1" in message.text
    assert "Please continue there" in message.text
    assert message.links == (("#incident-12", "https://c/1"),)


@pytest.mark.parametrize(
    ("event_type", "change", "expected"),
    [
        (
            "incident.priority_changed",
            {"from": "P3", "to": "P2"},
            "Priority changed from P3 to P2 · High — Alice Ng",
        ),
        (
            "incident.role_assigned",
            {"role": "commander", "person": "carol", "previous": "bob"},
            "Carol Diaz is now commander (was Bob Ortiz) — Alice Ng",
        ),
        (
            "incident.role_removed",
            {"role": "communications_lead", "person": "bob"},
            "Bob Ortiz is no longer communications lead — Alice Ng",
        ),
        (
            "incident.timeline_entry_added",
            {"text": "Rolled back"},
            "Timeline: Rolled back — Alice Ng",
        ),
        (
            "incident.link_added",
            {"link_kind": "follow_up", "url": "https://j/1"},
            "Linked follow-up: https://j/1 — Alice Ng",
        ),
        ("incident.acknowledged", {}, "Acknowledged — Alice Ng"),
        (
            "incident.updated",
            {"fields": ["description", "message"]},
            "Updated description, message — Alice Ng",
        ),
        (
            "incident.closed",
            {"text": "Closed: duplicate of 11"},
            "Closed: duplicate of 11 — Alice Ng",
        ),
        (
            "incident.reopened",
            {"text": "Reopened (was closed)"},
            "Reopened (was closed) — Alice Ng",
        ),
    ],
)
def test_each_change_is_announced_in_one_line(
    event_type: str, change: dict[str, object], expected: str
) -> None:
    message = messages.announcement(event_type, {**change, "actor": "alice"}, FACTS, NAMES)
    assert message is not None
    assert message.text == expected


def test_an_actor_who_is_no_person_is_shown_as_recorded() -> None:
    message = messages.announcement("incident.acknowledged", {"actor": "slack:U1"}, FACTS, NAMES)
    assert message is not None
    assert message.text == "Acknowledged — slack:U1"


@pytest.mark.parametrize("event_type", ["incident.declared", "incident.resolved", "other.thing"])
def test_events_with_their_own_message_are_not_announced(event_type: str) -> None:
    assert messages.announcement(event_type, {"actor": "alice"}, FACTS, NAMES) is None


def test_the_resolution_says_what_is_still_open() -> None:
    text = messages.resolution(FACTS, note="Rolled back", actor="Alice Ng").text
    assert text.startswith("*Resolved* by Alice Ng: Rolled back")
    assert "• Follow-ups: none linked yet" in text
    assert "• Status page: no public incident" in text
    assert "• Postmortem: not required for P2 · High" in text


def test_the_resolution_counts_follow_ups() -> None:
    links = (("follow_up", "https://j/1", ""), ("follow_up", "https://j/2", ""))
    text = messages.resolution(dataclasses.replace(FACTS, links=links), note="x", actor="a").text
    assert "• Follow-ups: 2 linked" in text


def test_the_resolution_reminds_of_a_required_postmortem_not_yet_linked() -> None:
    facts = dataclasses.replace(
        FACTS, priority="P1", priority_name="Critical", postmortem_required=True
    )
    text = messages.resolution(facts, note="x", actor="a").text
    assert "• Postmortem: required for P1 · Critical, not linked yet" in text


def test_the_resolution_shows_a_linked_postmortem() -> None:
    facts = dataclasses.replace(
        FACTS, postmortem_required=True, links=(("postmortem", "https://docs/pm", ""),)
    )
    message = messages.resolution(facts, note="x", actor="a")
    assert "• Postmortem: linked https://docs/pm" in message.text
    assert message.links == (("Postmortem", "https://docs/pm"),)


def test_the_resolution_post_says_what_the_status_page_still_needs() -> None:
    facts = dataclasses.replace(FACTS, statuspage="public incident still identified: resolve it")
    text = messages.resolution(facts, note="Fixed", actor="Alice").text
    assert "• Status page: public incident still identified: resolve it" in text
