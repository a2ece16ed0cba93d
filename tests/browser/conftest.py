"""A live server with an example status page, and headless Chromium (Debian's) to read it.

Without /usr/bin/chromium the browser tests are skipped with a reason, except under CI
(the `CI` variable set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from firehouse.app import create_app
from firehouse.auth.service import create_token
from firehouse.auth.users import create_user
from firehouse.clock import SystemClock
from firehouse.db import Database
from firehouse.settings import Settings
from tests.databases import sqlite_copy
from tests.factories import seed_catalog
from tests.live import serving
from tests.statuspage_public_rows import example_page

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (select with -m browser)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"browser tests need {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- only when a browser exists

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def status_site(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """The base URL of a running server whose status page holds the example page."""
    url = sqlite_copy(sqlite_template, tmp_path)
    db = Database(url)
    with db.write() as session:
        example_page(session, SystemClock().now())
    app = create_app(Settings(database_url=url), database=db, run_dispatcher=False)
    with serving(app) as base:
        yield base
    db.dispose()


def screenshot_path(name: str) -> Path | None:
    """Screenshots for docs/ are written only when asked, so the suite never rewrites docs."""
    if os.environ.get("FIREHOUSE_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


@dataclass(frozen=True)
class ResponderSite:
    """A running server with the test organisation, two responders and an admin API token."""

    base: str
    token: str


BROWSER_PASSWORD = "correct horse battery"


@pytest.fixture
def responder_site(sqlite_template: Path, tmp_path: Path) -> Iterator[ResponderSite]:
    url = sqlite_copy(sqlite_template, tmp_path)
    db = Database(url)
    now = SystemClock().now()
    with db.write() as session:
        seed_catalog(session)
        for username, person, role in (
            ("alice", "alice", "responder"),
            ("bob", "bob", "responder"),
            ("ada", None, "admin"),
        ):
            create_user(
                session,
                username=username,
                name=f"{username.title()} {role.title()}",
                role=role,
                password=BROWSER_PASSWORD,
                person=person,
                now=now,
            )
        _row, token = create_token(session, name="verifier", role="admin", now=now)
    app = create_app(Settings(database_url=url), database=db, run_dispatcher=False)
    with serving(app) as base:
        yield ResponderSite(base=base, token=token)
    db.dispose()


def signed_in_page(
    browser: Any, site: ResponderSite, username: str, viewport: dict[str, int], **context: Any
) -> Any:
    """A new browser context signed in through the sign-in form, on the dashboard."""
    page = browser.new_context(viewport=viewport, **context).new_page()
    page.goto(f"{site.base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(BROWSER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.base}/")
    return page
