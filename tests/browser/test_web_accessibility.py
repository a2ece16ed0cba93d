"""Every main page of the web UI at a phone's 360 px, by keyboard, with labels and AA contrast.

The checks run in the browser on the rendered page, so they see the real CSS: computed colours
(and the backgrounds behind them), the real layout width and the real focus ring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ResponderSite, screenshot_path, signed_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

# Run in the page: the text below WCAG AA against its effective background.
LOW_CONTRAST = (Path(__file__).parent / "low_contrast.js").read_text()

# Visible form controls no one could name: no <label>, no aria-label, no aria-labelledby.
UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((c) => c.type !== "hidden" && c.getClientRects().length)
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute("aria-label")
                 && !c.getAttribute("aria-labelledby"))
  .map((c) => c.name || c.id || c.outerHTML.slice(0, 60))"""


def _incident_with_history(site: ResponderSite) -> int:
    headers = {"Authorization": f"Bearer {site.token}"}
    declared = httpx.post(
        f"{site.base}/api/v1/incidents",
        json={
            "service": "website",
            "priority": "P1",
            "message": "Checkout down",
            "commander": "bob",
        },
        headers=headers,
        timeout=10,
    )
    assert declared.status_code == 201, declared.text
    number: int = declared.json()["number"]
    for text in ("Paged the database team", "Failover started", "Error rate back to normal"):
        added = httpx.post(
            f"{site.base}/api/v1/incidents/{number}/timeline",
            json={"text": text},
            headers=headers,
            timeout=10,
        )
        assert added.status_code == 201, added.text
    return number


def _pages(number: int) -> dict[str, str]:
    return {
        "dashboard": "/",
        "declare": "/declare",
        "incidents": "/incidents",
        "incident": f"/incidents/{number}",
        "postmortem": f"/incidents/{number}/postmortem",
        "reports": "/reports",
        "admin-config": "/admin/config",
        "admin-tokens": "/admin/tokens",
    }


def test_every_main_page_reads_at_360_px_with_labels_and_aa_contrast(
    browser: Any, responder_site: ResponderSite
) -> None:
    number = _incident_with_history(responder_site)
    page = signed_in_page(browser, responder_site, "ada", PHONE)
    problems: dict[str, Any] = {}
    for name, path in _pages(number).items():
        response = page.goto(f"{responder_site.base}{path}")
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        found = {
            "sideways scrolling": width if width > PHONE["width"] else None,
            "unlabelled controls": page.evaluate(UNLABELLED),
            "low contrast": page.evaluate(LOW_CONTRAST),
            "h1 count": None if page.locator("h1").count() == 1 else page.locator("h1").count(),
        }
        found = {key: value for key, value in found.items() if value}
        if found:
            problems[path] = found
        if shot := screenshot_path(f"{name}-phone.png"):
            page.screenshot(path=str(shot), full_page=True)
    assert problems == {}
    page.context.close()


def test_the_keyboard_reaches_the_skip_link_first_and_focus_is_visible(
    browser: Any, responder_site: ResponderSite
) -> None:
    number = _incident_with_history(responder_site)
    page = signed_in_page(browser, responder_site, "alice", DESKTOP)
    page.goto(f"{responder_site.base}/incidents/{number}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    # Tabbing on from the main content lands on controls, each with a visible focus ring.
    for _ in range(6):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; })()"
        )
        assert outline[0] != "BODY"
        assert outline[1] != "none", outline
        assert outline[2] != "0px", outline
    page.context.close()


def test_desktop_screenshots_of_the_main_pages(browser: Any, responder_site: ResponderSite) -> None:
    number = _incident_with_history(responder_site)
    page = signed_in_page(browser, responder_site, "ada", DESKTOP)
    for name, path in _pages(number).items():
        response = page.goto(f"{responder_site.base}{path}")
        assert response is not None
        assert response.status == 200
        assert page.locator("h1").count() == 1
        if shot := screenshot_path(f"{name}.png"):
            page.screenshot(path=str(shot), full_page=True)
    page.context.close()
