"""The checklist's rules: which duties a priority carries, and which entry fulfils which."""

from __future__ import annotations

from dataclasses import replace

from firehouse.guidance import checklist
from firehouse.guidance import policy as g
from firehouse.guidance.policy import DEFAULT_GUIDANCE, from_settings
from firehouse.incidents.policy import DEFAULT_POLICY


def items(priority: str, *, training: bool = False, private: bool = False) -> tuple[str, ...]:
    facts = checklist.Facts(DEFAULT_POLICY.level(priority), training=training, private=private)
    return checklist.items_for(DEFAULT_GUIDANCE, facts)


def test_a_p1_carries_every_duty_of_the_runbook_in_its_order() -> None:
    assert items("P1") == g.ITEM_KEYS


def test_a_p2_carries_no_postmortem_because_its_level_does_not_require_one() -> None:
    assert items("P2") == tuple(k for k in g.ITEM_KEYS if k not in checklist.POSTMORTEM_ITEMS)


def test_p3_and_p4_carry_their_short_lists() -> None:
    assert items("P3") == (
        g.COMMANDER_ASSIGNED,
        g.SEVERITY_CONFIRMED,
        g.FOLLOW_UPS_LINKED,
        g.FINAL_TIMELINE_ENTRY,
        g.PLAYBOOK_UPDATED,
    )
    assert items("P4") == (g.FOLLOW_UPS_LINKED, g.FINAL_TIMELINE_ENTRY)


def test_a_training_incident_follows_the_drill_list_whatever_its_level() -> None:
    drill = (g.CHANNEL_CREATED, g.COMMANDER_ASSIGNED, g.FINAL_TIMELINE_ENTRY)
    assert items("P5", training=True) == drill
    assert items("P1", training=True) == drill


def test_a_private_incident_carries_no_status_page_duty() -> None:
    assert not set(items("P1", private=True)) & checklist.STATUSPAGE_ITEMS
    assert g.POSTMORTEM_CREATED in items("P1", private=True)


def test_a_level_without_a_status_page_drops_its_duties_even_when_configured() -> None:
    policy = from_settings({"checklists": {"P4": list(g.ITEM_KEYS)}})
    facts = checklist.Facts(DEFAULT_POLICY.level("P4"))
    carried = checklist.items_for(policy, facts)
    assert not set(carried) & checklist.STATUSPAGE_ITEMS
    assert not set(carried) & checklist.POSTMORTEM_ITEMS
    assert g.CHANNEL_CREATED in carried


def test_without_a_status_page_in_use_no_status_page_duty_applies() -> None:
    facts = checklist.Facts(DEFAULT_POLICY.level("P1"), statuspage_in_use=False)
    carried = checklist.items_for(DEFAULT_GUIDANCE, facts)
    assert not set(carried) & checklist.STATUSPAGE_ITEMS
    assert g.POSTMORTEM_CREATED in carried


def test_a_level_with_a_public_impact_expects_the_status_page() -> None:
    level = replace(DEFAULT_POLICY.level("P4"), statuspage_impact="minor")
    assert checklist.expects_statuspage(checklist.Facts(level))
    assert not checklist.expects_statuspage(checklist.Facts(DEFAULT_POLICY.level("P4")))


def test_unknown_keys_in_the_config_are_ignored() -> None:
    policy = from_settings({"checklists": {"P4": ["final_timeline_entry", "water_plants"]}})
    facts = checklist.Facts(DEFAULT_POLICY.level("P4"))
    assert checklist.items_for(policy, facts) == (g.FINAL_TIMELINE_ENTRY,)


def test_each_entry_fulfils_its_item() -> None:
    cases = [
        ("chat.channel_created", None, {}, (g.CHANNEL_CREATED,)),
        ("chat.invited", None, {}, (g.RESPONDERS_INVITED,)),
        ("role_assigned", "incident.role_assigned", {"role": "commander"}, (g.COMMANDER_ASSIGNED,)),
        ("role_assigned", "incident.role_assigned", {"role": "responder"}, (g.RESPONDERS_INVITED,)),
        ("priority_changed", "incident.priority_changed", {}, (g.SEVERITY_CONFIRMED,)),
        ("resolved", "incident.resolved", {}, (g.FINAL_TIMELINE_ENTRY,)),
        ("link_added", "incident.link_added", {"link_kind": "follow_up"}, (g.FOLLOW_UPS_LINKED,)),
        ("link_added", "incident.link_added", {"link_kind": "playbook"}, (g.PLAYBOOK_UPDATED,)),
    ]
    for kind, event, data, expected in cases:
        assert checklist.completed_by_entry(kind, event, data) == expected, kind


def test_entries_that_fulfil_nothing_tick_nothing() -> None:
    assert checklist.completed_by_entry("note", "incident.timeline_entry_added", {}) == ()
    assert (
        checklist.completed_by_entry("link_added", "incident.link_added", {"link_kind": "bug"})
        == ()
    )
    role = {"role": "communications_lead"}
    assert checklist.completed_by_entry("role_assigned", "incident.role_assigned", role) == ()
    assert checklist.completed_by_entry("chat.summary_posted", None, {}) == ()


def test_a_resolved_public_incident_also_ends_the_update_duty() -> None:
    assert checklist.completed_by_public_incident(published=True, resolved=False) == (
        g.STATUSPAGE_PUBLISHED,
    )
    assert set(checklist.completed_by_public_incident(published=True, resolved=True)) == {
        g.STATUSPAGE_PUBLISHED,
        g.PUBLIC_INCIDENT_RESOLVED,
        g.STATUS_UPDATES,
    }


def test_a_priority_change_removes_only_open_items_the_new_level_lacks() -> None:
    current = {"a": checklist.OPEN, "b": checklist.DONE, "c": checklist.NOT_APPLICABLE}
    assert checklist.to_remove(current, ["d"]) == ["a"]
    assert checklist.to_add(current, ["a", "d"]) == ["d"]
