"""The checklist over the API: GET /api/v1/incidents/{n}/checklist and POST …/checklist/{key}.

Automatic ticks are driven through the real routes that perform each duty."""

from __future__ import annotations

from typing import Any

import pytest

from firehouse.auth.service import create_token
from firehouse.guidance import policy as g
from tests.api.client import Api, error_fields
from tests.api.web_support import add_user, browser_for, post_form
from tests.service.statuspage_support import add_components, subscribe_flow


def checklist(api: Api, number: int = 1, *, role: str = "viewer") -> dict[str, Any]:
    response = api.get(f"/api/v1/incidents/{number}/checklist", role=role)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def states(api: Api, number: int = 1, *, role: str = "viewer") -> dict[str, str]:
    return {item["key"]: item["state"] for item in checklist(api, number, role=role)["items"]}


def item(api: Api, key: str, number: int = 1) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in checklist(api, number)["items"] if i["key"] == key)
    return found


def change(api: Api, key: str, body: dict[str, Any], number: int = 1, **kw: Any) -> Any:
    return api.post(f"/api/v1/incidents/{number}/checklist/{key}", body, **kw)


def run_flow(api: Api) -> None:
    api.app.state.runtime.dispatcher.run_until_idle()


# -- what each incident carries ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        ("P1", list(g.ITEM_KEYS)),
        ("P2", [k for k in g.ITEM_KEYS if k not in {g.POSTMORTEM_CREATED, g.POSTMORTEM_COMPLETED}]),
        (
            "P3",
            [
                g.COMMANDER_ASSIGNED,
                g.SEVERITY_CONFIRMED,
                g.FOLLOW_UPS_LINKED,
                g.FINAL_TIMELINE_ENTRY,
                g.PLAYBOOK_UPDATED,
            ],
        ),
        ("P4", [g.FOLLOW_UPS_LINKED, g.FINAL_TIMELINE_ENTRY]),
        ("P5", [g.CHANNEL_CREATED, g.COMMANDER_ASSIGNED, g.FINAL_TIMELINE_ENTRY]),
    ],
)
def test_a_declared_incident_carries_the_items_of_its_priority(
    api: Api, priority: str, expected: list[str]
) -> None:
    add_components(api.db, api.clock.now())
    api.declare(priority=priority)
    found = checklist(api)
    assert [i["key"] for i in found["items"]] == expected
    assert (found["done"], found["total"]) == (0, len(expected))
    first = found["items"][0]
    assert set(first) == {
        "key",
        "label",
        "state",
        "note",
        "automatic",
        "completed_at",
        "completed_by",
    }
    assert first["label"] == g.LABELS[expected[0]]


def test_a_private_incident_carries_no_status_page_items(api: Api) -> None:
    add_components(api.db, api.clock.now())
    api.declare(priority="P1", private=True, commander="alice")
    keys = set(states(api, role="admin"))
    assert g.STATUSPAGE_PUBLISHED not in keys
    assert g.POSTMORTEM_CREATED in keys


# -- automatic ticks -----------------------------------------------------------------------------


def test_declaring_with_a_commander_ticks_commander_assigned_automatically(api: Api) -> None:
    api.declare(priority="P1", commander="alice")
    ticked = item(api, g.COMMANDER_ASSIGNED)
    assert (ticked["state"], ticked["automatic"]) == ("done", True)
    assert ticked["completed_at"] is not None
    assert ticked["completed_by"] is not None


def test_assigning_a_responder_ticks_responders_invited(api: Api) -> None:
    api.declare(priority="P2")
    assert api.act(1, "roles", {"role": "responder", "person": "bob"}).status_code == 200
    assert item(api, g.RESPONDERS_INVITED)["state"] == "done"
    assert item(api, g.COMMANDER_ASSIGNED)["state"] == "open"


def test_changing_the_priority_ticks_severity_confirmed(api: Api) -> None:
    api.declare(priority="P2")
    assert api.patch("/api/v1/incidents/1", {"priority": "P1"}).status_code == 200
    assert item(api, g.SEVERITY_CONFIRMED)["automatic"] is True


def test_linking_a_follow_up_and_a_playbook_ticks_their_items(api: Api) -> None:
    api.declare(priority="P2")
    api.act(1, "links", {"url": "https://bugs.example.com/1", "kind": "follow_up"})
    api.act(1, "links", {"url": "https://wiki.example.com/run", "kind": "playbook"})
    found = states(api)
    assert (found[g.FOLLOW_UPS_LINKED], found[g.PLAYBOOK_UPDATED]) == ("done", "done")


