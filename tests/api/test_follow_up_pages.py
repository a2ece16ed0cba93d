"""The follow-up forms of the incident page: Post/Redirect/Get, CSRF, roles, field errors."""

from __future__ import annotations

from tests.api.client import Api
from tests.api.web_support import add_user, browser_for, post_form


def test_a_responder_adds_a_follow_up_and_returns_to_the_panel(api: Api) -> None:
    number = api.declare()["number"]
    add_user(api, "alice", role="responder", person="alice")
    browser = browser_for(api, "alice")
    form = {"title": "Add a canary stage", "description": "", "tracker": "builtin"}
    response = post_form(browser, f"/incidents/{number}/follow-ups", form)
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{number}#follow-ups"
    [created] = api.get(f"/api/v1/incidents/{number}/follow-ups").json()
    assert (created["title"], created["created_by"]) == ("Add a canary stage", "alice")


def test_a_follow_up_is_marked_done_from_the_page(api: Api) -> None:
    number = api.declare()["number"]
    created = api.post(f"/api/v1/incidents/{number}/follow-ups", {"title": "Docs"}).json()
    add_user(api, "alice", role="responder", person="alice")
    browser = browser_for(api, "alice")
    response = post_form(browser, f"/incidents/{number}/follow-ups/{created['id']}/done", {})
    assert response.status_code == 303
    [row] = api.get(f"/api/v1/incidents/{number}/follow-ups").json()
    assert row["status"] == "done"


def test_an_empty_title_re_renders_the_page_with_the_error(api: Api) -> None:
    number = api.declare()["number"]
    add_user(api, "alice", role="responder", person="alice")
    browser = browser_for(api, "alice")
    response = post_form(browser, f"/incidents/{number}/follow-ups", {"title": " "})
    assert response.status_code == 422
    assert api.get(f"/api/v1/incidents/{number}/follow-ups").json() == []


def test_a_viewer_is_refused(api: Api) -> None:
    number = api.declare()["number"]
    add_user(api, "vera", role="viewer")
    browser = browser_for(api, "vera")
    response = post_form(browser, f"/incidents/{number}/follow-ups", {"title": "Nope"})
    assert response.status_code == 403
    assert api.get(f"/api/v1/incidents/{number}/follow-ups").json() == []


def test_a_post_without_the_csrf_token_is_refused(api: Api) -> None:
    number = api.declare()["number"]
    add_user(api, "alice", role="responder", person="alice")
    browser = browser_for(api, "alice")
    response = browser.post(
        f"/incidents/{number}/follow-ups", data={"title": "x"}, follow_redirects=False
    )
    assert response.status_code in {400, 403}
    assert api.get(f"/api/v1/incidents/{number}/follow-ups").json() == []
