"""Which status page events reach subscribers, and what the notice says: pure rules."""

from __future__ import annotations

from typing import Any

from firehouse.statuspage.notices import Notice, notice_of, wants

PAGE = {"name": "Example Status", "url": "https://status.example.com"}


def incident_payload(*, published: bool = True, body: str | None = "Looking into it") -> Any:
    update = None if body is None else {"id": "u1", "status": "identified", "body": body}
    return {
        "page": PAGE,
        "incident": {
            "id": "abc",
            "name": "Checkout errors",
            "status": "identified",
            "published_at": "2026-01-01T12:00:00+00:00" if published else None,
            "components": [{"id": "website", "name": "Website", "status": "partial_outage"}],
        },
        "update": update,
    }


def test_a_published_update_becomes_a_notice_naming_its_components() -> None:
    notice = notice_of("statuspage.incident_updated", incident_payload())
    assert notice is not None
    assert notice.title == "Checkout errors"
    assert notice.lines[0] == "Identified - Looking into it"
    assert notice.component_ids == {"website"}
    assert notice.link == "https://status.example.com/history#abc"


def test_a_draft_tells_nobody() -> None:
    assert notice_of("statuspage.incident_updated", incident_payload(published=False)) is None


def test_a_change_without_an_update_message_tells_nobody() -> None:
    assert notice_of("statuspage.incident_updated", incident_payload(body=None)) is None


def test_event_types_outside_the_list_tell_nobody() -> None:
    assert notice_of("statuspage.incident_drafted", incident_payload()) is None


def test_a_component_change_becomes_a_statuspage_component_update() -> None:
    payload = {
        "page": PAGE,
        "component": {"id": "api", "name": "Public API", "status": "major_outage"},
        "component_changes": [
            {"id": "api", "old_status": "operational", "new_status": "major_outage"}
        ],
    }
    notice = notice_of("statuspage.component_changed", payload)
    assert notice is not None
    assert notice.title == "Public API is major outage"
    update = notice.webhook["component_update"]
    assert (update["old_status"], update["new_status"]) == ("operational", "major_outage")


def test_an_unfiltered_subscriber_wants_everything() -> None:
    assert wants([], _notice({"website"}))


def test_a_filtered_subscriber_wants_only_its_components() -> None:
    assert wants(["website"], _notice({"website", "api"}))
    assert not wants(["api"], _notice({"website"}))


def test_a_notice_naming_no_component_concerns_every_subscriber() -> None:
    assert wants(["api"], _notice(set()))


def _notice(components: set[str]) -> Notice:
    return Notice(title="t", lines=(), component_ids=frozenset(components), link=None)