def test_resolving_ticks_the_final_timeline_entry(api: Api) -> None:
    api.declare(priority="P4")
    assert api.act(1, "resolve", {"note": "Rolled back"}).status_code == 200
    assert states(api) == {g.FOLLOW_UPS_LINKED: "open", g.FINAL_TIMELINE_ENTRY: "done"}


def test_publishing_and_resolving_the_public_incident_tick_the_status_page_items(
    api: Api,
) -> None:
    add_components(api.db, api.clock.now())
    subscribe_flow(api.db)
    api.declare(priority="P2")
    run_flow(api)
    public_id = api.incident(1)["statuspage"]["id"]
    assert states(api)[g.STATUSPAGE_PUBLISHED] == "open"  # a draft is not published
    published = api.post(f"/api/v1/statuspage/incidents/{public_id}/publish")
    assert published.status_code == 200, published.text
    assert states(api)[g.STATUSPAGE_PUBLISHED] == "done"
    api.post(f"/api/v1/statuspage/incidents/{public_id}/resolve", {"message": "Fixed."})
    found = states(api)
    assert (found[g.PUBLIC_INCIDENT_RESOLVED], found[g.STATUS_UPDATES]) == ("done", "done")


# -- by hand -------------------------------------------------------------------------------------


def test_a_responder_marks_an_item_done_with_a_note(api: Api) -> None:
    api.declare(priority="P2")
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "done", "note": "Added DNS steps"})
    assert response.status_code == 200, response.text
    done = item(api, g.PLAYBOOK_UPDATED)
    assert (done["state"], done["note"], done["automatic"]) == ("done", "Added DNS steps", False)
    assert checklist(api)["done"] == 1
    assert "checklist" in api.timeline_kinds(1)


def test_an_item_is_set_aside_with_a_reason_and_reopened(api: Api) -> None:
    api.declare(priority="P2")
    reason = {"state": "not_applicable", "note": "No follow-up work"}
    assert change(api, g.FOLLOW_UPS_LINKED, reason).status_code == 200
    assert item(api, g.FOLLOW_UPS_LINKED)["state"] == "not_applicable"
    assert change(api, g.FOLLOW_UPS_LINKED, {"state": "open"}).status_code == 200
    reopened = item(api, g.FOLLOW_UPS_LINKED)
    assert (reopened["state"], reopened["completed_at"]) == ("open", None)


def test_severity_is_confirmed_by_hand_without_a_note(api: Api) -> None:
    api.declare(priority="P2")
    assert change(api, g.SEVERITY_CONFIRMED, {"state": "done"}).status_code == 200
    assert item(api, g.SEVERITY_CONFIRMED)["note"] == "Severity confirmed at P2"


def test_done_without_a_note_is_422_naming_note(api: Api) -> None:
    api.declare(priority="P2")
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "done", "note": "  "})
    assert response.status_code == 422
    assert error_fields(response) == ["note"]
    assert item(api, g.PLAYBOOK_UPDATED)["state"] == "open"


def test_not_applicable_without_a_reason_is_422_naming_note(api: Api) -> None:
    api.declare(priority="P2")
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "not_applicable"})
    assert response.status_code == 422
    assert error_fields(response) == ["note"]


def test_an_unknown_state_is_422_naming_state(api: Api) -> None:
    api.declare(priority="P2")
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "finished", "note": "x"})
    assert response.status_code == 422
    assert error_fields(response) == ["state"]


def test_an_item_the_incident_does_not_carry_is_422_naming_key(api: Api) -> None:
    api.declare(priority="P4")
    response = change(api, g.POSTMORTEM_CREATED, {"state": "done", "note": "x"})
    assert response.status_code == 422
    assert error_fields(response) == ["key"]


def test_an_unknown_incident_is_404(api: Api) -> None:
    assert api.get("/api/v1/incidents/9/checklist").status_code == 404
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "done", "note": "x"}, number=9)
    assert response.status_code == 404


def test_a_viewer_cannot_change_an_item(api: Api) -> None:
    api.declare(priority="P2")
    response = change(api, g.PLAYBOOK_UPDATED, {"state": "done", "note": "x"}, role="viewer")
    assert response.status_code == 403


def test_a_private_incident_is_404_for_an_outsider_and_readable_by_its_participant(
    api: Api,
) -> None:
    with api.db.write() as session:
        for name in ("alice", "dan"):
            _row, api.tokens[name] = create_token(
                session, name=name, role="responder", now=api.clock.now(), person=name
            )
    api.declare(priority="P1", private=True, commander="alice")
    assert api.get("/api/v1/incidents/1/checklist", role="dan").status_code == 404
    body = {"state": "done", "note": "x"}
    assert change(api, g.PLAYBOOK_UPDATED, body, role="dan").status_code == 404
    assert checklist(api, role="alice")["total"] > 0


