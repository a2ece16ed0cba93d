"""The incident page at /incidents/{number}: every form acts through the service layer, and
what it changed is checked through the API; refusals keep the input and name the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.client import Api
from tests.api.web_support import add_user, browser_for, csrf_of, post_form
from tests.service.statuspage_support import add_components, subscribe_flow


@pytest.fixture
def alice(api: Api) -> TestClient:
    add_user(api, "alice", role="responder", person="alice")
    return browser_for(api, "alice")


def act(client: TestClient, number: int, action: str, form: dict[str, str]) -> Any:
    return post_form(client, f"/incidents/{number}/{action}", form, page=f"/incidents/{number}")


def test_the_page_shows_the_incident_header(api: Api, alice: TestClient) -> None:
    number = api.declare(message="Checkout fails", priority="P2")["number"]
    page = alice.get(f"/incidents/{number}")
    assert page.status_code == 200
    assert f"<h1>#{number} Checkout fails</h1>" in page.text
    assert 'class="badge p2"' in page.text
    assert "No commander" in page.text
    assert 'data-live="/incidents/' in page.text


def test_assigning_a_commander_through_the_form(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "roles", {"role": "commander", "person": "bob"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{number}?done=role"
    assert api.incident(number)["commander"] == "bob"
    assert "Role assigned." in alice.get(response.headers["location"]).text


def test_removing_a_role_through_the_form(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    act(alice, number, "roles", {"role": "commander", "person": "bob"})
    response = act(alice, number, "roles/remove", {"role": "commander", "person": "bob"})
    assert response.status_code == 303
    assert api.incident(number)["commander"] is None


def test_adding_a_timeline_entry_through_the_form(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "timeline", {"text": "Rolled back the deploy"})
    assert response.status_code == 303
    assert api.timeline(number)[-1]["text"] == "Rolled back the deploy"
    assert api.timeline(number)[-1]["actor"] == "alice"


def test_an_empty_entry_is_refused_beside_its_field(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    before = len(api.timeline(number))
    response = act(alice, number, "timeline", {"text": "   "})
    assert response.status_code == 422
    assert 'id="entry-text-error"' in response.text
    assert 'aria-describedby="entry-text-error"' in response.text
    assert len(api.timeline(number)) == before


def test_adding_an_entry_with_htmx_returns_a_fresh_form(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    token = csrf_of(alice.get(f"/incidents/{number}"))
    response = alice.post(
        f"/incidents/{number}/timeline",
        data={"csrf_token": token, "text": "Paged the database team"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="entry-form"' in response.text
    assert "Paged the database team" not in response.text
    assert api.timeline(number)[-1]["text"] == "Paged the database team"


def test_changing_the_priority_through_the_form(api: Api, alice: TestClient) -> None:
    number = api.declare(priority="P3")["number"]
    response = act(alice, number, "priority", {"priority": "P1"})
    assert response.status_code == 303
    assert api.incident(number)["priority"] == "P1"


def test_a_stale_version_is_a_409_asking_to_reload(api: Api, alice: TestClient) -> None:
    incident = api.declare(priority="P3")
    stale = str(incident["version"] + 1)
    response = act(alice, incident["number"], "priority", {"priority": "P1", "version": stale})
    assert response.status_code == 409
    assert "changed meanwhile" in response.text
    assert api.incident(incident["number"])["priority"] == "P3"


def test_adding_a_link_through_the_form(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    form = {"kind": "postmortem", "url": "https://docs.example.com/pm", "title": "Postmortem"}
    response = act(alice, number, "links", form)
    assert response.status_code == 303
    links = api.incident(number)["links"]
    assert [(link["kind"], link["url"]) for link in links] == [
        ("postmortem", "https://docs.example.com/pm")
    ]


def test_a_bad_link_url_is_a_422_naming_the_field_and_writes_nothing(
    api: Api, alice: TestClient
) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "links", {"kind": "bug", "url": "ftp://nope", "title": "x"})
    assert response.status_code == 422
    assert 'id="link-url-error"' in response.text
    assert 'value="ftp://nope"' in response.text
    assert api.incident(number)["links"] == []


def test_resolving_without_a_note_is_refused_and_changes_nothing(
    api: Api, alice: TestClient
) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "resolve", {"note": ""})
    assert response.status_code == 422
    assert 'id="resolve-note-error"' in response.text
    assert api.incident(number)["status"] == "open"


def test_resolving_with_a_note(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "resolve", {"note": "Rolled back"})
    assert response.status_code == 303
    assert api.incident(number)["status"] == "resolved"


def test_the_resolve_page_works_without_javascript(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    page = alice.get(f"/incidents/{number}/resolve")
    assert page.status_code == 200
    assert '<label for="resolve-note">Resolution note</label>' in page.text


def test_closing_with_a_reason_and_bug_links(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    form = {"reason": "Duplicate of #1", "bug_links": "https://bugs.example.com/1\n"}
    response = act(alice, number, "close", form)
    assert response.status_code == 303
    incident = api.incident(number)
    assert incident["status"] == "closed"
    assert [link["kind"] for link in incident["links"]] == ["bug"]


def test_reopening_a_resolved_incident(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    act(alice, number, "resolve", {"note": "Rolled back"})
    response = act(alice, number, "reopen", {"reason": "It came back"})
    assert response.status_code == 303
    assert api.incident(number)["status"] == "open"


def test_a_refused_transition_shows_the_services_reason(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    response = act(alice, number, "reopen", {})
    assert response.status_code == 409
    assert "already open" in response.text


def test_a_viewer_may_read_but_not_act(api: Api) -> None:
    add_user(api, "vera", role="viewer")
    viewer = browser_for(api, "vera")
    number = api.declare()["number"]
    assert viewer.get(f"/incidents/{number}").status_code == 200
    before = len(api.timeline(number))
    response = act(viewer, number, "timeline", {"text": "hello"})
    assert response.status_code == 403
    assert len(api.timeline(number)) == before


def test_a_form_without_its_csrf_token_is_refused(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    before = len(api.timeline(number))
    response = alice.post(
        f"/incidents/{number}/timeline", data={"text": "hello"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert len(api.timeline(number)) == before


def test_html_in_messages_and_entries_shows_as_text(api: Api, alice: TestClient) -> None:
    number = api.declare(message="<b>bold</b> move")["number"]
    act(alice, number, "timeline", {"text": "<script>alert(1)</script>"})
    page = alice.get(f"/incidents/{number}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt; move" in page


def test_a_missing_number_is_a_404_page(alice: TestClient) -> None:
    assert alice.get("/incidents/999").status_code == 404
    assert alice.get("/incidents/abc").status_code == 404


PRIVATE_POSTS = {
    "roles": {"role": "commander", "person": "bob"},
    "roles/remove": {"role": "commander", "person": "bob"},
    "timeline": {"text": "hello"},
    "priority": {"priority": "P1"},
    "links": {"kind": "bug", "url": "https://bugs.example.com/1"},
    "resolve": {"note": "done"},
    "close": {"reason": "done"},
    "reopen": {},
    "public/updates": {"status": "identified", "message": "x"},
    "public/publish": {},
}


@pytest.fixture
def private_number(api: Api) -> int:
    number: int = api.declare(private=True, reporter="carol")["number"]
    return number


@pytest.mark.parametrize("path", ["", "/summary", "/resolve", "/close", "/live"])
def test_a_private_incident_is_missing_for_a_non_participant(
    api: Api, alice: TestClient, private_number: int, path: str
) -> None:
    response = alice.get(f"/incidents/{private_number}{path}")
    assert response.status_code == 404
    assert "Checkout fails" not in response.text


@pytest.mark.parametrize("action", sorted(PRIVATE_POSTS))
def test_every_form_on_a_private_incident_is_a_404_for_a_non_participant(
    api: Api, alice: TestClient, private_number: int, action: str
) -> None:
    before = api.get(f"/api/v1/incidents/{private_number}", role="admin").json()
    token = csrf_of(alice.get("/"))
    response = alice.post(
        f"/incidents/{private_number}/{action}",
        data={"csrf_token": token, **PRIVATE_POSTS[action]},
        follow_redirects=False,
    )
    assert response.status_code == 404
    after = api.get(f"/api/v1/incidents/{private_number}", role="admin").json()
    assert after["version"] == before["version"]


def test_the_reporter_of_a_private_incident_sees_its_page(api: Api, private_number: int) -> None:
    add_user(api, "carol", role="responder", person="carol")
    carol = browser_for(api, "carol")
    page = carol.get(f"/incidents/{private_number}")
    assert page.status_code == 200
    assert 'class="badge private"' in page.text


@pytest.fixture
def linked(api: Api) -> int:
    """A P2 on the website: the status page flow prepares a draft public incident for it."""
    add_components(api.db, api.clock.now())
    subscribe_flow(api.db)
    number: int = api.declare(priority="P2")["number"]
    api.app.state.runtime.dispatcher.run_until_idle()
    return number


def public_of(api: Api, number: int) -> dict[str, Any]:
    found: dict[str, Any] = api.incident(number)["statuspage"]
    return found


def test_without_a_status_page_the_panel_is_absent(api: Api, alice: TestClient) -> None:
    number = api.declare()["number"]
    assert "Public status page" not in alice.get(f"/incidents/{number}").text


def test_the_panel_shows_the_linked_draft_and_publishes_it(
    api: Api, alice: TestClient, linked: int
) -> None:
    page = alice.get(f"/incidents/{linked}").text
    assert "draft, not public yet" in page
    response = act(alice, linked, "public/publish", {})
    assert response.status_code == 303
    assert public_of(api, linked)["published"] is True


def test_posting_a_public_update_through_the_form(api: Api, alice: TestClient, linked: int) -> None:
    form = {"status": "identified", "message": "We found the cause."}
    response = act(alice, linked, "public/updates", form)
    assert response.status_code == 303
    assert public_of(api, linked)["status"] == "identified"


def test_a_public_update_without_a_message_is_refused_beside_it(
    api: Api, alice: TestClient, linked: int
) -> None:
    response = act(alice, linked, "public/updates", {"status": "identified", "message": ""})
    assert response.status_code == 422
    assert 'id="public-message-error"' in response.text
    assert public_of(api, linked)["status"] == "investigating"


def test_with_components_but_no_linked_incident_the_panel_says_none(
    api: Api, alice: TestClient
) -> None:
    add_components(api.db, api.clock.now())
    number = api.declare(priority="P4")["number"]
    assert "No public incident is linked" in alice.get(f"/incidents/{number}").text
