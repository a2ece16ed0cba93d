"""A responder runs an incident from the browser: sign in, declare, take command, write the
timeline while a colleague watches it update live, resolve; the API then agrees."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ResponderSite, screenshot_path, signed_in_page

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
LIVE_WAIT_MS = 5_000


def signed_in(browser: Any, site: ResponderSite, username: str) -> Any:
    return signed_in_page(browser, site, username, DESKTOP)


def declare(page: Any, message: str) -> int:
    page.get_by_role("link", name="Declare", exact=True).click()
    page.get_by_label("Service").select_option("website")
    page.get_by_label(re.compile(r"^P2")).check()
    page.get_by_label("Message").fill(message)
    page.get_by_label("Description").fill("Checkout returns 502 for about a third of requests.")
    if path := screenshot_path("declare.png"):
        page.screenshot(path=str(path), full_page=True)
    page.get_by_role("button", name="Declare incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def api_get(site: ResponderSite, path: str) -> Any:
    response = httpx.get(
        f"{site.base}{path}", headers={"Authorization": f"Bearer {site.token}"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_responder_runs_an_incident_from_declare_to_resolve(
    browser: Any, responder_site: ResponderSite
) -> None:
    site = responder_site
    alice = signed_in(browser, site, "alice")
    number = declare(alice, "Checkout errors after deploy")
    assert f"#{number}" in alice.get_by_role("heading", level=1).inner_text()

    alice.get_by_label("Role", exact=True).select_option("commander")
    alice.get_by_label("Person").select_option("alice")
    alice.get_by_role("button", name="Assign").click()
    alice.wait_for_load_state()
    assert "Alice" in alice.locator("#incident-summary").inner_text()

    bob = signed_in(browser, site, "bob")
    bob.goto(f"{site.base}/incidents/{number}")
    watched = bob.locator("#timeline")

    alice.get_by_label("Timeline entry", exact=True).fill(
        "Rolled back deploy 4711; error rate falling"
    )
    alice.get_by_role("button", name="Add entry").click()
    # Bob never reloads: the entry arrives over the page's event stream.
    watched.get_by_text("Rolled back deploy 4711").wait_for(timeout=LIVE_WAIT_MS)
    if path := screenshot_path("incident.png"):
        bob.screenshot(path=str(path), full_page=True)

    alice.get_by_role("link", name="Resolve…").click()
    dialog = alice.locator("dialog[open]")
    dialog.get_by_label("Resolution note").fill("Rollback complete; checkout healthy for 20 min")
    dialog.get_by_role("button", name="Resolve incident").click()
    alice.wait_for_load_state()
    assert "resolved" in alice.locator("#incident-summary").inner_text().lower()

    incident = api_get(site, f"/api/v1/incidents/{number}")
    assert incident["status"] == "resolved"
    assert incident["priority"] == "P2"
    assert incident["service"] == "website"
    assert incident["commander"] == "alice"
    texts = [entry["text"] for entry in api_get(site, f"/api/v1/incidents/{number}/timeline")]
    assert any("Rolled back deploy 4711" in text for text in texts)
    assert any("Rollback complete" in text for text in texts)
    # Bob's page, still without a reload, learns that the incident is resolved.
    bob.locator("#incident-summary").get_by_text(re.compile("resolved", re.I)).first.wait_for(
        timeout=LIVE_WAIT_MS
    )
    alice.context.close()
    bob.context.close()
