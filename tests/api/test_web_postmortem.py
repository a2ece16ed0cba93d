"""The postmortem editor page: start, edit, review, publish, download; private stays private."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from firehouse.auth.service import create_token
from tests.api.client import Api
from tests.api.web_support import add_user, browser_for, post_form

SECRET = "Payment keys were exposed"


@pytest.fixture
def alice(api: Api) -> TestClient:
    add_user(api, "alice", role="responder", person="alice")
    return browser_for(api, "alice")


def resolved_p1(api: Api) -> int:
    number = int(api.declare(priority="P1", commander="alice")["number"])
    assert api.act(number, "resolve", {"note": "Rolled back"}).status_code == 200
    return number


def page_of(number: int) -> str:
    return f"/incidents/{number}/postmortem"


def test_the_editor_shows_the_document_in_a_labelled_textarea(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    page = alice.get(page_of(number))
    assert page.status_code == 200
    assert '<label for="postmortem-document">Postmortem (Markdown)</label>' in page.text
    assert "## Key times" in page.text
    assert "<h4>Key times</h4>" in page.text  # the preview, below the page's own headings


def test_an_incident_without_one_offers_to_start_it(api: Api, alice: TestClient) -> None:
    number = int(api.declare()["number"])
    assert "Start postmortem" in alice.get(page_of(number)).text
    started = post_form(alice, page_of(number) + "/start", {}, page=page_of(number))
    assert started.status_code == 303
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json()["state"] == "draft"


def test_saving_the_form_stores_the_document(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    saved = post_form(
        alice, page_of(number), {"document": "# Ours", "version": "1"}, page=page_of(number)
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == page_of(number) + "?done=saved"
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json()["document"] == "# Ours"


def test_a_stale_save_keeps_the_text_and_says_why(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    post_form(alice, page_of(number), {"document": "# One", "version": "1"}, page=page_of(number))
    stale = post_form(
        alice, page_of(number), {"document": "# Mine", "version": "1"}, page=page_of(number)
    )
    assert stale.status_code == 409
    assert "version: the postmortem is at version 2" in stale.text
    assert "# Mine</textarea>" in stale.text


def test_a_form_without_the_csrf_token_is_refused(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    response = alice.post(page_of(number), data={"document": "# X", "version": "1"})
    assert response.status_code == 403
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json()["version"] == 1


def test_the_state_buttons_move_it_to_review_then_published(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    for state in ("in_review", "published"):
        moved = post_form(alice, page_of(number) + "/state", {"state": state}, page=page_of(number))
        assert moved.status_code == 303
    assert api.get(f"/api/v1/incidents/{number}/postmortem").json()["state"] == "published"


def test_a_viewer_sees_it_but_may_not_change_it(api: Api) -> None:
    number = resolved_p1(api)
    add_user(api, "vera", role="viewer")
    vera = browser_for(api, "vera")
    page = vera.get(page_of(number))
    assert page.status_code == 200
    assert "postmortem-document" not in page.text
    refused = post_form(
        vera, page_of(number) + "/state", {"state": "in_review"}, page=page_of(number)
    )
    assert refused.status_code == 403


def test_downloads_are_attachments_and_the_html_runs_nothing(api: Api, alice: TestClient) -> None:
    number = resolved_p1(api)
    post_form(
        alice,
        page_of(number),
        {"document": "# T\n\n<script>alert(1)</script>", "version": "1"},
        page=page_of(number),
    )
    markdown = alice.get(page_of(number) + ".md")
    assert markdown.text == "# T\n\n<script>alert(1)</script>"
    assert markdown.headers["content-disposition"].startswith("attachment")
    html = alice.get(page_of(number) + ".html")
    assert "<script>" not in html.text


def test_a_private_postmortem_is_missing_for_outsiders(api: Api, alice: TestClient) -> None:
    with api.db.write() as session:
        _row, api.tokens["alice"] = create_token(
            session, name="alice", role="responder", now=api.clock.now(), person="alice"
        )
    response = api.post(
        "/api/v1/incidents",
        {
            "service": "website",
            "priority": "P1",
            "message": SECRET,
            "private": True,
            "commander": "alice",
        },
        role="alice",
    )
    number = int(response.json()["number"])
    resolved = api.post(f"/api/v1/incidents/{number}/resolve", {"note": "Rotated"}, role="alice")
    assert resolved.status_code == 200
    add_user(api, "dan", role="responder", person="dan")
    dan = browser_for(api, "dan")
    for path in (page_of(number), page_of(number) + ".md", page_of(number) + ".html"):
        refused = dan.get(path)
        assert refused.status_code == 404
        assert SECRET not in refused.text
    assert alice.get(page_of(number)).status_code == 200
