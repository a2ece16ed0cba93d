"""The public status page in a real browser: readable, responsive, and fine without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot_path

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def open_page(browser: Any, url: str, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    return page


def test_the_page_shows_the_banner_and_components(browser: Any, status_site: str) -> None:
    page = open_page(browser, f"{status_site}/status", viewport=DESKTOP)
    banner = page.locator(".banner-text")
    assert "Partial System Outage" in banner.inner_text()
    names = page.locator(".component-name").all_inner_texts()
    assert names == ["Website", "Ticket sales", "Partner API", "Partner CMS"]
    assert "Partial Outage" in page.locator("#component-tickets .status").inner_text()
    assert page.locator("#component-tickets .bars li").count() == 90
    if path := screenshot_path("status-desktop.png"):
        page.screenshot(path=str(path), full_page=True)
    page.context.close()


def test_a_phone_sees_the_page_without_sideways_scrolling(browser: Any, status_site: str) -> None:
    page = open_page(browser, f"{status_site}/status", viewport=PHONE, is_mobile=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    visible_days = page.locator("#component-tickets .bars li:visible").count()
    assert visible_days == 30
    if path := screenshot_path("status-phone.png"):
        page.screenshot(path=str(path), full_page=True)
    page.context.close()


def test_the_page_works_without_javascript(browser: Any, status_site: str) -> None:
    page = open_page(browser, f"{status_site}/status", java_script_enabled=False)
    assert "Partial System Outage" in page.locator(".banner-text").inner_text()
    assert page.locator(".component").count() == 4
    page.get_by_role("link", name="History").first.click()
    assert page.locator("h1").inner_text() == "Incident history"
    assert "Partner API slow" in page.content()
    page.context.close()


def test_the_page_has_landmarks_headings_and_a_language(browser: Any, status_site: str) -> None:
    page = open_page(browser, f"{status_site}/status")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("heading", name="Components").count() == 1
    page.context.close()


def test_status_is_told_in_words_not_only_colour(browser: Any, status_site: str) -> None:
    page = open_page(browser, f"{status_site}/status")
    statuses = page.locator(".component .status").all_inner_texts()
    assert statuses == ["Operational", "Partial Outage", "Operational", "Operational"]
    uptime = page.locator("#component-api .uptime").inner_text()
    assert uptime.endswith("% uptime")
    page.context.close()
