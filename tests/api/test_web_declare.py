"""The declare form: an informed choice of priority (each level's guidance and examples beside
it, training marked), one incident per form, and a refused form that keeps what was typed and
writes nothing."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from firehouse.catalog.service import load_policy
from tests.api.client import Api
from tests.api.web_support import add_user, browser_for, csrf_of

GOOD = {
    "service": "website",
    "priority": "P2",
    "message": "Checkout fails for some users",
    "description": "Payments time out after 30 s.",
    "source_url": "https://chat.example.com/archives/C1/p123",
}


@pytest.fixture
def alice(api: Api) -> TestClient:
    add_user(api, "alice", role="responder", person="alice")
    return browser_for(api, "alice")


def form_page(client: TestClient, query: str = "") -> httpx.Response:
    page: httpx.Response = client.get(f"/declare{query}")
    assert page.status_code == 200, page.text
    return page


def send(client: TestClient, form: dict[str, str], **extra: str) -> httpx.Response:
    page = form_page(client)
    form_id = re.search(r'name="form_id" value="([^"]+)"', page.text)
    assert form_id is not None
    body = {"csrf_token": csrf_of(page), "form_id": form_id.group(1), **form, **extra}
    sent: httpx.Response = client.post("/declare", data=body, follow_redirects=False)
    return sent


def incidents(api: Api) -> list[dict[str, Any]]:
    response = api.get("/api/v1/incidents", role="admin")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# the form ------------------------------------------------------------------------------------
def test_the_form_labels_every_field(alice: TestClient) -> None:
    page = form_page(alice).text
    for control, label in (
        ("service", "Service"),
        ("message", "Message"),
        ("description", "Description"),
        ("source_url", "Source link"),
    ):
        assert f'<label for="{control}">{label}</label>' in page
    assert "<legend>Priority</legend>" in page
    assert "Private (confidential or security incident)" in page
    assert "Only its participants and admins will see it" in page
    assert "I will be the commander" in page
    assert 'type="url"' in page
    assert 'maxlength="300"' in page
    assert ">Declare incident</button>" in page


def test_only_active_services_are_offered(alice: TestClient) -> None:
    page = form_page(alice).text
    assert '<option value="website"' in page
    assert '<option value="cms"' in page
    assert '<option value="legacy"' not in page


def test_each_priority_shows_its_guidance_and_examples_beside_the_choice(
    api: Api, alice: TestClient
) -> None:
    page = form_page(alice).text
    with api.db.read() as session:
        levels = load_policy(session).ordered()
    assert [lv.priority for lv in levels] == ["P1", "P2", "P3", "P4", "P5"]
    for level in levels:
        start = page.index(f'id="priority-{level.priority}"')
        label = re.search(r'class="declare-label">(.*?)</label>', page[start:])
        assert label is not None
        assert label.group(1) == level.label
        guidance = page[start : page.index("</div>", page.index("declare-guidance", start))]
        assert level.guidance in guidance.replace("&#39;", "'")
        for example in level.examples:
            assert f"<li>{example}</li>".replace("'", "&#39;") in guidance


def test_the_training_level_is_marked_as_such(api: Api, alice: TestClient) -> None:
    page = form_page(alice).text
    start = page.index('id="priority-P5"')
    training = page[start : page.index("</div>", start + 1) + 400]
    assert '<span class="badge training">Training</span>' in training
    assert "Training — no pages, no public status page" in training
    assert page.count("Training — no pages") == 1


def test_the_commander_choice_is_offered_only_to_an_account_with_a_person(api: Api) -> None:
    add_user(api, "ops", role="responder", person=None)
    page = form_page(browser_for(api, "ops")).text
    assert "I will be the commander" not in page


def test_priority_and_service_are_preselected_from_the_address(alice: TestClient) -> None:
    page = form_page(alice, "?priority=P1&service=cms").text
    assert re.search(r'id="priority-P1"[^>]*checked', page)
    assert '<option value="cms" selected>' in page


def test_unknown_values_in_the_address_are_ignored_not_echoed(alice: TestClient) -> None:
    page = form_page(alice, "?priority=P9-unheard-of&service=%3Cb%3Ebogus-service").text
    assert "unheard-of" not in page
    assert "bogus-service" not in page
    assert "checked" not in page
    assert '<option value="" selected>' in page


# declaring -----------------------------------------------------------------------------------
def test_declaring_creates_the_incident_and_opens_it(api: Api, alice: TestClient) -> None:
    response = send(alice, GOOD)
    assert response.status_code == 303
    [incident] = incidents(api)
    assert response.headers["location"] == f"/incidents/{incident['number']}"
    assert incident["service"] == "website"
    assert incident["priority"] == "P2"
    assert incident["message"] == GOOD["message"]
    assert incident["description"] == GOOD["description"]
    assert incident["source_url"] == GOOD["source_url"]
    assert incident["reporter"] == "alice"
    assert incident["private"] is False
    assert incident["commander"] is None


def test_the_declarer_may_take_command_and_make_it_private(api: Api, alice: TestClient) -> None:
    assert send(alice, GOOD, commander="me", private="yes").status_code == 303
    [incident] = incidents(api)
    assert incident["commander"] == "alice"
    assert incident["private"] is True


def test_the_training_level_declares_a_training_incident(api: Api, alice: TestClient) -> None:
    assert send(alice, {**GOOD, "priority": "P5"}).status_code == 303
    [incident] = incidents(api)
    assert incident["training"] is True


def test_the_same_form_sent_twice_declares_once(api: Api, alice: TestClient) -> None:
    page = form_page(alice)
    form_id = re.search(r'name="form_id" value="([^"]+)"', page.text)
    assert form_id is not None
    body = {"csrf_token": csrf_of(page), "form_id": form_id.group(1), **GOOD}
    first = alice.post("/declare", data=body, follow_redirects=False)
    again = alice.post("/declare", data=body, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(incidents(api)) == 1


def test_the_same_form_sent_twice_at_once_declares_once(api: Api, alice: TestClient) -> None:
    page = form_page(alice)
    form_id = re.search(r'name="form_id" value="([^"]+)"', page.text)
    assert form_id is not None
    body = {"csrf_token": csrf_of(page), "form_id": form_id.group(1), **GOOD}
    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(
            pool.map(lambda _: alice.post("/declare", data=body, follow_redirects=False), [1, 2])
        )
    assert [r.status_code for r in sent] == [303, 303]
    assert sent[0].headers["location"] == sent[1].headers["location"]
    assert len(incidents(api)) == 1


def test_two_forms_declare_two_incidents(api: Api, alice: TestClient) -> None:
    assert send(alice, GOOD).status_code == 303
    assert send(alice, GOOD).status_code == 303
    assert len(incidents(api)) == 2


def test_a_form_sent_again_after_ten_minutes_is_a_new_declaration(
    api: Api, alice: TestClient
) -> None:
    page = form_page(alice)
    form_id = re.search(r'name="form_id" value="([^"]+)"', page.text)
    assert form_id is not None
    body = {"csrf_token": csrf_of(page), "form_id": form_id.group(1), **GOOD}
    alice.post("/declare", data=body, follow_redirects=False)
    api.clock.advance(minutes=11)
    alice.post("/declare", data=body, follow_redirects=False)
    assert len(incidents(api)) == 2


# refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"service": ""}, "service", "Choose the impacted service."),
        ({"service": "legacy"}, "service", "unknown service"),
        ({"priority": ""}, "priority", "Choose a priority."),
        ({"priority": "P9"}, "priority", "unknown priority"),
        ({"message": "   "}, "message", "Say in a sentence what is wrong."),
        ({"message": "x" * 301}, "message", "at most 300 characters"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "must be an http(s) URL"),
    ],
)
def test_a_refused_form_names_the_field_keeps_the_input_and_writes_nothing(
    api: Api, alice: TestClient, change: dict[str, str], field: str, words: str
) -> None:
    response = send(alice, {**GOOD, **change})
    assert response.status_code == 422
    page = response.text
    assert f'<p class="field-error" id="{field}-error">' in page
    assert words in page
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page) or re.search(
        rf'name="{field}"[^>]*aria-invalid="true"', page
    )
    assert f"{field}-error" in re.sub(r'id="[^"]*-error"', "", page)  # described by the message
    assert 'value="Payments' not in page  # the description is a textarea, kept as its text
    assert GOOD["description"] in page
    if field != "message":
        assert f'value="{GOOD["message"]}"' in page
    if field != "source_url":
        assert f'value="{GOOD["source_url"]}"' in page
    assert incidents(api) == []


def test_a_private_incident_needs_a_person_behind_the_account(api: Api) -> None:
    add_user(api, "ops", role="responder", person=None)
    response = send(browser_for(api, "ops"), GOOD, private="yes")
    assert response.status_code == 422
    assert '<p class="field-error" id="private-error">' in response.text
    assert "Your account acts for no person" in response.text
    assert re.search(r'id="private"[^>]*checked', response.text)
    assert incidents(api) == []


def test_a_viewer_is_refused_the_form(api: Api) -> None:
    add_user(api, "vic", role="viewer", person=None)
    viewer = browser_for(api, "vic")
    assert viewer.get("/declare").status_code == 403
    token = csrf_of(viewer.get("/"))
    refused = viewer.post("/declare", data={"csrf_token": token, **GOOD}, follow_redirects=False)
    assert refused.status_code == 403
    assert "responder role" in refused.text
    assert incidents(api) == []


def test_a_form_without_the_csrf_token_is_refused(api: Api, alice: TestClient) -> None:
    refused = alice.post("/declare", data=GOOD, follow_redirects=False)
    assert refused.status_code == 403
    assert "Form expired" in refused.text
    assert incidents(api) == []


def test_a_stranger_is_sent_to_sign_in(api: Api) -> None:
    response = api.client.get("/declare", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