def test_making_an_incident_private_drops_its_open_status_page_items(api: Api) -> None:
    add_components(api.db, api.clock.now())
    api.declare(priority="P2", commander="alice")
    assert g.STATUSPAGE_PUBLISHED in states(api)
    response = api.patch("/api/v1/incidents/1", {"private": True}, role="admin")
    assert response.status_code == 200, response.text
    assert g.STATUSPAGE_PUBLISHED not in states(api, role="admin")


# -- priority changes ----------------------------------------------------------------------------


def test_without_a_status_page_an_incident_carries_no_status_page_items(api: Api) -> None:
    api.declare(priority="P1")
    keys = set(states(api))
    assert g.STATUSPAGE_PUBLISHED not in keys
    assert g.CHANNEL_CREATED in keys


def test_raising_the_priority_adds_items_and_lowering_keeps_the_settled_ones(api: Api) -> None:
    add_components(api.db, api.clock.now())
    api.declare(priority="P4")
    change(api, g.FOLLOW_UPS_LINKED, {"state": "done", "note": "FIRE-12"})
    api.patch("/api/v1/incidents/1", {"priority": "P1"})
    raised = states(api)
    assert set(raised) == set(g.ITEM_KEYS)
    assert raised[g.FOLLOW_UPS_LINKED] == "done"
    change(api, g.PLAYBOOK_UPDATED, {"state": "not_applicable", "note": "no playbook"})
    api.patch("/api/v1/incidents/1", {"priority": "P4"})
    assert states(api) == {
        g.SEVERITY_CONFIRMED: "done",
        g.FOLLOW_UPS_LINKED: "done",
        g.FINAL_TIMELINE_ENTRY: "open",
        g.PLAYBOOK_UPDATED: "not_applicable",
    }


# -- the web panel -------------------------------------------------------------------------------


def web_change(api: Api, who: str, key: str, form: dict[str, str]) -> Any:
    client = browser_for(api, who)
    return post_form(client, f"/incidents/1/checklist/{key}", form, page="/incidents/1")


def test_the_incident_page_shows_the_checklist_panel(api: Api) -> None:
    add_user(api, "alice", role="responder", person="alice")
    api.declare(priority="P4")
    page = browser_for(api, "alice").get("/incidents/1")
    assert page.status_code == 200
    assert 'id="checklist-heading"' in page.text
    assert "0/2 done" in page.text
    assert 'action="/incidents/1/checklist/final_timeline_entry"' in page.text


def test_the_panel_form_marks_an_item_done_and_redirects_back(api: Api) -> None:
    add_user(api, "alice", role="responder", person="alice")
    api.declare(priority="P4")
    form = {"state": "done", "note": "FIRE-12 filed"}
    response = web_change(api, "alice", g.FOLLOW_UPS_LINKED, form)
    assert response.status_code == 303
    assert response.headers["location"] == "/incidents/1#checklist"
    done = item(api, g.FOLLOW_UPS_LINKED)
    assert (done["state"], done["note"], done["completed_by"]) == ("done", "FIRE-12 filed", "alice")


def test_the_panel_form_without_a_reason_shows_the_error_beside_the_note(api: Api) -> None:
    add_user(api, "alice", role="responder", person="alice")
    api.declare(priority="P4")
    response = web_change(api, "alice", g.FOLLOW_UPS_LINKED, {"state": "not_applicable"})
    assert response.status_code == 422
    assert 'id="checklist-follow_ups_linked-note-error"' in response.text
    assert item(api, g.FOLLOW_UPS_LINKED)["state"] == "open"


def test_a_viewer_gets_no_form_and_cannot_post_one(api: Api) -> None:
    add_user(api, "vera", role="viewer")
    api.declare(priority="P4")
    page = browser_for(api, "vera").get("/incidents/1")
    assert 'id="checklist-heading"' in page.text
    assert "/checklist/" not in page.text
    response = web_change(api, "vera", g.FINAL_TIMELINE_ENTRY, {"state": "done", "note": "x"})
    assert response.status_code == 403
    assert item(api, g.FINAL_TIMELINE_ENTRY)["state"] == "open"


def test_a_post_without_the_csrf_token_is_refused(api: Api) -> None:
    add_user(api, "alice", role="responder", person="alice")
    api.declare(priority="P4")
    client = browser_for(api, "alice")
    response = client.post(
        "/incidents/1/checklist/final_timeline_entry",
        data={"state": "done", "note": "x"},
        follow_redirects=False,
    )
    assert response.status_code in {400, 403}
    assert item(api, g.FINAL_TIMELINE_ENTRY)["state"] == "open"
